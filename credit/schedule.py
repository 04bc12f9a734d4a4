"""Repayment schedules: pay-in-4, level payment, equal principal, 0% promotion.

Conventions (see ``docs/credit_math.md``):

* Amounts are ``int`` minor units, rates ``Decimal`` fractions
  (``Decimal("0.0999")`` is 9.99 % a year), dates ``datetime.date``.
* Interest is simple interest on the declining balance for each period,
  ``balance * annual_rate * days / basis``, rounded once per period, half up.
* ``day_count`` is ``"30/360"`` (every regular month is 30 days; an odd first
  period counts its whole months as 30 days plus its remaining actual days) or
  ``"actual/365"`` (actual days, 365-day year, also in leap years).
* Monthly due dates keep the day of month of the first due date and clamp to
  month end: Jan 31 -> Feb 28 -> Mar 31 -> Apr 30.
* A down payment is the first installment (``kind="down_payment"``), due at
  checkout (``start_on``), with no interest; only the rest is amortized.
* ``Installment.number`` is the 1-based position in the schedule, down
  payment included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from credit.errors import CreditInputError
from credit.money import div_round, percent_of, rate_ratio, require_cents

MIN_TERM_MONTHS: Final = 3
MAX_TERM_MONTHS: Final = 36
"""Policy bounds on monthly terms (the product table offers 3-36 months)."""

MAX_ANNUAL_RATE: Final = Decimal(1)
"""Sanity ceiling on ``annual_rate`` (100 % a year); anything above is a bug."""

DAY_COUNTS: Final = ("30/360", "actual/365")
PAY_IN_4_INTERVAL: Final = timedelta(days=14)

KIND_DOWN_PAYMENT: Final = "down_payment"
KIND_INSTALLMENT: Final = "installment"


@dataclass(frozen=True, slots=True)
class Installment:
    """One scheduled payment. ``total_cents = principal + interest + fee``;
    ``balance_cents`` is the principal still owed after this payment."""

    number: int
    due_on: date
    principal_cents: int
    interest_cents: int
    fee_cents: int
    total_cents: int
    balance_cents: int
    kind: str = KIND_INSTALLMENT


# ---------------------------------------------------------------- dates

_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """Length of a month in the Gregorian calendar (fast ``calendar.monthrange``)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def is_month_end(day: date) -> bool:
    """True when ``day`` is the last day of its month."""
    return day.day == days_in_month(day.year, day.month)


def add_months(start: date, months: int, day_of_month: int | None = None) -> date:
    """``start`` moved by ``months`` calendar months (negative goes back).

    The day of month is ``day_of_month`` (default ``start.day``) clamped to
    the target month's length: ``add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)``.
    """
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    last = days_in_month(year, month + 1)
    day = day_of_month or start.day
    return date(year, month + 1, day if day < last else last)


