"""Merchant refunds on a financed purchase (pure).

Rules (DESIGN.md "After the loan"):

* A refund reduces the loan's outstanding principal from the last
  installment backwards (``credit.servicing.reamortize``, ``"last_first"``).
* Interest on the refunded part stops at once: with an interest rate, every
  remaining installment's interest is recomputed on the new, lower declining
  balance; interest already paid is never taken back (an installment's
  interest is at least what was paid on it).
* Whatever the refund exceeds the outstanding principal by is what the
  shopper paid beyond the new balance: it goes back to their card.
* Amounts booked in proportion to the price (the merchant discount, the promo
  subsidy) are reversed in proportion to what is refunded, cumulatively, so
  refunds in sequence reverse exactly the whole once everything is refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credit.errors import CreditInputError
from credit.money import div_round, require_cents
from credit.schedule import Installment
from credit.servicing import reamortize


@dataclass(frozen=True, slots=True)
class OpenPart:
    """The unpaid principal of one installment, the interest scheduled on it
    and the part of that interest already paid."""

    number: int
    due_on: date
    principal_cents: int
    interest_cents: int
    paid_interest_cents: int = 0


@dataclass(frozen=True, slots=True)
class RowChange:
    """One installment after the refund: its unpaid principal and its
    (total) scheduled interest."""

    number: int
    principal_cents: int
    interest_cents: int


@dataclass(frozen=True, slots=True)
class LoanRefundPlan:
    rows: list[RowChange]
    principal_reduction_cents: int
    card_refund_cents: int


def plan_loan_refund(
    open_parts: list[OpenPart],
    refund_cents: int,
    *,
    annual_rate: Decimal | None = None,
    day_count: str = "30/360",
    period_start_on: date | None = None,
) -> LoanRefundPlan:
    """Apply a refund of ``refund_cents`` to a loan's open installments.

    ``open_parts`` are the installments with principal still unpaid, in due
    order; ``period_start_on`` is the start of the first one's period (the
    previous due date or the loan's start), needed when ``annual_rate`` is
    given.  ``principal_reduction + card_refund == refund`` always."""
    require_cents(refund_cents, "refund_cents", minimum=1)
    parts = [p for p in open_parts if p.principal_cents > 0]
    if not parts:
        return LoanRefundPlan([], 0, refund_cents)
    balance = sum(p.principal_cents for p in parts)
    rows: list[Installment] = []
    for p in parts:
        balance -= p.principal_cents
        rows.append(Installment(p.number, p.due_on, p.principal_cents, p.interest_cents, 0, 0, balance))
    rate = annual_rate if annual_rate else None
    result = reamortize(
        rows, refund_cents, "last_first", annual_rate=rate, day_count=day_count, period_start_on=period_start_on
    )
    changes = [
        RowChange(p.number, new.principal_cents, max(new.interest_cents, p.paid_interest_cents))
        for p, new in zip(parts, result.installments, strict=True)
    ]
    return LoanRefundPlan(changes, result.applied_cents, result.refund_due_cents)


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
