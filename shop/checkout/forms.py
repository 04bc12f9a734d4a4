"""Checkout forms: address, card payment, credit application, offer acceptance."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from credit.gates import LEGAL_MIN_AGE_YEARS, age_on, is_valid_ssn
from credit.money import to_minor_units
from shop.forms import US_STATES
from shop.services.applications import ApplicationData

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code")


class AddressForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    line1 = StringField("Address", validators=[DataRequired(), Length(max=200)])
    line2 = StringField("Apartment, suite (optional)", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    region = SelectField(
        "State",
        choices=[("", "Choose…")] + [(s, s) for s in US_STATES],
        validators=[DataRequired(message="Choose a state.")],
    )
    postal_code = StringField(
        "ZIP code",
        validators=[DataRequired(), Regexp(r"^\d{5}(-\d{4})?$", message="Enter a 5-digit ZIP code (or ZIP+4).")],
    )


class PayForm(FlaskForm):
    checkout_key = HiddenField(validators=[DataRequired()])
    setup_intent_id = HiddenField()
    payment_intent_id = HiddenField()


INCOME_SOURCES = [
    ("employed", "Employed"),
    ("self_employed", "Self-employed"),
    ("retired", "Retired"),
    ("benefits", "Benefits"),
    ("other", "Other income"),
    ("none", "No regular income"),
]
HOUSING = [("rent", "I rent"), ("own", "I own my home"), ("free", "I live rent-free")]
OTHER_PLANS = [("none", "No"), ("bank", "Yes, with a bank"), ("stores", "Yes, with stores")]
SAVINGS = [
    ("none", "None"),
    ("under_250", "Under $250"),
    ("250_to_1250", "$250 – $1,250"),
    ("1250_to_2500", "$1,250 – $2,500"),
    ("2500_plus", "Over $2,500"),
]
# credit.scorecard.CHECKING_BANDS (USD at 2.40 per 1970s DM: 200 DM = $480; docs/model_card.md)
CHECKING = [
    ("", "Choose…"),
    ("480_plus", "Balance $480 or more"),
    ("under_480", "Balance under $480"),
    ("overdrawn", "My checking account is overdrawn"),
    ("none", "I have no checking account"),
]


class BirthDateField(DateField):
    """A date of birth: a date that cannot exist (30 February) is a field error in plain words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError("Enter a real date, like 1985-04-12.") from e


def _check_date_of_birth(form, field) -> None:
    """What the form can check before anything is decided or stored."""
    born, today = field.data, datetime.now(UTC).date()
    if born is None:
        return
    if born >= today:
        raise ValidationError("Enter your date of birth: that date is not in the past.")
    if born.year < today.year - 120:
        raise ValidationError("Check the year of your date of birth.")
    if age_on(born, today) < LEGAL_MIN_AGE_YEARS:
        raise ValidationError(
            f"You must be {LEGAL_MIN_AGE_YEARS} or older to apply for credit. "
            "Check your date of birth if that is a typo."
        )


def _check_ssn(form, field) -> None:
    digits = "".join(ch for ch in field.data or "" if ch.isdigit())
    if len(digits) == 9 and not is_valid_ssn(digits):
        raise ValidationError("That is not a Social Security number that can be issued; check the digits.")


class CreditApplicationForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(min=2, max=120)])
    date_of_birth = BirthDateField(
        "Date of birth", validators=[InputRequired(message="Enter your date of birth."), _check_date_of_birth]
    )
    national_id = StringField(
        "Social Security number",
        validators=[
            DataRequired(),
            Regexp(r"^\s*\d{3}[- ]?\d{2}[- ]?\d{4}\s*$", message="Enter 9 digits, like 123-45-6789."),
            _check_ssn,
        ],
    )
    monthly_income = DecimalField(
        "Monthly income before tax (USD)",
        places=2,
        validators=[InputRequired(message="Enter your monthly income."), NumberRange(min=0, max=1_000_000)],
    )
    income_source = SelectField("Main source of income", choices=INCOME_SOURCES)
    employment_months = IntegerField(
        "Months with that employer or income source",
        validators=[InputRequired(message="Enter a number of months (0 if new)."), NumberRange(min=0, max=720)],
    )
    housing = SelectField("Housing", choices=HOUSING)
    other_installment_plans = SelectField("Do you pay other installment plans?", choices=OTHER_PLANS)
    existing_monthly_debt = DecimalField(
        "Their total monthly payments (USD)",
        places=2,
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
    )
    savings_band = SelectField("Savings", choices=SAVINGS)
    checking_band = SelectField(
        "Checking account balance today",
        choices=CHECKING,
        validators=[DataRequired(message="Choose your checking account balance.")],
    )
    residence_years = IntegerField(
        "Years at your current address",
        validators=[InputRequired(message="Enter a number of years (0 if new)."), NumberRange(min=0, max=100)],
    )
    billing_region = SelectField(
        "Billing state",
        choices=[("", "Choose…")] + [(s, s) for s in US_STATES],
        validators=[DataRequired(message="Choose a state.")],
    )
    consent = BooleanField("I agree", validators=[DataRequired(message="Please tick the consent box to apply.")])

    def application_data(self) -> ApplicationData:
        return ApplicationData(
            legal_name=self.legal_name.data.strip(),
            date_of_birth=self.date_of_birth.data,
            national_id=self.national_id.data,
            monthly_income_cents=to_minor_units(self.monthly_income.data),
            income_source=self.income_source.data,
            employment_months=self.employment_months.data,
            housing=self.housing.data,
            other_installment_plans=self.other_installment_plans.data,
            savings_band=self.savings_band.data,
            checking_band=self.checking_band.data,
            residence_years=self.residence_years.data,
            billing_region=self.billing_region.data,
            existing_monthly_debt_cents=to_minor_units(self.existing_monthly_debt.data or 0),
            consent=self.consent.data,
        )


class AcceptOfferForm(FlaskForm):
    checkout_key = HiddenField(validators=[DataRequired()])
    product = HiddenField(validators=[DataRequired()])
    setup_intent_id = HiddenField()
    accept = BooleanField(
        "I have read the loan agreement and the disclosure, and I accept them.",
        validators=[DataRequired(message="Tick the box to accept the agreement.")],
    )
    signature = StringField("Type your full legal name to sign", validators=[DataRequired(), Length(max=120)])
