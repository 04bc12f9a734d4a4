"""The payoff quote: principal + interest earned to the day + unpaid fees, no penalty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credit.servicing import accrued_interest_cents
from shop.models import InstallmentKind, Loan


@dataclass(frozen=True)
class PayoffQuote:
    as_of: date
    principal_cents: int
    interest_cents: int
    fees_cents: int

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.interest_cents + self.fees_cents


def payoff_quote(loan: Loan, as_of: date) -> PayoffQuote:
    """Principal + interest earned to `as_of` + unpaid fees; no prepayment penalty.

    Interest earned = unpaid interest of installments already due, plus
    interest accrued on the outstanding principal since the later of the
    last due date reached and the loan's start."""
    rows = [i for i in loan.installments if i.kind == InstallmentKind.INSTALLMENT]
    principal = sum(i.principal_cents - i.paid_principal_cents for i in loan.installments)
    reached = [i for i in rows if i.due_on <= as_of]
    billed = sum(i.interest_cents - i.paid_interest_cents for i in reached)
    since = max([loan.start_on] + [i.due_on for i in reached])
    accrued = (
        accrued_interest_cents(principal, Decimal(loan.rate_bps) / 10000, since, as_of, "actual/365")
        if loan.rate_bps
        else 0
    )
    fees = sum(i.fee_cents - i.paid_fee_cents for i in loan.installments)
    return PayoffQuote(as_of, principal, billed + accrued, fees)
