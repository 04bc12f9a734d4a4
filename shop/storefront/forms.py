"""Cart forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
)
from wtforms.validators import DataRequired, NumberRange


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
