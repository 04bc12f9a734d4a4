"""Autopay: charge the card on file of active autopay loans with money due.

The batch job (`flask credit autopay`) owns the unit of work: it commits after
each loan (or rolls that loan back), so one declined card does not stop the
others and a crash mid-run keeps the loans already charged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_, select

from credit.delinquency import ServicingPolicy, autopay_retry_on
from shop.models import Loan, LoanInstallment, LoanServicing, LoanStatus
from shop.models.base import DbSession
from shop.services import notices
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
        amount_cents=None,
        kind="next",  # what is due today (credit.interest.amount_due_cents), up to the payoff
        key=f"autopay:{loan.number}:{today.isoformat()}",
        payment_method_id=loan.stripe_payment_method_id,
        today=today,
    )
    return AutopayResult(loan.number, receipt.payment.amount_cents, True, "paid")


# --- the daily run's autopay step: due installments, retries on day +2 and +4, then pause


def due_loan_ids(s: DbSession, on: date) -> list[int]:
    """Autopay loans with an installment falling due on `on`, or a retry due then,
    not yet attempted on `on` (so running the date again charges nothing)."""
    due_today = exists().where(
        LoanInstallment.loan_id == Loan.id, LoanInstallment.due_on == on, LoanInstallment.paid_at.is_(None)
    )
    stmt = (
        select(Loan.id)
        .join(LoanServicing, LoanServicing.loan_id == Loan.id)
        .where(Loan.status == LoanStatus.ACTIVE, Loan.autopay.is_(True), Loan.stripe_payment_method_id.is_not(None))
        .where(or_(LoanServicing.autopay_last_attempt_on.is_(None), LoanServicing.autopay_last_attempt_on < on))
        .where(or_(due_today, LoanServicing.autopay_retry_on == on))
        .order_by(Loan.id)
    )
    return list(s.scalars(stmt))


def charge_due(s: DbSession, loan_id: int, on: date) -> AutopayResult | None:
    """Charge one loan's due amount; raises PaymentError/CreditError (caller rolls back, then record_failure)."""
    result = collect_one(s, loan_id, on)
    state = s.get(LoanServicing, loan_id)
    if state is not None:
        state.autopay_failures, state.autopay_first_failed_on, state.autopay_retry_on = 0, None, None
        state.autopay_last_attempt_on = on
    s.flush()
    return result


def record_failure(s: DbSession, loan_id: int, on: date, policy: ServicingPolicy, message: str) -> AutopayResult:
    """A declined autopay charge: schedule the next retry, or pause autopay
    after the last one; the shopper is told either way."""
    loan = s.get(Loan, loan_id)
    state = s.get(LoanServicing, loan_id)
    assert loan is not None and state is not None
    due = due_cents(loan, on)
    state.autopay_failures += 1
    state.autopay_last_attempt_on = on
    if state.autopay_failures == 1:
        state.autopay_first_failed_on = on
    state.autopay_retry_on = autopay_retry_on(state.autopay_first_failed_on or on, state.autopay_failures, policy)
    key = f"{loan.number}:{on}"
    if state.autopay_retry_on is None:
        loan.autopay, state.autopay_paused_on = False, on
        notices.enqueue(
            s, "autopay_paused", loan.user_id, f"autopay_paused:{key}", loan_id=loan.id, amount_cents=due, on_date=on
        )
    else:
        detail = {"retry_on": state.autopay_retry_on.isoformat(), "message": message}
        notices.enqueue(
            s,
            "autopay_failed",
            loan.user_id,
            f"autopay_failed:{key}",
            loan_id=loan.id,
            amount_cents=due,
            on_date=on,
            detail=detail,
        )
    s.flush()
    return AutopayResult(loan.number, due, False, message)
