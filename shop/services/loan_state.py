"""A loan's servicing state: the ORM rows <-> credit.interest.LoanState.

The money rules (daily simple interest, the waterfall, the re-projected
schedule) are pure in credit/interest.py; this module only reads a loan's
rows into a LoanState and writes a new state (and what a payment covered)
back onto the loan and its installment rows."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from credit.interest import DueInstallment, LoanState, PaymentAllocation, remaining_schedule
from shop.models import InstallmentKind, Loan, LoanInstallment, LoanStatus, utcnow
from shop.models.base import DbSession


def annual_rate(loan: Loan) -> Decimal:
    return Decimal(loan.rate_bps) / 10000


def _financed_rows(loan: Loan) -> list[LoanInstallment]:
    return [i for i in loan.installments if i.kind == InstallmentKind.INSTALLMENT]


def installment_fees_owed(loan: Loan) -> int:
    """Fees charged on installments (a late fee on the installment that was late) still unpaid."""
    return sum(i.fee_cents - i.paid_fee_cents for i in loan.installments)


def state_of(loan: Loan) -> LoanState:
    """Where the loan stands: outstanding principal, interest accrued through
    the last payment, fees owed (the loan's own plus those charged on an
    installment), the installments still (partly) due."""
    rows = [
        i
        for i in _financed_rows(loan)
        if i.principal_cents + i.interest_cents > i.paid_principal_cents + i.paid_interest_cents
    ]
    return LoanState(
        principal_cents=sum(i.principal_cents - i.paid_principal_cents for i in _financed_rows(loan)),
        annual_rate=annual_rate(loan),
        accrued_through_on=loan.accrued_through_on or loan.start_on,
        installments=tuple(
            DueInstallment(i.number, i.due_on, i.owed_cents - (i.fee_cents - i.paid_fee_cents)) for i in rows
        ),
        unpaid_interest_cents=loan.unpaid_interest_cents,
        unpaid_fees_cents=loan.unpaid_fees_cents + installment_fees_owed(loan),
        balance_days=loan.balance_days,
    )


def write_payment(s: DbSession, loan: Loan, allocation: PaymentAllocation, new: LoanState) -> None:
    """Record what a payment covered on its installments, then re-project the
    rows still due from the new state (rows no longer needed are removed)."""
    _pay_fees(loan, allocation.fees_cents)
    by_number = {i.number: i for i in _financed_rows(loan)}
    for part in allocation.installments:
        row = by_number[part.number]
        row.paid_interest_cents += part.interest_cents
        row.paid_principal_cents += part.principal_cents
        # what was scheduled of this row is what it has been paid, until it is re-projected below
        row.interest_cents = max(row.interest_cents, row.paid_interest_cents)
        row.principal_cents = max(row.principal_cents, row.paid_principal_cents)
    _reschedule(s, loan, by_number, new)
    loan.accrued_through_on = new.accrued_through_on
    loan.balance_days = new.balance_days
    loan.unpaid_interest_cents = new.unpaid_interest_cents
    loan.unpaid_fees_cents = new.unpaid_fees_cents - installment_fees_owed(loan)
    if new.is_closed:
        loan.status, loan.paid_off_at = LoanStatus.PAID_OFF, utcnow()


def _pay_fees(loan: Loan, fees_cents: int) -> None:
    """Fees paid go first to fees charged on installments (oldest first), then to the loan's own."""
    for row in sorted(loan.installments, key=lambda i: (i.due_on, i.number)):
        take = min(fees_cents, row.fee_cents - row.paid_fee_cents)
        row.paid_fee_cents += take
        fees_cents -= take


def _reschedule(s: DbSession, loan: Loan, rows: dict[int, LoanInstallment], new: LoanState) -> None:
    now = utcnow()
    projected = {p.number: p for p in remaining_schedule(new)} if not new.is_closed else {}
    for number, row in rows.items():
        if row.is_paid and row.paid_at is not None:
            continue
        p = projected.get(number)
        if p is not None:
            row.principal_cents = row.paid_principal_cents + p.principal_cents
            row.interest_cents = row.paid_interest_cents + p.interest_cents
        elif row.paid_principal_cents or row.paid_interest_cents:
            row.principal_cents, row.interest_cents = row.paid_principal_cents, row.paid_interest_cents
        else:
            loan.installments.remove(row)  # prepaid away: the loan ends sooner
            s.delete(row)
            continue
        if row.is_paid:
            row.paid_at = now


def opened(loan: Loan) -> LoanState:
    """The state of a loan just booked (nothing paid after the down payment)."""
    return replace(state_of(loan), accrued_through_on=loan.start_on)
