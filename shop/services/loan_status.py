"""What a shopper needs to read off a loan: what is overdue, what falls due
next and when, what is only optional (paying ahead, paying off); and whether
a payment about to be made repeats one made minutes ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from shop.models import Loan, LoanPayment, LoanPaymentKind, LoanStatus
from shop.models.base import DbSession
from shop.services.loan_state import state_of
from shop.services.repayments import amount_due_now_cents, payoff_quote

REPEAT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class DueSummary:
    overdue_cents: int
    next_due_on: date | None
    next_due_cents: int
    payoff_cents: int
    today: date

    @property
    def next_is_due_today(self) -> bool:
        return self.next_due_on == self.today

    @property
    def due_today_cents(self) -> int:
        """What must be paid today to be up to date: the overdue amount and an installment due today."""
        return self.overdue_cents + (self.next_due_cents if self.next_is_due_today else 0)

    @property
    def nothing_required_today(self) -> bool:
        return self.due_today_cents == 0


def due_summary(loan: Loan, today: date) -> DueSummary:
    """Overdue (due before today), the next installment (amount and date), the payoff quote."""
    if loan.status != LoanStatus.ACTIVE:
        return DueSummary(0, None, 0, 0, today)
    state = state_of(loan)
    late = [row for row in state.installments if row.due_on < today]
    upcoming = sorted((row for row in state.installments if row.due_on >= today), key=lambda row: row.due_on)
    return DueSummary(
        overdue_cents=state.unpaid_fees_cents + sum(row.amount_cents for row in late),
        next_due_on=upcoming[0].due_on if upcoming else None,
        next_due_cents=upcoming[0].amount_cents if upcoming else 0,
        payoff_cents=payoff_quote(loan, today).total_cents,
        today=today,
    )


def recent_same_payment(s: DbSession, loan: Loan, amount_cents: int, key: str, now: datetime) -> LoanPayment | None:
    """A payment of the same amount on this loan in the last few minutes, made by
    another form (the same form's key lands on its own receipt instead)."""
    return s.scalars(
        select(LoanPayment)
        .where(
            LoanPayment.loan_id == loan.id,
            LoanPayment.amount_cents == amount_cents,
            LoanPayment.kind != LoanPaymentKind.DOWN_PAYMENT,
            LoanPayment.idempotency_key != key,
            LoanPayment.created_at >= now - REPEAT_WINDOW,
        )
        .order_by(LoanPayment.id.desc())
    ).first()


def intended_amount_cents(loan: Loan, kind: str, amount_cents: int | None, today: date) -> int | None:
    """What a repayment of `kind` would charge today (None when the form gave no amount)."""
    if kind == "payoff":
        return payoff_quote(loan, today).total_cents
    if kind == "next":
        return amount_due_now_cents(loan, today)
    return amount_cents
