"""Staff forms for collections, hardship decisions and region-wide relief."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from shop.models import ContactChannel, ContactOutcome, HardshipRemedy


class ContactForm(FlaskForm):
    channel = SelectField("Channel", choices=[(c.value, c.value.title()) for c in ContactChannel])
    outcome = SelectField("Outcome", choices=[(o.value, o.value.replace("_", " ")) for o in ContactOutcome])
    note = TextAreaField("Note", validators=[Length(max=2000)])


class PromiseForm(FlaskForm):
    promised_on = DateField("Pay by", validators=[DataRequired()])
    amount = DecimalField("Amount (USD)", places=2, validators=[InputRequired(), NumberRange(min=0.01)])


class GrantForm(FlaskForm):
    remedy = SelectField("Remedy", choices=[(r.value, r.value.replace("_", " ")) for r in HardshipRemedy])
    count = IntegerField(
        "Installments to defer / months to add", default=1, validators=[Optional(), NumberRange(min=1, max=36)]
    )
    note = TextAreaField("Note", validators=[DataRequired(), Length(max=2000)])


class DeclineForm(FlaskForm):
    note = TextAreaField("Why", validators=[DataRequired(), Length(max=2000)])


class ReliefForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    regions = StringField("Billing regions (comma separated, e.g. LA, MS)", validators=[DataRequired()])
    starts_on = DateField("From", validators=[DataRequired()])
    ends_on = DateField("Until", validators=[DataRequired()])
    waive_late_fees = BooleanField("Waive late fees")
    pause_late_fees = BooleanField("Pause late fees")
    defer_days = IntegerField("Defer installments by (days)", default=0, validators=[Optional(), NumberRange(0, 365)])
    pause_contact = BooleanField("Pause collections contact")


class EndReliefForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=300)])