def count_back_months(later: date, earlier: date, day_of_month: int | None = None) -> tuple[int, date]:
    """Whole calendar months between ``earlier`` and ``later`` counted back
    from ``later`` (Regulation Z Appendix J (b)(5) style), and the date the
    counting stopped on (``>= earlier``)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if months <= 0:
        return 0, later
    landed = add_months(later, -months, day_of_month)
    if landed < earlier:
        months -= 1
        landed = add_months(later, -months, day_of_month) if months else later
    return months, landed


def whole_months_back(later: date, earlier: date, day_of_month: int | None = None) -> int:
    """Whole calendar months that fit between ``earlier`` and ``later``,
    counted back from ``later``."""
    return count_back_months(later, earlier, day_of_month)[0]


def period_days(start: date, end: date, day_count: str, day_of_month: int | None = None) -> int:
    """Days of interest between ``start`` and ``end`` under ``day_count``.

    ``actual/365``: calendar days.  ``30/360``: whole months counted back from
    ``end`` are 30 days each; the remaining odd days are actual days.  So a
    regular month is always 30 and Feb 10 -> Apr 1 is 30 + 19 = 49.
    ``day_of_month`` is the schedule's due day, so that a clamped month end
    (Feb 28 in a schedule due on the 31st) still closes a whole month.
    """
    if day_count == "actual/365":
        return (end - start).days
    if day_of_month is None and is_month_end(end) and end.day < start.day:
        day_of_month = start.day  # Jan 31 -> Feb 28 is one whole month
    months, landed = count_back_months(end, start, day_of_month)
    return 30 * months + (landed - start).days


def year_basis(day_count: str) -> int:
    """Days in the interest year of ``day_count`` (360 or 365)."""
    return 360 if day_count == "30/360" else 365


def simple_interest_cents(balance_days: int, annual_rate: Decimal, basis: int = 365) -> int:
    """Simple interest on ``balance_days`` (principal cents x days) at
    ``annual_rate`` over a ``basis``-day year, rounded once half up: the one
    interest formula of ``credit/`` (schedules, servicing, refunds)."""
    numerator, denominator = rate_ratio(annual_rate)
    return div_round(balance_days * numerator, denominator * basis)


def monthly_due_dates(first_due_on: date, months: int, day_of_month: int) -> list[date]:
    """``months`` due dates a month apart, keeping ``day_of_month`` (clamped)."""
    return [add_months(first_due_on, k, day_of_month) for k in range(months)]


# ---------------------------------------------------------------- validation


def _check_date(value: object, field: str) -> date:
    if not isinstance(value, date):
        raise CreditInputError(field, f"must be a datetime.date, got {type(value).__name__}")
    return value


def check_rate(annual_rate: object, field: str = "annual_rate") -> Decimal:
    """Check that the annual rate is a ``Decimal`` fraction in [0, 1]."""
    if not isinstance(annual_rate, Decimal):
        raise CreditInputError(field, f"must be a Decimal fraction, got {type(annual_rate).__name__}")
    if not annual_rate.is_finite() or annual_rate < 0:
        raise CreditInputError(field, f"must be >= 0, got {annual_rate}")
    if annual_rate > MAX_ANNUAL_RATE:
        raise CreditInputError(field, f"must be a fraction <= {MAX_ANNUAL_RATE}, got {annual_rate}")
    return annual_rate


def check_day_count(day_count: str) -> str:
    """Check that ``day_count`` is one of ``DAY_COUNTS``."""
    if day_count not in DAY_COUNTS:
        raise CreditInputError("day_count", f"must be one of {DAY_COUNTS}, got {day_count!r}")
    return day_count


def _check_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int):
        raise CreditInputError("months", f"must be an int, got {type(months).__name__}")
    if not MIN_TERM_MONTHS <= months <= MAX_TERM_MONTHS:
        raise CreditInputError("months", f"must be between {MIN_TERM_MONTHS} and {MAX_TERM_MONTHS}, got {months}")
    return months


def _check_down_payment_percent(percent: Decimal | int) -> Decimal:
    if isinstance(percent, bool) or not isinstance(percent, (int, Decimal)):
        raise CreditInputError("down_payment_percent", f"must be an int or Decimal, got {type(percent).__name__}")
    value = Decimal(percent)
    if not value.is_finite() or not 0 <= value < 100:
        raise CreditInputError("down_payment_percent", f"must be >= 0 and < 100, got {percent}")
    return value


def _first_due(start_on: date, first_due_on: date | None) -> tuple[date, int]:
    """The first due date and the day of month later due dates keep."""
    _check_date(start_on, "start_on")
    if first_due_on is None:
        return add_months(start_on, 1), start_on.day
    _check_date(first_due_on, "first_due_on")
    if not start_on < first_due_on <= add_months(start_on, 2):
        raise CreditInputError("first_due_on", "must be after start_on and at most two months after it")
    return first_due_on, first_due_on.day


# ---------------------------------------------------------------- building blocks


@dataclass(frozen=True, slots=True)
class _Plan:
    """Validated common inputs of a monthly schedule."""

    start_on: date
    down_payment_cents: int
    financed_cents: int
    due_dates: list[date]
    days: list[int]
    basis: int

    @property
    def first_number(self) -> int:
        """Number of the first amortized installment (2 after a down payment)."""
        return 2 if self.down_payment_cents else 1


def _plan(
    principal_cents: int,
    months: int,
    start_on: date,
    first_due_on: date | None,
    day_count: str,
    down_payment_percent: Decimal | int,
) -> _Plan:
    require_cents(principal_cents, "principal_cents", minimum=1)
    _check_months(months)
    check_day_count(day_count)
    down = percent_of(principal_cents, _check_down_payment_percent(down_payment_percent))
    financed = principal_cents - down
    if financed < months:
        raise CreditInputError("principal_cents", f"amount financed {financed} is below one minor unit per installment")
    first, day_of_month = _first_due(start_on, first_due_on)
    due_dates = monthly_due_dates(first, months, day_of_month)
    days = [period_days(start_on, first, day_count, day_of_month)]
    previous = first
    for due_on in due_dates[1:]:
        days.append(30 if day_count == "30/360" else (due_on - previous).days)
        previous = due_on
    return _Plan(start_on, down, financed, due_dates, days, year_basis(day_count))


def _with_down_payment(plan: _Plan, installments: list[Installment]) -> list[Installment]:
    """Prefix the down payment (if any); ``_amortize`` already numbered the
    installments after it."""
    if not plan.down_payment_cents:
        return installments
    down = Installment(
        1, plan.start_on, plan.down_payment_cents, 0, 0, plan.down_payment_cents, plan.financed_cents, KIND_DOWN_PAYMENT
    )
    return [down, *installments]


def equal_parts(total_cents: int, count: int) -> list[int]:
    """``count`` equal parts rounded half up, the last absorbing the remainder.

    ``equal_parts(500000, 36)`` is 35 x 13889 and a last part of 13885.  If
    rounding up would leave the last part at zero or below (only for totals
    below about count**2 / 2), the parts are floored instead.
    """
    part = div_round(total_cents, count)
    if total_cents - part * (count - 1) <= 0:
        part = total_cents // count
    return [part] * (count - 1) + [total_cents - part * (count - 1)]


def _amortize(
    financed: int,
    rate: Decimal,
    days: list[int],
    basis: int,
    due_dates: list[date],
    principal_parts: list[int] | None,
    payment: int,
    first_number: int = 1,
) -> list[Installment]:
    """Run the declining balance: interest each period, then principal.

    With ``principal_parts`` the principal of each period is fixed (equal
    principal); otherwise each period pays ``payment`` in total and the last
    period pays the whole remaining balance (level payment).
    """
    balance = financed
    last = len(due_dates) - 1
    rows: list[Installment] = []
    for index, due_on in enumerate(due_dates):
        interest = simple_interest_cents(balance * days[index], rate, basis)
        if index == last:
            principal = balance
        elif principal_parts is not None:
            principal = principal_parts[index]
        else:
            principal = min(max(payment - interest, 0), balance)
        balance -= principal
        rows.append(Installment(index + first_number, due_on, principal, interest, 0, principal + interest, balance))
    return rows


def _growth(rate: Decimal, days: list[int], basis: int) -> tuple[int, list[int]]:
    """Each period's growth factor ``1 + rate*days/basis`` as ``g / scale`` (exact integers)."""
    numerator, denominator = rate_ratio(rate)
    scale = denominator * basis
    return scale, [scale + numerator * period for period in days]


