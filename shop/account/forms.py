"""Account forms: loan repayments and autopay."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    RadioField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional


class RepaymentForm(FlaskForm):
    payment_key = HiddenField(validators=[DataRequired()])
    setup_intent_id = HiddenField()
    kind = RadioField(
        "Pay",
        choices=[("next", "Next installment"), ("amount", "Another amount"), ("payoff", "Pay off the loan")],
        default="next",
    )
    amount = DecimalField("Amount (USD)", places=2, validators=[Optional(), NumberRange(min=0.01)])
    card = RadioField("Card", choices=[("saved", "Card on file"), ("new", "A new card")], default="saved")
    # Shown only when the same amount was paid on this loan minutes ago (a back button, a second click).
    confirm_repeat = BooleanField("Yes, make another payment of this amount")


class AutopayForm(FlaskForm):
    """The one autopay field is the state asked for ("on" or "off"), set by the view."""

    autopay = HiddenField(validators=[DataRequired(), AnyOf(["on", "off"])])


class HardshipForm(FlaskForm):
    reason = TextAreaField("What happened?", validators=[DataRequired(), Length(max=2000)])
    can_pay = DecimalField(
        "What can you pay each month? (USD)", places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
