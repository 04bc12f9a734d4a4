"""Cart forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    Form,
    IntegerField,
    SelectField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from credit.money import to_minor_units
from shop.services.catalog import ListingFilter


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


class SceneFilterForm(Form):
    """A scene page's sorting and filters: a GET form (it changes nothing, so no CSRF token)."""

    sort = SelectField(
        "Sort by",
        choices=[
            ("featured", "Featured"),
            ("price_low", "Price: low to high"),
            ("price_high", "Price: high to low"),
            ("newest", "Newest"),
        ],
        default="featured",
    )
    min_price = DecimalField(
        "Min price (USD)",
        places=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message="Enter 0 to 1,000,000.")],
        render_kw={"inputmode": "decimal"},
    )
    max_price = DecimalField(
        "Max price (USD)",
        places=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message="Enter 0 to 1,000,000.")],
        render_kw={"inputmode": "decimal"},
    )
    zero_percent = BooleanField("0% financing available")
    in_stock = BooleanField("In stock")

    def listing_filter(self) -> ListingFilter:
        low, high = self.min_price.data, self.max_price.data
        return ListingFilter(
            sort=self.sort.data,
            min_price_cents=to_minor_units(low) if low is not None else None,
            max_price_cents=to_minor_units(high) if high is not None else None,
            zero_percent=bool(self.zero_percent.data),
            in_stock=bool(self.in_stock.data),
        )
