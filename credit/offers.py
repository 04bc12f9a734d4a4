"""Offers: which products a cart can be financed with, and their schedules.

Eligibility (cheap, inside the decision): the cart's most restrictive scene,
the tier and the cart total pick the enabled catalog rows whose amount range
holds the total; a promotion needs every line's merchant to have opted in to
that promotion's term. An offer whose amount financed exceeds the available
credit is dropped, unless the policy allows a larger down payment (up to its
maximum percent) that brings it within the available credit; pay-in-4 has
four fixed parts and is never topped up.

Building an offer (when a page shows it) adds the schedule from
``credit.schedule`` and the Regulation Z disclosure from ``credit.disclosure``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from credit.disclosure import Disclosure, build_disclosure
from credit.money import div_round, percent_of, require_cents
from credit.policy import OfferRow, Policy
from credit.schedule import (
    Installment,
    level_payment_schedule,
    monthly_payment_cents,
    pay_in_4_parts,
    pay_in_4_schedule,
    promo_schedule,
)


@dataclass(frozen=True, slots=True)
class CartLine:
    """One cart line: its scene, line total, and the promotion terms (months)
    its merchant opted in to for that listing."""

    scene: str
    amount_cents: int
    promo_months: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        require_cents(self.amount_cents, "amount_cents")
        if not isinstance(self.promo_months, tuple):
            object.__setattr__(self, "promo_months", tuple(self.promo_months))


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[CartLine, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.lines, tuple):
            object.__setattr__(self, "lines", tuple(self.lines))

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def scenes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.scene for line in self.lines))

    @property
    def promo_months(self) -> frozenset[int]:
        """Promotion terms every line's merchant opted in to."""
        if not self.lines:
            return frozenset()
        common = set(self.lines[0].promo_months)
        for line in self.lines[1:]:
            common &= set(line.promo_months)
        return frozenset(common)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": [
                {"scene": ln.scene, "amount_cents": ln.amount_cents, "promo_months": list(ln.promo_months)}
                for ln in self.lines
            ]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cart:
        return cls(
            tuple(CartLine(ln["scene"], ln["amount_cents"], tuple(ln.get("promo_months", ()))) for ln in data["lines"])
        )


@dataclass(frozen=True, slots=True)
class OfferTerms:
    """An eligible product for this cart and decision (no schedule yet)."""

    product: str
    months: int
    apr_percent: Decimal
    down_payment_percent: Decimal
    down_payment_cents: int
    financed_cents: int
    topped_up: bool  # down payment raised to fit the available credit

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "months": self.months,
            "apr_percent": str(self.apr_percent),
            "down_payment_percent": str(self.down_payment_percent),
            "down_payment_cents": self.down_payment_cents,
            "financed_cents": self.financed_cents,
            "topped_up": self.topped_up,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OfferTerms:
        return cls(
            data["product"],
            data["months"],
            Decimal(data["apr_percent"]),
            Decimal(data["down_payment_percent"]),
            data["down_payment_cents"],
            data["financed_cents"],
            data["topped_up"],
        )


@dataclass(frozen=True, slots=True)
class Offer:
    terms: OfferTerms
    schedule: tuple[Installment, ...]
    disclosure: Disclosure

    @property
    def product(self) -> str:
        return self.terms.product

    @property
    def monthly_payment_cents(self) -> int:
        """The regular payment (the first financed installment)."""
        return next(row.total_cents for row in self.schedule if row.kind != "down_payment")


def _terms_for_row(row: OfferRow, amount_cents: int, available_cents: int, policy: Policy) -> OfferTerms | None:
    if row.kind == "pay_in_4":
        down = pay_in_4_parts(amount_cents)[0]
        if amount_cents - down > available_cents:
            return None
        return OfferTerms(row.product, row.months, row.apr_percent, Decimal(0), down, amount_cents - down, False)
    percent = row.down_payment_percent
    down = percent_of(amount_cents, percent)
    topped_up = False
    if amount_cents - down > available_cents:
        if not policy.top_up_enabled:
            return None
        needed = amount_cents - available_cents
        percent = Decimal(div_round(needed * 100, amount_cents, ROUND_CEILING))  # whole percent, rounded up
        if percent > policy.max_down_payment_percent:
            return None
        down, topped_up = percent_of(amount_cents, percent), True
    if amount_cents - down < row.months:  # below a cent per installment
        return None
    return OfferTerms(row.product, row.months, row.apr_percent, percent, down, amount_cents - down, topped_up)


