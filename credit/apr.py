"""Annual percentage rate by the actuarial method of Regulation Z Appendix J.

The APR is the nominal annual rate ``i * unit_periods_per_year`` where the
unit-period rate ``i`` solves the general equation of Appendix J (b)(8) for
a single advance::

    amount_financed = sum_k  P_k / ((1 + f_k * i) * (1 + i) ** t_k)

``t_k`` is the number of whole unit periods and ``f_k`` the fraction of a
unit period between the advance and payment ``k``, counted back from the
payment date (Appendix J (b)(4)-(5)): odd days earn simple interest.

Fractions of a unit period (Appendix J (b)(5)(ii)-(v)): a month is 30 days
and a semimonth 15 ((ii), (iii)); for a multi-month unit period the leftover
whole months count 30 days each plus the actual odd days (e.g. 52/60 of a
2-month unit, (iii)); day- and week-based unit periods use their own length
((iv)).  A year is counted back in whole years of 12 months; what remains is
the number of months over 12 when it is a whole number of months, otherwise
its actual days over 365 ((v)(A)/(B): 18 months is 1 + 6/12, not
1 + 181/365, Appendix J (c)(5)(iii)).
Counting back by months keeps the payment's day of month, clamped to month
end; a payment on a clamped month end (Feb 28 in a schedule due on the 31st)
counts back to the schedule's day of month.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Final

from credit.errors import CreditInputError
from credit.money import require_cents, round_decimal
from credit.schedule import add_months, count_back_months, is_month_end

Payment = tuple[date, int]
"""``(due_on, amount_cents)``."""

APR_PLACES: Final = 6
"""The unrounded APR is returned with 6 decimals (percent), rounded half up."""

_TOLERANCE: Final = 1e-13


@dataclass(frozen=True, slots=True)
class UnitPeriod:
    """A unit period: ``kind`` is ``"months"``, ``"semimonth"`` or ``"days"``."""

    kind: str
    length: int

    @property
    def per_year(self) -> float:
        """Unit periods in a year: 12 months, 24 semimonths, 52 weeks, 365 days
        (so 26 for "2 weeks" and 13 for "4 weeks", as in Appendix J)."""
        if self.kind == "months":
            return 12 / self.length
        if self.kind == "semimonth":
            return 24.0
        if self.length % 7 == 0:
            return 52 / (self.length // 7)
        return 365 / self.length

    @property
    def label(self) -> str:
        """The canonical name accepted by ``parse_unit_period``."""
        if self.kind == "semimonth":
            return "semimonth"
        if self.kind == "months":
            return {1: "month", 12: "year"}.get(self.length, f"{self.length} months")
        return {7: "week", 14: "2 weeks", 28: "4 weeks"}.get(self.length, f"{self.length} days")


_NAMED: Final = {
    "month": UnitPeriod("months", 1),
    "semimonth": UnitPeriod("semimonth", 1),
    "week": UnitPeriod("days", 7),
    "year": UnitPeriod("months", 12),
    "day": UnitPeriod("days", 1),
}
_MULTIPLE: Final = re.compile(r"^(\d+)\s+(month|week|day|year)s?$")


def parse_unit_period(text: str) -> UnitPeriod:
    """Parse ``"month"``, ``"semimonth"``, ``"2 weeks"``, ``"week"``, ``"4 weeks"``,
    ``"N months"``, ``"N days"`` or ``"year"`` (``"1 month"`` also works)."""
    cleaned = text.strip().lower()
    if cleaned in _NAMED:
        return _NAMED[cleaned]
    match = _MULTIPLE.match(cleaned)
    if match is None or int(match.group(1)) < 1:
        raise CreditInputError("unit_period", f"unknown unit period {text!r}")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "month" or unit == "year":
        months = count * (12 if unit == "year" else 1)
        if months > 12:
            raise CreditInputError("unit_period", f"must not exceed one year, got {text!r}")
        return UnitPeriod("months", months)
    days = count * (7 if unit == "week" else 1)
    if days > 365:
        raise CreditInputError("unit_period", f"must not exceed one year, got {text!r}")
    return UnitPeriod("days", days)


# ---------------------------------------------------------------- calendar steps


def _semimonth_back(day: date) -> date:
    """One semimonth earlier: 16th -> 1st, 1st -> 16th of the month before,
    month end -> 15th, 15th -> end of the month before."""
    if day.day == 15:
        return day.replace(day=1) - timedelta(days=1)
    if is_month_end(day) and day.day > 15:
        return day.replace(day=15)
    if day.day > 15:
        return day - timedelta(days=15)
    return add_months(day, -1, day.day + 15)


def semimonth_forward(day: date) -> date:
    """One semimonth later (inverse of ``_semimonth_back`` on 1/16 and 15/end)."""
    if day.day == 15:
        return add_months(day, 0, 31)
    if is_month_end(day) and day.day > 15:
        return add_months(day, 1, 15)
    if day.day < 15:
        return day + timedelta(days=15)
    return add_months(day, 1, day.day - 15)


def unit_period_dates(first_on: date, count: int, unit_period: str) -> list[date]:
    """``count`` dates one unit period apart, starting at ``first_on``.

    Month-based steps keep ``first_on``'s day of month (clamped); semimonths
    alternate 1st/16th or 15th/month end.
    """
    period = parse_unit_period(unit_period)
    if period.kind == "months":
        return [add_months(first_on, k * period.length) for k in range(count)]
    if period.kind == "days":
        return [first_on + timedelta(days=k * period.length) for k in range(count)]
    dates = [first_on]
    while len(dates) < count:
        dates.append(semimonth_forward(dates[-1]))
    return dates


# ---------------------------------------------------------------- t and f


def counting_day(day: date, schedule_day: int) -> int:
    """Day of month to count back with: a clamped month end counts back to
    the schedule's day of month."""
    return schedule_day if is_month_end(day) and day.day < schedule_day else day.day


