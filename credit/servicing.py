"""Servicing math (pure): refunds, payment holidays, and the legacy helpers.

Interest, payments, the payoff quote and the schedule after a payment are
the daily simple interest model in ``credit.interest``; allocation of a
payment over buckets and installments is ``credit.allocation``.  This module
adds what happens to that loan state besides payments:

* **Refunds** (:func:`apply_refund`): a merchant refund lowers the price, so
  it lowers the principal, on the refund day.  Interest up to that day was
  earned on the balance then outstanding and stays; the installments are cut
  from the last backwards (``"last_first"``: the next ones keep their
  amounts and the loan ends sooner) or evenly (``"even"``).  Anything the
  shopper already paid beyond the new balance (the refund minus the
  outstanding principal) goes back to their card.  A refund that covers the
  whole outstanding principal closes the loan; interest and fees not yet
  paid are then waived, as the goods went back.
* **Payment holidays** (:func:`defer_installment`): one installment and
  every later one fall due a period later; amounts are unchanged.

``accrued_interest_cents`` and ``reamortize`` serve the installment-row
model ``shop/lending.py`` still uses; they compute interest with the same
rule (``credit.schedule.simple_interest_cents``) and go once the shop uses
``credit.interest``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from credit.apr import UnitPeriod, counting_day, infer_unit_period, parse_unit_period, semimonth_forward
from credit.errors import CreditInputError
from credit.interest import LoanState, accrue, reproject
from credit.money import require_cents, split_evenly
from credit.schedule import (
    KIND_DOWN_PAYMENT,
    Installment,
    add_months,
    check_day_count,
    check_rate,
    period_days,
    simple_interest_cents,
    year_basis,
)

STRATEGIES: Final = ("last_first", "even")


def accrued_interest_cents(
    principal_cents: int, annual_rate: Decimal, from_on: date, to_on: date, day_count: str = "actual/365"
) -> int:
    """Simple interest on ``principal_cents`` for the days after ``from_on`` up
    to and including ``to_on``, rounded once half up; 0 if ``to_on <= from_on``.
    (Legacy: ``credit.interest.accrued_interest`` on a loan state is the model.)"""
    require_cents(principal_cents, "principal_cents")
    check_rate(annual_rate)
    check_day_count(day_count)
    if to_on <= from_on:
        return 0
    days = period_days(from_on, to_on, day_count)
    return simple_interest_cents(principal_cents * days, annual_rate, year_basis(day_count))


# ---------------------------------------------------------------- refunds


@dataclass(frozen=True, slots=True)
class Reamortization:
    """Result of a principal reduction: the new installments, how much of the
    reduction they absorbed, and the excess to refund to the shopper."""

    installments: list[Installment]
    applied_cents: int
    refund_due_cents: int


def _cuts_last_first(principals: list[int], amount: int) -> list[int]:
    cuts = [0] * len(principals)
    for index in reversed(range(len(principals))):
        cuts[index] = min(amount, principals[index])
        amount -= cuts[index]
    return cuts


def _cuts_even(principals: list[int], amount: int) -> list[int]:
    """Equal cuts (odd cents to the latest installments), capped at each
    installment's principal, the excess spread again over the others."""
    cuts = [0] * len(principals)
    while amount > 0:
        open_rows = [i for i, principal in enumerate(principals) if cuts[i] < principal]
        shares = split_evenly(amount, len(open_rows))[::-1]
        for index, share in zip(open_rows, shares, strict=True):
            take = min(share, principals[index] - cuts[index])
            cuts[index] += take
            amount -= take
    return cuts


def _recomputed_interest(
    rows: list[Installment],
    balances: list[int],
    annual_rate: Decimal | None,
    day_count: str,
    period_start_on: date | None,
) -> list[int]:
    if annual_rate is None:
        return [row.interest_cents for row in rows]
    check_rate(annual_rate)
    check_day_count(day_count)
    if period_start_on is None:
        raise CreditInputError("period_start_on", "is required when annual_rate is given")
    basis = year_basis(day_count)
    starts = [period_start_on] + [row.due_on for row in rows[:-1]]
    return [
        simple_interest_cents(balance * period_days(start, row.due_on, day_count), annual_rate, basis)
        for row, balance, start in zip(rows, balances, starts, strict=True)
    ]


