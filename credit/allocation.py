"""Payment allocation waterfall (pure).

A repayment of any amount is applied in this fixed order, each bucket filled
completely before the next one gets anything:

1. past-due fees        (late fees on installments due before today)
2. past-due interest
3. past-due principal
4. current fees         (the installment due today or next, not yet late)
5. current interest
6. current principal
7. future principal     (unbilled principal: an early repayment)

Whatever is left after the last bucket is ``unapplied_cents`` (an
overpayment to refund or hold as a credit).  Future interest is never a
bucket: it is not earned until time passes, so paying ahead reduces the
principal and the schedule is re-projected (``credit.interest``).

:func:`allocate_to_installments` then says which installment each bucket
lands on, so a servicing layer writes the result onto its rows without
running the waterfall again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Final

from credit.errors import CreditInputError
from credit.money import require_cents

WATERFALL: Final = (
    "past_due_fees_cents",
    "past_due_interest_cents",
    "past_due_principal_cents",
    "current_fees_cents",
    "current_interest_cents",
    "current_principal_cents",
    "future_principal_cents",
)
"""Bucket names in the order the waterfall fills them."""


@dataclass(frozen=True, slots=True)
class Buckets:
    """What the borrower owes, by bucket, in minor units."""

    past_due_fees_cents: int = 0
    past_due_interest_cents: int = 0
    past_due_principal_cents: int = 0
    current_fees_cents: int = 0
    current_interest_cents: int = 0
    current_principal_cents: int = 0
    future_principal_cents: int = 0

    @property
    def total_cents(self) -> int:
        """Everything owed across the buckets."""
        return sum(getattr(self, name) for name in WATERFALL)


@dataclass(frozen=True, slots=True)
class Allocation:
    """How a payment was split: one amount per bucket plus what is left over.

    ``sum(bucket amounts) + unapplied_cents == amount paid`` always.
    """

    past_due_fees_cents: int = 0
    past_due_interest_cents: int = 0
    past_due_principal_cents: int = 0
    current_fees_cents: int = 0
    current_interest_cents: int = 0
    current_principal_cents: int = 0
    future_principal_cents: int = 0
    unapplied_cents: int = 0

    @property
    def applied_cents(self) -> int:
        """The part of the payment that reduced something owed."""
        return sum(getattr(self, name) for name in WATERFALL)

    def as_pairs(self) -> list[tuple[str, int]]:
        """Non-zero ``(bucket, cents)`` pairs in waterfall order (journal legs)."""
        return [(name, getattr(self, name)) for name in WATERFALL if getattr(self, name)]

    def remaining(self, owed: Buckets) -> Buckets:
        """What is still owed in each bucket after this allocation."""
        return Buckets(**{name: getattr(owed, name) - getattr(self, name) for name in WATERFALL})


def allocate_payment(amount_cents: int, buckets: Buckets) -> Allocation:
    """Split ``amount_cents`` over ``buckets`` by the waterfall (see module doc)."""
    require_cents(amount_cents, "amount_cents")
    for item in fields(Buckets):
        require_cents(getattr(buckets, item.name), item.name)
    left = amount_cents
    split: dict[str, int] = {}
    for name in WATERFALL:
        take = min(left, getattr(buckets, name))
        split[name] = take
        left -= take
    return Allocation(**split, unapplied_cents=left)


@dataclass(frozen=True, slots=True)
class OpenInstallment:
    """The unpaid part of one installment, as a servicing layer stores it."""

    number: int
    due_on: date
    principal_cents: int
    interest_cents: int
    fee_cents: int = 0


def buckets_as_of(open_installments: list[OpenInstallment], as_of: date) -> Buckets:
    """Sort unpaid installment amounts into waterfall buckets on ``as_of``.

    Due before ``as_of``: past due.  The earliest one due on or after
    ``as_of``: current.  Later ones: only their principal, as future
    principal (their interest is not earned yet).
    """
    past = [row for row in open_installments if row.due_on < as_of]
    upcoming = sorted((row for row in open_installments if row.due_on >= as_of), key=lambda row: row.due_on)
    if any(row.principal_cents < 0 or row.interest_cents < 0 or row.fee_cents < 0 for row in open_installments):
        raise CreditInputError("open_installments", "amounts must be >= 0")
    current = upcoming[:1]
    return Buckets(
        past_due_fees_cents=sum(row.fee_cents for row in past),
        past_due_interest_cents=sum(row.interest_cents for row in past),
        past_due_principal_cents=sum(row.principal_cents for row in past),
        current_fees_cents=sum(row.fee_cents for row in current),
        current_interest_cents=sum(row.interest_cents for row in current),
        current_principal_cents=sum(row.principal_cents for row in current),
        future_principal_cents=sum(row.principal_cents for row in upcoming[1:]),
    )


@dataclass(frozen=True, slots=True)
class InstallmentPayment:
    """The part of one payment applied to installment ``number``."""

    number: int
    fee_cents: int = 0
    interest_cents: int = 0
    principal_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.fee_cents + self.interest_cents + self.principal_cents


_PARTS: Final = ("fee_cents", "interest_cents", "principal_cents")


def _fill(rows: list[OpenInstallment], part: str, amount: int, into: dict[int, dict[str, int]], bucket: str) -> None:
    """Apply ``amount`` of one part to ``rows`` in the given order, each up to what it owes."""
    for row in rows:
        take = min(amount, getattr(row, part) - into[row.number][part])
        into[row.number][part] += take
        amount -= take
    if amount:
        raise CreditInputError("allocation", f"{bucket} is {amount} more than those installments owe")


def allocate_to_installments(
    open_installments: Sequence[OpenInstallment], allocation: Allocation, as_of: date
) -> tuple[InstallmentPayment, ...]:
    """Where each bucket of ``allocation`` lands, installment by installment.

    The installments sort as in :func:`buckets_as_of`.  Past-due fees, then
    past-due interest, then past-due principal fill the installments due
    before ``as_of`` in due order; the current buckets fill the earliest one
    due on or after ``as_of``; future principal comes off the **last**
    installment first (a prepayment shortens the loan from the end).  Only
    installments that receive something are listed, in due order; their
    total is ``allocation.applied_cents``.  A bucket larger than what its
    installments owe is refused (``unapplied_cents`` is never placed).
    """
    rows = sorted(open_installments, key=lambda row: (row.due_on, row.number))
    if any(row.principal_cents < 0 or row.interest_cents < 0 or row.fee_cents < 0 for row in rows):
        raise CreditInputError("open_installments", "amounts must be >= 0")
    past = [row for row in rows if row.due_on < as_of]
    upcoming = [row for row in rows if row.due_on >= as_of]
    into = {row.number: dict.fromkeys(_PARTS, 0) for row in rows}
    for part, name in zip(_PARTS, WATERFALL[:3], strict=True):
        _fill(past, part, getattr(allocation, name), into, name)
    for part, name in zip(_PARTS, WATERFALL[3:6], strict=True):
        _fill(upcoming[:1], part, getattr(allocation, name), into, name)
    _fill(upcoming[1:][::-1], "principal_cents", allocation.future_principal_cents, into, "future_principal_cents")
    return tuple(InstallmentPayment(row.number, **into[row.number]) for row in rows if any(into[row.number].values()))
