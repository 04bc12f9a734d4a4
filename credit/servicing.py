"""Servicing math (pure): accrual, payoff, refunds, payment holidays.

Designed to be called by a loan-servicing layer with plain dataclasses: it
loads a loan's rows, builds ``Installment``/``LoanPosition`` values, calls
these functions, and writes the results back.  Nothing here touches a
database.  Allocation of repayments lives in ``credit.allocation``.

Rules:

* Interest accrues daily as simple interest on the outstanding principal,
  ``principal * rate * days / basis``, rounded once (half up) per quote.
* A payoff quote is outstanding principal + billed-but-unpaid interest +
  interest accrued to the payoff date + unpaid fees.  No prepayment penalty.
* A refund reduces principal either from the last installment backwards
  (``"last_first"``) or evenly over the remaining installments (``"even"``);
  anything beyond the outstanding principal is owed back to the shopper.
* A payment holiday moves one installment and every later one a period
  later; amounts are unchanged (the holiday itself is interest-free).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from credit.apr import UnitPeriod, counting_day, infer_unit_period, parse_unit_period, semimonth_forward
from credit.errors import CreditInputError
from credit.money import div_round, rate_ratio, require_cents, split_evenly
from credit.schedule import (
    KIND_DOWN_PAYMENT,
    Installment,
    add_months,
    check_day_count,
    check_rate,
    period_days,
    year_basis,
)

STRATEGIES: Final = ("last_first", "even")


# ---------------------------------------------------------------- accrual and payoff


def accrued_interest_cents(
    principal_cents: int, annual_rate: Decimal, from_on: date, to_on: date, day_count: str = "actual/365"
) -> int:
    """Simple interest on ``principal_cents`` for the days after ``from_on`` up
    to and including ``to_on``, rounded once half up; 0 if ``to_on <= from_on``."""
    require_cents(principal_cents, "principal_cents")
    check_rate(annual_rate)
    check_day_count(day_count)
    if to_on <= from_on:
        return 0
    numerator, denominator = rate_ratio(annual_rate)
    days = period_days(from_on, to_on, day_count)
    return div_round(principal_cents * numerator * days, denominator * year_basis(day_count))


@dataclass(frozen=True, slots=True)
class LoanPosition:
    """Where a loan stands: principal still owed, the date interest on it
    runs from, and interest and fees billed but not paid."""

    principal_cents: int
    interest_from_on: date
    unpaid_interest_cents: int = 0
    unpaid_fees_cents: int = 0


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """Amount that closes the loan if paid on ``as_of``."""

    as_of: date
    principal_cents: int
    interest_cents: int
    fees_cents: int
    total_cents: int


def position_from_schedule(
    schedule: list[Installment], advance_on: date, paid_count: int, as_of: date, unpaid_fees_cents: int = 0
) -> LoanPosition:
    """The position on ``as_of`` of a loan whose first ``paid_count`` financed
    installments are paid in full (down payments are always paid).

    Principal is the balance after the last paid installment; the interest
    of unpaid installments already due is billed-but-unpaid; interest on the
    principal runs from the latest due date reached (or the advance).
    """
    financed = [row for row in schedule if row.kind != KIND_DOWN_PAYMENT]
    if not 0 <= paid_count <= len(financed):
        raise CreditInputError("paid_count", f"must be between 0 and {len(financed)}, got {paid_count}")
    principal = financed[paid_count - 1].balance_cents if paid_count else sum(r.principal_cents for r in financed)
    reached = [row for row in financed if row.due_on <= as_of]
    paid_through = financed[paid_count - 1].due_on if paid_count else advance_on
    interest_from = max([paid_through] + [row.due_on for row in reached])
    unpaid_interest = sum(row.interest_cents for row in reached[paid_count:])
    return LoanPosition(
        principal, interest_from, unpaid_interest, require_cents(unpaid_fees_cents, "unpaid_fees_cents")
    )


def payoff_quote(
    position: LoanPosition, as_of: date, annual_rate: Decimal, day_count: str = "actual/365"
) -> PayoffQuote:
    """Payoff on ``as_of``: principal + unpaid interest + interest accrued from
    ``position.interest_from_on`` to ``as_of`` + unpaid fees; no penalty.

    Interest already paid for days after ``as_of`` (an installment paid
    early) is not rebated here; accrual is simply 0 in that case.
    """
    accrued = accrued_interest_cents(position.principal_cents, annual_rate, position.interest_from_on, as_of, day_count)
    interest = position.unpaid_interest_cents + accrued
    total = position.principal_cents + interest + position.unpaid_fees_cents
    return PayoffQuote(as_of, position.principal_cents, interest, position.unpaid_fees_cents, total)


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
    numerator, denominator = rate_ratio(annual_rate)
    denominator *= year_basis(day_count)
    starts = [period_start_on] + [row.due_on for row in rows[:-1]]
    return [
        div_round(balance * numerator * period_days(start, row.due_on, day_count), denominator)
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
    """Reduce the principal of the remaining (unpaid) installments by a refund.

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
