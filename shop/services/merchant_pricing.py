"""What a merchant pays us per sale, from the active policy's pricing section
(credit.pricing): the discount rate by payment type (card, pay-in-4,
installments, promo) and a 0 % promotion's subsidy by term.  The merchant
portal reads rates only here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from credit.money import percent_of
from credit.pricing import discount_rates
from credit.schedule import equal_parts
from shop.models import PROMO_TERMS
from shop.models.base import DbSession
from shop.services import policies


def rates(s: DbSession, product: str | None) -> tuple[Decimal, Decimal]:
    """(discount percent, promo subsidy percent) of a sale of `product` (None or "card": paid in full)."""
    _, policy = policies.active(s)
    return discount_rates(product, policy)


def card_percent(s: DbSession) -> Decimal:
    return rates(s, "card")[0]


def sale_percent(s: DbSession, product: str | None) -> Decimal:
    """The whole discount rate of a sale: its discount plus any promo subsidy."""
    discount, subsidy = rates(s, product)
    return discount + subsidy


@dataclass(frozen=True)
class PromoCost:
    """What offering a 0 % promotion of `months` costs the merchant on one sale."""

    months: int
    subsidy_percent: Decimal
    total_percent: Decimal  # the promo discount + the subsidy
    subsidy_cents: int
    total_cents: int
    shopper_monthly_cents: int


def promo_costs(s: DbSession, price_cents: int, terms: tuple[int, ...] = PROMO_TERMS) -> list[PromoCost]:
    """Per term: the subsidy and whole discount on one sale at `price_cents`,
    and the shopper's 0 % monthly payment (the last one absorbs the cents)."""
    costs = []
    for months in terms:
        discount, subsidy = rates(s, f"promo_{months}")
        costs.append(
            PromoCost(
                months,
                subsidy,
                discount + subsidy,
                percent_of(price_cents, subsidy),
                percent_of(price_cents, discount + subsidy),
                equal_parts(price_cents, months)[0] if price_cents else 0,
            )
        )
    return costs