def periods_between(advance_on: date, paid_on: date, period: UnitPeriod, schedule_day: int = 0) -> float:
    """``t + f``: whole unit periods plus the fraction of one between the
    advance and a payment, counted back from the payment date."""
    if period.kind == "days":
        whole, odd = divmod((paid_on - advance_on).days, period.length)
        return whole + odd / period.length
    anchor = counting_day(paid_on, schedule_day)
    months, landed = count_back_months(paid_on, advance_on, anchor)
    odd_days = (landed - advance_on).days
    if period.kind == "semimonth":
        halves = 2 * months
        back = _semimonth_back(landed)
        if back >= advance_on:
            halves, odd_days = halves + 1, (back - advance_on).days
        return halves + odd_days / 15
    whole, extra_months = divmod(months, period.length)
    if period.length == 12:  # (b)(5)(v): whole months over 12, anything else actual days over 365
        if odd_days == 0:
            return whole + extra_months / 12
        return whole + (add_months(paid_on, -12 * whole, anchor) - advance_on).days / 365
    return whole + (30 * extra_months + odd_days) / (30 * period.length)


# ---------------------------------------------------------------- unit period inference


def _calendar_months(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` if they are the same day of
    month (allowing month-end clamping), else 0."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day == earlier.day:  # the common case, without month-end checks
        return months if 1 <= months <= 12 else 0
    same_day = (is_month_end(later) and later.day < earlier.day) or (is_month_end(earlier) and later.day > earlier.day)
    return months if 1 <= months <= 12 and same_day else 0


def _is_semimonth_day(day: date) -> bool:
    return day.day in (1, 15, 16) or is_month_end(day)


def _interval_period(earlier: date, later: date) -> UnitPeriod:
    """The unit period one payment interval represents."""
    months = _calendar_months(earlier, later)
    if months:
        return UnitPeriod("months", months)
    days = (later - earlier).days
    if days != 14 and 13 <= days <= 17 and _is_semimonth_day(earlier) and _is_semimonth_day(later):
        return UnitPeriod("semimonth", 1)
    return UnitPeriod("days", min(max(days, 1), 365))


def infer_unit_period(advance_on: date, payment_dates: list[date]) -> UnitPeriod:
    """The unit period as Appendix J (b)(3) defines it.

    The most frequent interval between consecutive payments (ties: the
    shortest); a single payment uses the term, at most a year.  A schedule
    whose 13-17 day intervals are all semimonthly (1st/16th, 15th/end)
    is semimonthly even when some of them are exactly 14 days.
    """
    if len(payment_dates) == 1:
        term = _interval_period(advance_on, payment_dates[0])
        return UnitPeriod("months", 12) if term.kind == "days" and term.length >= 365 else term
    intervals = [_interval_period(a, b) for a, b in pairwise(payment_dates)]
    if any(p.kind == "semimonth" for p in intervals) and all(
        p.kind == "semimonth" or (p.kind == "days" and p.length == 14) for p in intervals
    ):
        return UnitPeriod("semimonth", 1)
    counts = Counter((p.kind, p.length) for p in intervals)  # tuples hash faster than dataclasses
    kind, length = max(counts, key=lambda key: (counts[key], UnitPeriod(*key).per_year))
    return UnitPeriod(kind, length)


# ---------------------------------------------------------------- solver


def _present_value(rate: float, terms: list[tuple[float, int, float]]) -> tuple[float, float]:
    """Present value of the payments at unit-period ``rate`` and its derivative."""
    value = slope = 0.0
    base = 1.0 + rate
    for amount, whole, fraction in terms:
        discounted = amount / ((1.0 + fraction * rate) * base**whole)
        value += discounted
        slope -= discounted * (fraction / (1.0 + fraction * rate) + whole / base)
    return value, slope


def _solve_unit_rate(amount: float, terms: list[tuple[float, int, float]]) -> float:
    """Newton's method on the general equation, with a bisection safeguard."""
    low, high = -0.99, 1.0
    while _present_value(high, terms)[0] > amount:
        high *= 2
        if high > 1e6:
            raise CreditInputError("payments", "no finite APR repays the amount financed")
    rate = (sum(a for a, _, _ in terms) / amount - 1) / max(sum(w + f for _, w, f in terms) / len(terms), 1e-9)
    rate = min(max(rate, low), high)
    for _ in range(100):
        value, slope = _present_value(rate, terms)
        error = value - amount
        if error > 0:
            low = rate
        else:
            high = rate
        step = error / slope if slope else 0.0
        candidate = rate - step
        if not low < candidate < high:
            candidate = (low + high) / 2
        if abs(candidate - rate) < _TOLERANCE:
            return candidate
        rate = candidate
    return rate


def annual_percentage_rate(
    amount_financed_cents: int, advance_on: date, payments: list[Payment], unit_period: str | None = None
) -> Decimal:
    """APR in percent (unrounded, 6 decimals) by the Appendix J actuarial method.

    ``payments`` are ``(due_on, amount_cents)`` pairs on or after
    ``advance_on``; ``unit_period`` is inferred from the dates when None.
    When the payments add up to the amount financed the APR is exactly 0.
    """
    require_cents(amount_financed_cents, "amount_financed_cents", minimum=1)
    if not payments:
        raise CreditInputError("payments", "must not be empty")
    ordered = sorted(payments)
    if ordered[0][0] < advance_on:
        raise CreditInputError("payments", "must not be due before advance_on")
    if not all(type(amount) is int and amount >= 0 for _, amount in ordered):
        raise CreditInputError("payments", "amounts must be int minor units >= 0")
    if sum(amount for _, amount in ordered) == amount_financed_cents:
        return round_decimal(Decimal(0), APR_PLACES)
    dates = [due_on for due_on, _ in ordered]
    period = parse_unit_period(unit_period) if unit_period else infer_unit_period(advance_on, dates)
    schedule_day = max(due_on.day for due_on in dates)
    terms = []
    for due_on, amount in ordered:
        time = periods_between(advance_on, due_on, period, schedule_day)
        whole = int(time + 1e-12)
        terms.append((float(amount), whole, max(time - whole, 0.0)))
    unit_rate = _solve_unit_rate(float(amount_financed_cents), terms)
    return round_decimal(Decimal(repr(unit_rate * period.per_year * 100)), APR_PLACES)
