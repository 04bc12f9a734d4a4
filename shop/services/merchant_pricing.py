"""What a merchant pays us per sale: the discount rate by payment type.

The one place the rates are read: card sales, financed sales (installments)
and the extra subsidy of a merchant-funded 0 % promotion by term.  The rates
live beside the loan booking (shop/services/loans.py) until the policy's
pricing section (credit/pricing.py) lands; swap them here only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from credit.money import percent_of
from credit.schedule import equal_parts
from shop.models import PROMO_TERMS
from shop.services.loans import CARD_DISCOUNT_PERCENT, MERCHANT_DISCOUNT_PERCENT, PROMO_SUBSIDY_PERCENT


def card_percent() -> Decimal:
    return CARD_DISCOUNT_PERCENT


def financed_percent() -> Decimal:
    return MERCHANT_DISCOUNT_PERCENT


def promo_subsidy_percent(months: int) -> Decimal:
    return PROMO_SUBSIDY_PERCENT.get(months, Decimal(0))


def sale_percent(payment_kind: str, product: str | None) -> Decimal:
    """The whole discount rate of a sale: card, or financed (+ the promo subsidy)."""
    if payment_kind == "card":
        return card_percent()
    extra = promo_subsidy_percent(int(product.split("_")[1])) if product and product.startswith("promo_") else 0
    return financed_percent() + extra


@dataclass(frozen=True)
class PromoCost:
    """What offering a 0 % promotion of `months` costs the merchant on one sale."""

    months: int
    subsidy_percent: Decimal
    total_percent: Decimal  # the installment discount + the subsidy
    subsidy_cents: int
    total_cents: int
    shopper_monthly_cents: int


def promo_costs(price_cents: int, terms: tuple[int, ...] = PROMO_TERMS) -> list[PromoCost]:
    """Per term: the subsidy and whole discount on one sale at `price_cents`,
    and the shopper's 0 % monthly payment (the last one absorbs the cents)."""
    costs = []
    for months in terms:
        subsidy = promo_subsidy_percent(months)
        total = financed_percent() + subsidy
        costs.append(
            PromoCost(
                months,
                subsidy,
                total,
                percent_of(price_cents, subsidy),
                percent_of(price_cents, total),
                equal_parts(price_cents, months)[0],
            )
        )
    return costs
