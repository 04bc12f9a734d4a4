"""Merchant portal forms (Flask-WTF: CSRF on every POST form; the filter forms are GET and carry none)."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from shop.models import PROMO_TERMS, OrderStatus


class SignupForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = StringField("Login e-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=10, max=128, message="Use at least 10 characters.")]
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")]
    )
    business_name = StringField("Business name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("What you sell", validators=[Optional(), Length(max=2000)])
    contact_name = StringField("Contact person", validators=[DataRequired(), Length(max=120)])
    contact_email = StringField("Contact e-mail", validators=[DataRequired(), Email(), Length(max=254)])
    contact_phone = StringField("Contact phone", validators=[DataRequired(), Length(max=40)])
    payout_details = TextAreaField(
        "Payout details (bank, account holder, account number)", validators=[DataRequired(), Length(max=400)]
    )


class ListingForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description (plain text)", validators=[Optional(), Length(max=5000)])
    price = DecimalField(
        "Price (USD)", places=2, validators=[DataRequired(), NumberRange(min=Decimal("1.00"), max=Decimal("100000"))]
    )
    stock = IntegerField(
        "Stock", validators=[DataRequired(message="Enter the stock (0 or more)."), NumberRange(0, 100000)]
    )
    scene = SelectField("Scene", coerce=int, validators=[DataRequired()])
    financing_eligible = BooleanField("Can be bought over time", default=True)
    promo_3 = BooleanField("Offer 3 months at 0% (you fund it)")
    promo_6 = BooleanField("Offer 6 months at 0% (you fund it)")
    promo_12 = BooleanField("Offer 12 months at 0% (you fund it)")
    photos = MultipleFileField("Photos (JPEG, PNG or WebP, up to 5 MB each)")

    def promo_terms(self) -> tuple[int, ...]:
        return tuple(t for t in PROMO_TERMS if getattr(self, f"promo_{t}").data)


def _int_or_zero(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


class ListingFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    status = SelectField(
        "Status",
        choices=[("", "any"), ("active", "active"), ("inactive", "inactive")],
        default="",
        validate_choice=False,
    )
    scene = SelectField("Scene", coerce=_int_or_zero, validate_choice=False)


class OrderFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=[("", "any")] + [(s.value, s.value.replace("_", " ")) for s in OrderStatus],
        validate_choice=False,
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    paid = SelectField(
        "Paid", choices=[("", "any"), ("card", "in full"), ("credit", "over time")], default="", validate_choice=False
    )


CARRIERS = ["UPS", "USPS", "FedEx", "DHL", "Other"]


class ShipForm(FlaskForm):
    carrier = SelectField("Carrier", choices=[(c, c) for c in CARRIERS])
    tracking_number = StringField("Tracking number", validators=[DataRequired(), Length(min=4, max=80)])


class RefundForm(FlaskForm):
    refund_key = HiddenField(validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(message="Give a reason."), Length(max=500)])
