"""Merchant refunds (pure): reversing what a sale booked in proportion.

The loan side of a refund (principal down from the last installment back,
interest on the refunded part stopping, the overpayment owed back) is
``credit.servicing.apply_refund``.  What is booked in proportion to the
price (the merchant discount, the promo subsidy, a card sale's discount) is
reversed in proportion to what is refunded, computed on the cumulative
refund, so refunds in sequence reverse exactly the whole once everything is
refunded.
"""

from __future__ import annotations

from credit.errors import CreditInputError
from credit.money import div_round, require_cents


def proportional_share(total_cents: int, whole_cents: int, refunded_before_cents: int, refund_cents: int) -> int:
    """The part of ``total_cents`` (booked on a sale of ``whole_cents``) that a
    refund of ``refund_cents`` reverses, after ``refunded_before_cents`` were
    refunded already.  Computed on the cumulative refund and rounded once
    (half up), so the shares of refunds in sequence add up to exactly
    ``total_cents`` when the whole sale is refunded."""
    require_cents(total_cents, "total_cents")
    require_cents(whole_cents, "whole_cents", minimum=1)
    require_cents(refunded_before_cents, "refunded_before_cents")
    require_cents(refund_cents, "refund_cents")
    if refunded_before_cents + refund_cents > whole_cents:
        raise CreditInputError("refund_cents", "refunds cannot exceed the sale")
    after = div_round(total_cents * (refunded_before_cents + refund_cents), whole_cents)
    return after - div_round(total_cents * refunded_before_cents, whole_cents)
