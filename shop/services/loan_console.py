"""The staff loan console: find a loan, and everything its page shows
(schedule, payments, journal, staff actions and notes).  No personal data in
clear: the borrower is shown masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from shop import pii
from shop.models import (
    AuditEntry,
    CreditApplication,
    CreditDecision,
    JournalTransaction,
    Loan,
    Order,
    ServicingAction,
    User,
)
from shop.models.base import DbSession
from shop.services import ledger, repayments


@dataclass(frozen=True)
class LoanRow:
    loan: Loan
    borrower: str  # initials
    email: str  # masked
    id_last4: str
    principal_cents: int


def _last4(s: DbSession, loan: Loan) -> str:
    return (
        s.scalar(
            select(CreditApplication.national_id_last4)
            .join(CreditDecision)
            .where(CreditDecision.id == loan.decision_id)
        )
        or ""
    )


def find_loans(s: DbSession, q: str = "", status: str = "", limit: int = 200) -> list[LoanRow]:
    """Loans by number, order number, e-mail (exact) or the last four of the national ID."""
    stmt = select(Loan, User).join(User, Loan.user_id == User.id).join(Order, Loan.order_id == Order.id)
    q = (q or "").strip()
    if q:
        by_id = select(CreditDecision.id).join(CreditApplication).where(CreditApplication.national_id_last4 == q)
        stmt = stmt.where(
            or_(
                func.upper(Loan.number) == q.upper(),
                func.upper(Order.number) == q.upper(),
                func.lower(User.email) == q.lower(),
                Loan.decision_id.in_(by_id) if q.isdigit() and len(q) == 4 else false(),
            )
        )
    if status:
        stmt = stmt.where(Loan.status == status)
    principal = ledger.principal_by_loan(s)
    return [
        LoanRow(loan, pii.initials(user.name), pii.mask_email(user.email), _last4(s, loan), principal.get(loan.id, 0))
        for loan, user in s.execute(stmt.order_by(Loan.id.desc()).limit(limit))
    ]


@dataclass(frozen=True)
class LoanPage:
    row: LoanRow
    schedule: list[dict]
    transactions: list[JournalTransaction]
    actions: list[ServicingAction]
    notes: list[AuditEntry]
    payoff_cents: int
    due_now_cents: int


def loan_page(s: DbSession, number: str, today: date) -> LoanPage | None:
    loan = s.scalars(select(Loan).filter_by(number=number)).first()
    if loan is None:
        return None
    user = s.get_one(User, loan.user_id)
    row = LoanRow(
        loan,
        pii.initials(user.name),
        pii.mask_email(user.email),
        _last4(s, loan),
        ledger.loan_principal_cents(s, loan.id),
    )
    transactions = s.scalars(
        select(JournalTransaction)
        .filter_by(loan_id=loan.id)
        .options(selectinload(JournalTransaction.entries))
        .order_by(JournalTransaction.id)
    ).all()
    actions = s.scalars(select(ServicingAction).filter_by(loan_id=loan.id).order_by(ServicingAction.id)).all()
    notes = s.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "loan", AuditEntry.subject_id == loan.number)
        .order_by(AuditEntry.id)
    ).all()
    active = loan.status == "active"
    return LoanPage(
        row,
        [_schedule_row(i, today) for i in loan.installments],
        list(transactions),
        list(actions),
        list(notes),
        repayments.payoff_quote(loan, today).total_cents if active else 0,
        repayments.amount_due_now_cents(loan, today) if active else 0,
    )


def _schedule_row(i, today: date) -> dict:
    state = "paid" if i.is_paid else ("past due" if i.due_on < today else "due")
    return {"i": i, "state": state}