def level_payment_cents(financed_cents: int, rate: Decimal, days: list[int], basis: int) -> int:
    """The level payment that repays ``financed_cents`` over periods of ``days``.

    Solves ``financed = payment * sum_k prod_{j<=k} 1/(1 + rate*days_j/basis)``,
    which is the closed-form annuity ``P*r / (1 - (1+r)**-n)`` when all
    periods are equal, exactly (integer ratios), rounded once half up.
    """
    if rate == 0:
        return div_round(financed_cents, len(days))
    scale, growth = _growth(rate, days, basis)
    # present value = top / bottom, by Horner from the last period: v_k = (1 + v_(k+1)) * scale / growth_k
    top, bottom = 0, 1
    for factor in reversed(growth):
        top, bottom = scale * (top + bottom), factor * bottom
    return div_round(financed_cents * bottom, top)


def _payment_step(drift: int, rate: Decimal, days: list[int], basis: int) -> int:
    """How many minor units of payment remove ``drift`` from the last installment:
    ``drift`` over the future value of one unit paid every period after the first."""
    scale, growth = _growth(rate, days[1:], basis)
    # future value = top / bottom, by Horner from the second period: w = 1 + growth_j / scale * w
    top, bottom = 1, 1
    for factor in growth:
        top, bottom = scale * bottom + factor * top, scale * bottom
    return div_round(drift * bottom, top)


# ---------------------------------------------------------------- public schedules


def level_payment_schedule(
    principal_cents: int,
    annual_rate: Decimal,
    months: int,
    start_on: date,
    first_due_on: date | None = None,
    day_count: str = "30/360",
    down_payment_percent: Decimal | int = 0,
) -> list[Installment]:
    """Level-payment (annuity) amortization on the declining balance.

    Every monthly installment has the same total except the last, which pays
    the remaining balance plus its interest; the level payment is chosen so
    that the last differs from the others by fewer minor units than there are
    installments (guaranteed up to 36 % a year; above that, for tiny amounts,
    one cent of payment can move the last installment by more, and the
    payment with the smallest difference is used).  Interest is rounded once per period (half up); an odd
    first period (``first_due_on`` not one month after ``start_on``) accrues
    interest for its actual length.  ``down_payment_percent`` % of the price
    is paid at checkout as installment 1 and only the rest is amortized.
    A first period so long that its interest exceeds the level payment
    (negative amortization) is refused.
    """
    rate = check_rate(annual_rate)
    plan = _plan(principal_cents, months, start_on, first_due_on, day_count, down_payment_percent)
    payment = level_payment_cents(plan.financed_cents, rate, plan.days, plan.basis)
    rows = _amortize(plan.financed_cents, rate, plan.days, plan.basis, plan.due_dates, None, payment, plan.first_number)
    if rows[0].interest_cents > payment:  # would need negative amortization
        raise CreditInputError(
            "first_due_on",
            "first period is too long for this rate and term: the first payment would not cover its interest",
        )
    best, best_drift = rows, abs(rows[-1].total_cents - payment)
    for _ in range(4):  # rounding drift is usually < months; nudge the payment if not
        drift = rows[-1].total_cents - payment
        if abs(drift) < months:
            break
        step = _payment_step(drift, rate, plan.days, plan.basis) or (1 if drift > 0 else -1)
        payment += step
        rows = _amortize(
            plan.financed_cents, rate, plan.days, plan.basis, plan.due_dates, None, payment, plan.first_number
        )
        if abs(rows[-1].total_cents - payment) < best_drift:
            best, best_drift = rows, abs(rows[-1].total_cents - payment)
    return _with_down_payment(plan, best)


