"""Merchant pricing (pure): what the mall keeps from a sale and what it owes each merchant.

The rates are policy data (``Policy.pricing``, the ``pricing`` section of a
policy document, see ``credit.policy``): a merchant discount rate by payment
type (``card`` for a sale paid in full, ``pay_in_4``, ``installments`` for
``monthly_N``, ``promo`` for ``promo_N``), and for a merchant-funded 0 %
promotion a subsidy by term that the merchant pays instead of the shopper
paying interest.  A policy stored before pricing was data prices as the shop
did then (``credit.policy.LEGACY_PRICING``), so an old order re-priced under
its policy version gives the same figures.

Rounding: the discount and the subsidy are each ``percent_of`` the order
total (rounded once, half up); the rest is split over the merchants in
proportion to their line totals (largest remainder,
``credit.money.allocate_by_weights``), so nets + discount + subsidy is the
order total exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from credit.errors import CreditInputError
from credit.money import allocate_by_weights, percent_of, require_cents
from credit.policy import PRODUCTS, Policy, product_kind, product_months

CARD = "card"
"""The payment type of a sale paid in full by card (``product=None`` also means it)."""


@dataclass(frozen=True, slots=True)
class MerchantSplit:
    """How an order total is divided: ``nets`` are ``(merchant_id, net payable cents)``
    in the order the merchants first appear; ``discount_cents`` is the merchant
    discount the mall keeps, ``subsidy_cents`` the promotion subsidy."""

    nets: tuple[tuple[int, int], ...]
    discount_cents: int
    subsidy_cents: int

    @property
    def total_cents(self) -> int:
        """The order total: every net plus the discount and the subsidy."""
        return sum(net for _, net in self.nets) + self.discount_cents + self.subsidy_cents


def payment_type(product: str | None) -> str:
    """The pricing payment type of a product: ``card`` (None or ``"card"``),
    ``pay_in_4``, ``installments`` (``monthly_N``) or ``promo`` (``promo_N``)."""
    if product is None or product == CARD:
        return CARD
    if product not in PRODUCTS:
        raise CreditInputError("product", f"must be None, {CARD!r} or one of {', '.join(PRODUCTS)}, got {product!r}")
    kind = product_kind(product)
    return "installments" if kind == "monthly" else kind


def discount_rates(product: str | None, policy: Policy) -> tuple[Decimal, Decimal]:
    """``(merchant discount percent, promotion subsidy percent)`` for a sale of ``product``."""
    kind = payment_type(product)
    subsidy = Decimal(0)
    if kind == "promo" and product is not None:
        subsidy = policy.pricing.promo_subsidy_percent.get(product_months(product), Decimal(0))
    return policy.pricing.discount_percent[kind], subsidy


def merchant_split(
    order_total_cents: int, merchant_line_totals: list[tuple[int, int]], product: str | None, policy: Policy
) -> MerchantSplit:
    """Split an order total into the merchant discount, the promotion subsidy
    and each merchant's net payable.

    ``merchant_line_totals`` are ``(merchant_id, line_total_cents)`` pairs, one
    per order line (a merchant may have several); ``product`` is the financing
    product (``None`` or ``"card"`` for a card sale).  Discount and subsidy are
    percentages of ``order_total_cents``, rounded once half up; the nets are
    what remains, in proportion to each merchant's line totals, and sum to it
    exactly.
    """
    require_cents(order_total_cents, "order_total_cents")
    if not merchant_line_totals:
        raise CreditInputError("merchant_line_totals", "must name at least one merchant")
    totals: dict[int, int] = {}
    for merchant_id, line_total in merchant_line_totals:
        totals[merchant_id] = totals.get(merchant_id, 0) + require_cents(line_total, "merchant_line_totals")
    discount_percent, subsidy_percent = discount_rates(product, policy)
    discount = percent_of(order_total_cents, discount_percent)
    subsidy = percent_of(order_total_cents, subsidy_percent)
    payable = order_total_cents - discount - subsidy
    if not any(totals.values()):
        if payable:
            raise CreditInputError("merchant_line_totals", "all zero, but the order total is not")
        nets = [0] * len(totals)
    else:
        nets = allocate_by_weights(payable, list(totals.values()))
    return MerchantSplit(tuple(zip(totals, nets, strict=True)), discount, subsidy)
