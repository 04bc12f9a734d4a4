"""WTForms (Flask-WTF) forms: CSRF on every one, messages next to fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp

US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]


class LoginForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in")


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = StringField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=10, max=128, message="Use at least 10 characters.")]
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")]
    )


class AddToCartForm(FlaskForm):
    quantity = IntegerField(
        "Quantity",
        default=1,
        validators=[
            DataRequired(message="Enter a quantity."),
            NumberRange(min=1, max=99, message="Choose between 1 and 99."),
        ],
    )


class CartQuantityForm(FlaskForm):
    quantity = IntegerField("Quantity", validators=[NumberRange(min=0, max=99, message="Choose between 0 and 99.")])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""


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


# --- pay over time -------------------------------------------------------------


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


class CreditApplicationForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(min=2, max=120)])
    date_of_birth = DateField("Date of birth", validators=[DataRequired(message="Enter your date of birth.")])
    national_id = StringField(
        "Social Security number",
        validators=[DataRequired(), Regexp(r"^\d{3}-?\d{2}-?\d{4}$", message="Enter 9 digits, like 123-45-6789.")],
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


class AcceptOfferForm(FlaskForm):
    checkout_key = HiddenField(validators=[DataRequired()])
    product = HiddenField(validators=[DataRequired()])
    setup_intent_id = HiddenField()
    accept = BooleanField(
        "I have read the loan agreement and the disclosure, and I accept them.",
        validators=[DataRequired(message="Tick the box to accept the agreement.")],
    )
    signature = StringField("Type your full legal name to sign", validators=[DataRequired(), Length(max=120)])


class RepaymentForm(FlaskForm):
    payment_key = HiddenField(validators=[DataRequired()])
    setup_intent_id = HiddenField()
    kind = RadioField(
        "Pay",
        choices=[("next", "Amount due now"), ("amount", "Another amount"), ("payoff", "Pay off the loan")],
        default="next",
    )
    amount = DecimalField("Amount (USD)", places=2, validators=[Optional(), NumberRange(min=0.01)])
    card = RadioField("Card", choices=[("saved", "Card on file"), ("new", "A new card")], default="saved")


class AutopayForm(FlaskForm):
    autopay = HiddenField(validators=[DataRequired()])