def eligible_terms(
    policy: Policy,
    scene: str,
    tier: str,
    amount_cents: int,
    available_cents: int,
    promo_months: frozenset[int] = frozenset(),
) -> tuple[OfferTerms, ...]:
    """Offers allowed for ``amount_cents`` in ``scene`` at ``tier`` within ``available_cents``."""
    terms = []
    for row in policy.offer_rows(scene, tier):
        if not row.min_amount_cents <= amount_cents <= row.max_amount_cents:
            continue
        if row.kind == "promo" and row.months not in promo_months:
            continue
        offer = _terms_for_row(row, amount_cents, available_cents, policy)
        if offer is not None:
            terms.append(offer)
    return tuple(terms)


def schedule_for(terms: OfferTerms, amount_cents: int, start_on: date) -> list[Installment]:
    """The repayment schedule of an offer for a cash price of ``amount_cents``."""
    if terms.product == "pay_in_4":
        return pay_in_4_schedule(amount_cents, start_on)
    if terms.product.startswith("promo_"):
        return promo_schedule(amount_cents, terms.months, start_on, down_payment_percent=terms.down_payment_percent)
    return level_payment_schedule(
        amount_cents, terms.apr_percent / 100, terms.months, start_on, down_payment_percent=terms.down_payment_percent
    )


def build_offer(terms: OfferTerms, amount_cents: int, start_on: date) -> Offer:
    schedule = schedule_for(terms, amount_cents, start_on)
    disclosure = build_disclosure(schedule, start_on, cash_price_cents=amount_cents)
    return Offer(terms, tuple(schedule), disclosure)


def build_offers(decision: Any, cart: Cart | None, start_on: date) -> list[Offer]:
    """The offers of an approved :class:`~credit.engine.Decision`, each with
    schedule and disclosure, for its cart (or requested amount). Empty unless
    approved."""
    if decision.outcome != "approved":
        return []
    amount = cart.total_cents if cart is not None else decision.amount_cents
    return [build_offer(terms, amount, start_on) for terms in decision.offers]


@dataclass(frozen=True, slots=True)
class Teaser:
    """An "as low as" example for advertising (Regulation Z 1026.24(d)): the
    monthly payment is a triggering term, so it is shown with the number of
    payments, the APR (in percent, ``Decimal("9.99")``) and the down payment:
    "as low as $X/mo for N months at Y% APR"."""

    monthly_cents: int
    months: int
    apr: Decimal
    down_payment_cents: int


def teaser(
    amount_cents: int, scenes: str | Sequence[str], policy: Policy, promo_months: Collection[int] = ()
) -> Teaser | None:
    """The "as low as" example for a listing or a cart, with no credit check.

    The lowest regular monthly payment over the enabled monthly products (and
    the promotions in ``promo_months``, the terms every merchant opted in to)
    of the best tier for ``amount_cents`` in the most restrictive of
    ``scenes`` (an unknown scene counts as the policy's fallback), after that
    row's down payment.  ``None`` when no monthly product finances the amount.
    Pay-in-4 is not monthly and is not counted.  A listing passes its scene,
    price x quantity and its promotion terms; a cart its scenes, total and
    ``Cart.promo_months``.
    """
    require_cents(amount_cents, "amount_cents")
    scene = policy.effective_scene([scenes] if isinstance(scenes, str) else list(scenes))
    best: Teaser | None = None
    for row in policy.offer_rows(scene, policy.tiers[0].tier):
        if row.kind == "pay_in_4" or not row.min_amount_cents <= amount_cents <= row.max_amount_cents:
            continue
        if row.kind == "promo" and row.months not in promo_months:
            continue
        down = percent_of(amount_cents, row.down_payment_percent)
        if amount_cents - down < row.months:
            continue
        monthly = monthly_payment_cents(amount_cents - down, row.apr_percent / 100, row.months)
        candidate = Teaser(monthly, row.months, row.apr_percent, down)
        if best is None or (monthly, row.apr_percent, row.months) < (best.monthly_cents, best.apr, best.months):
            best = candidate
    return best


def teaser_monthly_cents(
    amount_cents: int, scene: str, policy: Policy, promo_months: tuple[int, ...] = ()
) -> int | None:
    """The monthly payment of :func:`teaser` (kept for callers that show only the amount)."""
    example = teaser(amount_cents, scene, policy, promo_months)
    return example.monthly_cents if example else None
