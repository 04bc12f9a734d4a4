"""WTForms (Flask-WTF) forms: CSRF on every one, messages next to fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, Regexp

US_STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
    "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
]


class LoginForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in")


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = StringField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired(), Length(min=10, max=128, message="Use at least 10 characters.")])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])


class AddToCartForm(FlaskForm):
    quantity = IntegerField("Quantity", default=1, validators=[
        DataRequired(message="Enter a quantity."), NumberRange(min=1, max=99, message="Choose between 1 and 99.")])


class CartQuantityForm(FlaskForm):
    quantity = IntegerField("Quantity", validators=[
        NumberRange(min=0, max=99, message="Choose between 0 and 99.")])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""


class AddressForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    line1 = StringField("Address", validators=[DataRequired(), Length(max=200)])
    line2 = StringField("Apartment, suite (optional)", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    region = SelectField("State", choices=[("", "Choose…")] + [(s, s) for s in US_STATES],
                         validators=[DataRequired(message="Choose a state.")])
    postal_code = StringField("ZIP code", validators=[
        DataRequired(), Regexp(r"^\d{5}(-\d{4})?$", message="Enter a 5-digit ZIP code (or ZIP+4).")])


class PayForm(FlaskForm):
    checkout_key = HiddenField(validators=[DataRequired()])
    setup_intent_id = HiddenField()
    payment_intent_id = HiddenField()