def reamortize(
    remaining_installments: list[Installment],
    reduction_cents: int,
    strategy: str = "last_first",
    *,
    annual_rate: Decimal | None = None,
    day_count: str = "30/360",
    period_start_on: date | None = None,
) -> Reamortization:
    """Reduce the principal of the remaining (unpaid) installments by a refund
    (legacy installment-row model; :func:`apply_refund` is the loan-state one).

    ``"last_first"`` cuts the last installment's principal to zero, then the
    one before, and so on; ``"even"`` cuts every installment by the same
    amount (capped at its principal).  Zeroed installments stay in the list
    with total 0 so numbering is stable.  Interest is kept as scheduled unless
    ``annual_rate`` is given, in which case each installment's interest is
    recomputed on the new declining balance from ``period_start_on`` (the
    start of the first remaining period).  The part of the reduction above
    the outstanding principal is ``refund_due_cents``.
    """
    require_cents(reduction_cents, "reduction_cents")
    if strategy not in STRATEGIES:
        raise CreditInputError("strategy", f"must be one of {STRATEGIES}, got {strategy!r}")
    rows = [row for row in remaining_installments if row.kind != KIND_DOWN_PAYMENT]
    if not rows:
        raise CreditInputError("remaining_installments", "must contain at least one installment")
    principals = [row.principal_cents for row in rows]
    applied = min(reduction_cents, sum(principals))
    cuts = (_cuts_last_first if strategy == "last_first" else _cuts_even)(principals, applied)
    balance = rows[0].balance_cents + rows[0].principal_cents - applied
    opening: list[int] = []
    for principal, cut in zip(principals, cuts, strict=True):
        opening.append(balance)
        balance -= principal - cut
    interest = _recomputed_interest(rows, opening, annual_rate, day_count, period_start_on)
    result = [
        Installment(
            row.number,
            row.due_on,
            row.principal_cents - cut,
            owed,
            row.fee_cents,
            row.principal_cents - cut + owed + row.fee_cents,
            start - (row.principal_cents - cut),
            row.kind,
        )
        for row, cut, owed, start in zip(rows, cuts, interest, opening, strict=True)
    ]
    return Reamortization(result, applied, reduction_cents - applied)


def apply_refund(
    state: LoanState, refund_cents: int, strategy: str = "last_first", *, on: date
) -> tuple[LoanState, int]:
    """A merchant refund of ``refund_cents`` on ``on``: the new loan state and
    ``overpaid_cents``, what goes back to the shopper's card (see the module doc).

    Interest accrues to ``on`` on the balance before the refund; then the
    principal drops by the refund.  ``"last_first"`` keeps the remaining
    installments' amounts, so the loan ends sooner; ``"even"`` cuts every
    remaining installment's amount by an equal share (odd cents on the latest).
    Either way the installments are then re-projected (``credit.interest``).
    A refund of the whole outstanding principal or more closes the loan:
    ``overpaid_cents = refund - principal``, unpaid interest and fees waived.
    """
    require_cents(refund_cents, "refund_cents")
    if strategy not in STRATEGIES:
        raise CreditInputError("strategy", f"must be one of {STRATEGIES}, got {strategy!r}")
    if state.is_closed:
        raise CreditInputError("state", "the loan is closed")
    accrued = accrue(state, on)
    cut = min(refund_cents, accrued.principal_cents)
    reduced = replace(accrued, principal_cents=accrued.principal_cents - cut)
    if reduced.principal_cents == 0:
        return replace(reduced, unpaid_interest_cents=0, unpaid_fees_cents=0, installments=()), refund_cents - cut
    rows = list(reduced.installments)
    if strategy == "even" and rows:
        amounts = [row.amount_cents for row in rows]
        cuts = _cuts_even(amounts, min(cut, sum(amounts)))
        rows = [replace(row, amount_cents=row.amount_cents - taken) for row, taken in zip(rows, cuts, strict=True)]
    return reproject(replace(reduced, installments=tuple(rows))), 0


# ---------------------------------------------------------------- fee waiver


def waivable_fee_cents(fee_cents: int, paid_fee_cents: int) -> int:
    """Hardship relief: what waiving an installment's fee forgives, its unpaid
    part (a fee already paid is not refunded by a waiver)."""
    require_cents(fee_cents, "fee_cents")
    require_cents(paid_fee_cents, "paid_fee_cents")
    if paid_fee_cents > fee_cents:
        raise CreditInputError("paid_fee_cents", "cannot exceed fee_cents")
    return fee_cents - paid_fee_cents


# ---------------------------------------------------------------- payment holiday


def next_due_on(due_on: date, period: UnitPeriod, schedule_day: int) -> date:
    """The due date one unit period after ``due_on`` (months keep the
    schedule's day of month, clamped to month end)."""
    if period.kind == "days":
        return due_on + timedelta(days=period.length)
    if period.kind == "semimonth":
        return semimonth_forward(due_on)
    return add_months(due_on, period.length, counting_day(due_on, schedule_day))


def defer_installment(
    installments: list[Installment], number: int, unit_period: str | None = None
) -> list[Installment]:
    """Payment holiday: installment ``number`` and every later one fall due
    one period later; earlier ones and all amounts are unchanged.

    The period is ``unit_period`` or is inferred from the installments' due
    dates (at least two needed then).
    """
    numbers = [row.number for row in installments]
    if number not in numbers:
        raise CreditInputError("number", f"no installment number {number}")
    dates = [row.due_on for row in installments if row.kind != KIND_DOWN_PAYMENT]
    if unit_period is not None:
        period = parse_unit_period(unit_period)
    elif len(dates) >= 2:
        period = infer_unit_period(dates[0], dates)
    else:
        raise CreditInputError("unit_period", "is required when fewer than two installments are given")
    schedule_day = max(day.day for day in dates)
    return [
        row
        if row.number < number
        else Installment(
            row.number,
            next_due_on(row.due_on, period, schedule_day),
            row.principal_cents,
            row.interest_cents,
            row.fee_cents,
            row.total_cents,
            row.balance_cents,
            row.kind,
        )
        for row in installments
    ]