def equal_principal_schedule(
    principal_cents: int,
    annual_rate: Decimal,
    months: int,
    start_on: date,
    first_due_on: date | None = None,
    day_count: str = "30/360",
    down_payment_percent: Decimal | int = 0,
) -> list[Installment]:
    """Equal-principal amortization: declining payments.

    Each installment repays the same principal (``equal_parts``: rounded half
    up, the last absorbing the remainder) plus the interest on the balance
    outstanding during its period, rounded once per period.  Dates, odd first
    period and down payment work as in ``level_payment_schedule``.
    """
    rate = check_rate(annual_rate)
    plan = _plan(principal_cents, months, start_on, first_due_on, day_count, down_payment_percent)
    parts = equal_parts(plan.financed_cents, months)
    rows = _amortize(plan.financed_cents, rate, plan.days, plan.basis, plan.due_dates, parts, 0, plan.first_number)
    return _with_down_payment(plan, rows)


def promo_schedule(
    principal_cents: int,
    months: int,
    start_on: date,
    first_due_on: date | None = None,
    down_payment_percent: Decimal | int = 0,
) -> list[Installment]:
    """0 % promotion: equal installments and no interest.

    ``equal_parts`` of the amount financed: rounded half up, the last
    installment absorbing the remainder ($5,000 over 36 months is 35 x
    $138.89 and a last $138.85).  The merchant funds the promotion, so the
    shopper's schedule carries no interest or fee.
    """
    plan = _plan(principal_cents, months, start_on, first_due_on, "30/360", down_payment_percent)
    parts = equal_parts(plan.financed_cents, months)
    rows = _amortize(
        plan.financed_cents, Decimal(0), plan.days, plan.basis, plan.due_dates, parts, 0, plan.first_number
    )
    return _with_down_payment(plan, rows)


def pay_in_4_parts(amount_cents: int) -> list[int]:
    """The four pay-in-4 payments: ``amount // 4`` each, the uneven cents on
    the first, which is paid at checkout (1003 -> 253, 250, 250, 250)."""
    require_cents(amount_cents, "amount_cents", minimum=4)
    base = amount_cents // 4
    return [amount_cents - 3 * base, base, base, base]


def pay_in_4_schedule(amount_cents: int, start_on: date) -> list[Installment]:
    """Pay-in-4: four 0 % payments 14 days apart, the first due at checkout.

    The payments are ``pay_in_4_parts``.  The first payment is made at
    checkout, so it is a down payment (``kind="down_payment"``) and the
    amount financed is the other three.
    """
    parts = pay_in_4_parts(amount_cents)
    _check_date(start_on, "start_on")
    rows: list[Installment] = []
    balance = amount_cents
    for index, part in enumerate(parts):
        balance -= part
        kind = KIND_DOWN_PAYMENT if index == 0 else KIND_INSTALLMENT
        rows.append(Installment(index + 1, start_on + PAY_IN_4_INTERVAL * index, part, 0, 0, part, balance, kind))
    return rows


def financed_installments(schedule: list[Installment]) -> list[Installment]:
    """The installments that repay credit (everything but the down payment)."""
    return [row for row in schedule if row.kind != KIND_DOWN_PAYMENT]


def monthly_payment_cents(principal_cents: int, annual_rate: Decimal, months: int) -> int:
    """Closed-form annuity payment ``P*r / (1 - (1+r)**-n)``, ``r = annual_rate/12``,
    rounded half up; for regular 30/360 periods it equals the schedule's level
    payment."""
    rate = check_rate(annual_rate)
    if rate == 0:
        return div_round(principal_cents, months)
    numerator, denominator = rate_ratio(rate)
    scale = 12 * denominator  # 1 + r = (scale + numerator) / scale
    grown = (scale + numerator) ** months
    return div_round(principal_cents * numerator * grown, scale * (grown - scale**months))
