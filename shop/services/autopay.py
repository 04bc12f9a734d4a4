"""Autopay: charge the card on file of active autopay loans with money due.

The batch job (`flask credit autopay`) owns the unit of work: it commits after
each loan (or rolls that loan back), so one declined card does not stop the
others and a crash mid-run keeps the loans already charged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from shop.models import Loan, LoanStatus
from shop.models.base import DbSession
from shop.services.repayments import amount_due_now_cents, record_repayment


@dataclass(frozen=True)
class AutopayResult:
    loan_number: str
    amount_cents: int
    ok: bool
    message: str


def autopay_loan_ids(s: DbSession) -> list[int]:
    """Active loans with autopay on and a card on file, in id order."""
    stmt = (
        select(Loan.id)
        .where(Loan.status == LoanStatus.ACTIVE, Loan.autopay.is_(True), Loan.stripe_payment_method_id.is_not(None))
        .order_by(Loan.id)
    )
    return list(s.scalars(stmt))


def due_cents(loan: Loan, today: date) -> int:
    """What is due on or before `today` (past due and today's installment); 0 before the next due date."""
    if not any(row.due_on <= today and not row.is_paid for row in loan.installments):
        return 0
    return amount_due_now_cents(loan, today)


def collect_one(s: DbSession, loan_id: int, today: date) -> AutopayResult | None:
    """Charge what one loan owes today; None when nothing is due.

    Raises PaymentError/CreditError (nothing written) when the card fails."""
    loan = s.get(Loan, loan_id)
    if loan is None or loan.stripe_payment_method_id is None:
        return None
    due = due_cents(loan, today)
    if due == 0:
        return None
    receipt = record_repayment(
        s,
        loan.user,
        loan,
        amount_cents=due,
        kind="amount",
        key=f"autopay:{loan.number}:{today.isoformat()}",
        payment_method_id=loan.stripe_payment_method_id,
        today=today,
    )
    return AutopayResult(loan.number, receipt.payment.amount_cents, True, "paid")
