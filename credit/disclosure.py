"""The Regulation Z "federal box" (12 CFR 1026.18) computed from a schedule.

Definitions used (1026.18 (b)-(h)):

* **Amount financed**: the credit provided, i.e. the principal of the
  installments after the down payment (no prepaid finance charges here).
* **Finance charge**: total of payments minus amount financed (interest and
  any scheduled fee).  A merchant-funded 0 % promotion has finance charge 0:
  the merchant's discount is not a charge the shopper pays.
* **Annual percentage rate**: Appendix J actuarial APR of the financed
  installments against the amount financed; 0 when the finance charge is 0.
* **Total of payments**: the sum of the financed installments.
* **Total sale price**: total of payments plus the down payment.
* **Payment schedule**: number, amount and timing of the payments, equal
  consecutive payments grouped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, NamedTuple

from credit.apr import APR_PLACES, annual_percentage_rate, infer_unit_period
from credit.errors import CreditInputError
from credit.money import from_minor_units, minor_digits, require_cents, round_decimal
from credit.schedule import KIND_DOWN_PAYMENT, Installment


def late_charge_text(grace_days: int, fee_fixed_cents: int, fee_percent: Decimal, cap_cents: int) -> str:
    """The late-charge term stated in full (1026.18(l)), not referred to: when the
    fee is charged, how much, and its cap.  The figures are the servicing
    policy's (grace days, the lesser of a fixed fee and a percent of the late
    payment, a cap per loan); US dollars."""
    return (
        f"If a payment is more than {grace_days} days late, you will be charged a late fee of "
        f"${from_minor_units(fee_fixed_cents):,} or {fee_percent}% of the late payment, whichever is less, "
        f"and no more than ${from_minor_units(cap_cents):,} in late fees over the life of this loan."
    )


# The launch servicing policy's terms: a 10-day grace period, $10 or 5 %, at most $40 a loan.
LATE_CHARGE_TEXT: Final = late_charge_text(10, 1000, Decimal("5"), 4000)
PREPAYMENT_TEXT: Final = (
    "If you pay off early, you will not have to pay a penalty, and you pay interest only up to the day you pay off."
)

_CADENCE_TEXT: Final = {
    "month": "monthly",
    "semimonth": "semimonthly",
    "week": "weekly",
    "2 weeks": "every 2 weeks",
    "4 weeks": "every 4 weeks",
    "year": "yearly",
}


class PaymentGroup(NamedTuple):
    """``count`` consecutive payments of ``amount_cents`` from ``first_due_on``."""

    count: int  # type: ignore[assignment]  # shadows tuple.count on purpose: the box says "number of payments"
    amount_cents: int
    first_due_on: date
    cadence: str


@dataclass(frozen=True, slots=True)
class Disclosure:
    """The federal box. ``apr`` is rounded to 2 decimals (half up) for display;
    ``apr_unrounded`` is the solver's value (6 decimals)."""

    amount_financed_cents: int
    finance_charge_cents: int
    apr: Decimal
    apr_unrounded: Decimal
    total_of_payments_cents: int
    total_sale_price_cents: int
    down_payment_cents: int
    payment_groups: tuple[PaymentGroup, ...]
    late_charge_text: str
    prepayment_text: str
    currency: str = "USD"

    @property
    def number_of_payments(self) -> int:
        """How many payments the shopper makes after the down payment."""
        return sum(group.count for group in self.payment_groups)


def cadence_text(dates: list[date], unit_period: str | None = None) -> str:
    """Plain words for how often payments at ``dates`` fall due
    (``unit_period``, when known, saves inferring it from the dates)."""
    if len(dates) == 1:
        return "single payment"
    label = unit_period or infer_unit_period(dates[0], dates).label
    return _CADENCE_TEXT.get(label, f"every {label}")


def payment_groups(installments: list[Installment], unit_period: str | None = None) -> tuple[PaymentGroup, ...]:
    """Group consecutive installments with equal totals (1026.18(g)); the
    cadence of a group is ``unit_period`` (the schedule's) or its own."""
    runs: list[list[Installment]] = []
    for row in installments:
        if runs and runs[-1][-1].total_cents == row.total_cents:
            runs[-1].append(row)
        else:
            runs.append([row])
    return tuple(
        PaymentGroup(len(run), run[0].total_cents, run[0].due_on, cadence_text([r.due_on for r in run], unit_period))
        for run in runs
    )


def _check_schedule(schedule: list[Installment], advance_on: date, currency: str) -> list[Installment]:
    minor_digits(currency)
    if not isinstance(advance_on, date):
        raise CreditInputError("advance_on", f"must be a datetime.date, got {type(advance_on).__name__}")
    financed = [row for row in schedule if row.kind != KIND_DOWN_PAYMENT]
    if not financed:
        raise CreditInputError("schedule", "must contain at least one financed installment")
    if financed[0].due_on < advance_on:
        raise CreditInputError("advance_on", "must not be after the first financed installment")
    return financed


def build_disclosure(
    schedule: list[Installment],
    advance_on: date,
    *,
    cash_price_cents: int | None = None,
    late_charge_text: str = LATE_CHARGE_TEXT,
    prepayment_text: str = PREPAYMENT_TEXT,
    currency: str = "USD",
) -> Disclosure:
    """Compute the federal box for ``schedule`` with credit advanced on ``advance_on``.

    Down-payment installments are not credit: they count toward the total
    sale price but not toward the amount financed or the total of payments.
    ``cash_price_cents``, when given, must equal down payment + amount
    financed (a cheap guard against disclosing the wrong schedule).
    """
    financed = _check_schedule(schedule, advance_on, currency)
    down_payment = sum(row.total_cents for row in schedule if row.kind == KIND_DOWN_PAYMENT)
    amount_financed = sum(row.principal_cents for row in financed)
    total_of_payments = sum(row.total_cents for row in financed)
    if cash_price_cents is not None:
        require_cents(cash_price_cents, "cash_price_cents")
        if cash_price_cents != down_payment + amount_financed:
            raise CreditInputError(
                "cash_price_cents",
                f"{cash_price_cents} is not down payment {down_payment} + amount financed {amount_financed}",
            )
    finance_charge = total_of_payments - amount_financed
    payments = [(row.due_on, row.total_cents) for row in financed]
    unit_period = infer_unit_period(advance_on, [due_on for due_on, _ in payments]).label  # once, for APR and groups
    if finance_charge == 0:
        exact = round_decimal(Decimal(0), APR_PLACES)
    else:
        exact = annual_percentage_rate(amount_financed, advance_on, payments, unit_period)
    return Disclosure(
        amount_financed_cents=amount_financed,
        finance_charge_cents=finance_charge,
        apr=round_decimal(exact, 2),
        apr_unrounded=exact,
        total_of_payments_cents=total_of_payments,
        total_sale_price_cents=total_of_payments + down_payment,
        down_payment_cents=down_payment,
        payment_groups=payment_groups(financed, unit_period if len(financed) > 1 else None),
        late_charge_text=late_charge_text,
        prepayment_text=prepayment_text,
        currency=currency,
    )
