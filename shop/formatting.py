"""Display formatting of money with Babel (never by hand)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

_settings = {"locale": "en_US"}


def configure(locale: str) -> None:
    """The display locale (BABEL_LOCALE), set once by the app factory."""
    _settings["locale"] = locale


def format_money(cents: int, currency: str = "USD", locale: str | None = None) -> str:
    """Format integer minor units for display, e.g. 123456 USD -> "$1,234.56"."""
    return _format_money(int(cents), currency, locale or _settings["locale"])


@lru_cache(maxsize=8192)
def _format_money(cents: int, currency: str, locale: str) -> str:
    # A pure function of its arguments; Babel's pattern lookup and formatting
    # cost ~0.1 ms, and a store page formats the same prices over and over.
    digits = get_currency_precision(currency)
    return format_currency(Decimal(cents).scaleb(-digits), currency, locale=locale)


PAYMENT_KINDS = {
    "down_payment": "down payment",
    "next": "installment",
    "amount": "payment",
    "payoff": "payoff",
    "refund": "refund",
}


def product_name(product: str) -> str:
    """Plain words for an offer product code: "monthly_6" -> "6 monthly payments"."""
    if product == "pay_in_4":
        return "Pay in 4"
    kind, _, months = product.partition("_")
    if kind == "promo":
        return f"{months} months at 0% (promotion)"
    return f"{months} monthly payments"


def payment_kind(kind: str) -> str:
    return PAYMENT_KINDS.get(kind, kind.replace("_", " "))
