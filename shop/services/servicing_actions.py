"""Staff servicing actions from the loan console: waive a fee, defer one
installment, record an offline payment, reverse a mistaken action.

Each takes the shopper's credit-account lock first (the fixed lock order of
shop.services.loans), requires a reason, writes one ServicingAction (with the
installments as they were, for a later reversal), at most one balanced
journal transaction and one audit entry.  The money rules come from credit/
(the fee waiver, the payment holiday) and from the card repayments' waterfall
(shop.services.repayments), never a copy.  A deferral moves due dates only: no
money moves, so it posts no journal transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from credit.errors import CreditInputError
from credit.schedule import Installment
from credit.servicing import defer_installment, waivable_fee_cents
from shop.formatting import format_money
from shop.models import (
    JournalTransaction,
    Loan,
    LoanInstallment,
    LoanPayment,
    LoanPaymentKind,
    LoanStatus,
    ServicingAction,
    ServicingActionKind,
    User,
)
from shop.models.base import DbSession
from shop.services import audit, ledger, repayments
from shop.services.credit_accounts import lock_account
from shop.services.errors import StaffActionError

_PARTS = (
    "principal_cents",
    "interest_cents",
    "fee_cents",
    "paid_principal_cents",
    "paid_interest_cents",
    "paid_fee_cents",
)


def _snapshot(loan: Loan) -> dict[str, Any]:
    return {
        "status": loan.status,
        "paid_off_at": loan.paid_off_at.isoformat() if loan.paid_off_at else None,
        "state": {
            "accrued_through_on": loan.accrued_through_on.isoformat() if loan.accrued_through_on else None,
            "balance_days": loan.balance_days,
            "unpaid_interest_cents": loan.unpaid_interest_cents,
            "unpaid_fees_cents": loan.unpaid_fees_cents,
        },
        "installments": [
            {
                "id": i.id,
                "number": i.number,
                "kind": i.kind,
                "due_on": i.due_on.isoformat(),
                "paid_at": i.paid_at.isoformat() if i.paid_at else None,
                **{part: getattr(i, part) for part in _PARTS},
            }
            for i in loan.installments
        ],
    }


def _restore(loan: Loan, before: dict[str, Any]) -> None:
    rows = {i.id: i for i in loan.installments}
    for saved in before["installments"]:
        row = rows.get(saved["id"])
        if row is None:  # a payment ahead had made it unnecessary: it comes back
            row = LoanInstallment(number=saved["number"], kind=saved["kind"])
            loan.installments.append(row)
        row.due_on = date.fromisoformat(saved["due_on"])
        row.paid_at = datetime.fromisoformat(saved["paid_at"]) if saved["paid_at"] else None
        for part in _PARTS:
            setattr(row, part, saved[part])
    state = before.get("state", {})
    if state:
        on = state["accrued_through_on"]
        loan.accrued_through_on = date.fromisoformat(on) if on else None
        loan.balance_days = state["balance_days"]
        loan.unpaid_interest_cents = state["unpaid_interest_cents"]
        loan.unpaid_fees_cents = state["unpaid_fees_cents"]
    loan.installments.sort(key=lambda i: i.number)
    loan.status = before["status"]
    loan.paid_off_at = datetime.fromisoformat(before["paid_off_at"]) if before["paid_off_at"] else None


def _last_transaction_id(s: DbSession, loan: Loan) -> int:
    return int(s.scalar(select(func.max(JournalTransaction.id)).where(JournalTransaction.loan_id == loan.id)) or 0)


def _lock(s: DbSession, loan: Loan, reason: str) -> dict[str, Any]:
    if len((reason or "").strip()) < 5:
        raise StaffActionError("Type the reason for this action.")
    lock_account(s, s.get_one(User, loan.user_id))
    s.refresh(loan)
    for row in loan.installments:
        s.refresh(row)
    return _snapshot(loan)


def _record(
    s: DbSession,
    staff: User,
    loan: Loan,
    kind: ServicingActionKind,
    reason: str,
    before: dict[str, Any],
    *,
    txn: JournalTransaction | None = None,
    amount_cents: int = 0,
    reverses: ServicingAction | None = None,
    detail: dict[str, Any] | None = None,
) -> ServicingAction:
    before["after_transaction_id"] = _last_transaction_id(s, loan)
    action = ServicingAction(
        loan_id=loan.id,
        kind=kind,
        staff_id=staff.id,
        reason=reason.strip(),
        amount_cents=amount_cents,
        journal_transaction_id=txn.id if txn else None,
        reverses_id=reverses.id if reverses else None,
        before=before,
    )
    s.add(action)
    s.flush()
    audit.record(
        s,
        staff,
        f"loan.{kind}",
        "loan",
        loan.number,
        reason=reason.strip(),
        detail={"action_id": action.id, "amount_cents": amount_cents, "transaction_id": action.journal_transaction_id}
        | (detail or {}),
        customer_id=loan.user_id,
    )
    return action


def _installment(loan: Loan, number: int) -> LoanInstallment:
    row = next((i for i in loan.installments if i.number == number), None)
    if row is None:
        raise StaffActionError(f"This loan has no installment {number}.")
    return row


def _require_active(loan: Loan) -> None:
    if loan.status != LoanStatus.ACTIVE:
        raise StaffActionError(
            f"Loan {loan.number} is {loan.status.replace('_', ' ')}; only active loans are serviced."
        )


def waive_fee(s: DbSession, staff: User, loan: Loan, number: int, reason: str, today: date) -> ServicingAction:
    """Forgive the unpaid fee of one installment."""
    before = _lock(s, loan, reason)
    _require_active(loan)
    row = _installment(loan, number)
    cents = waivable_fee_cents(row.fee_cents, row.paid_fee_cents)
    if cents == 0:
        raise StaffActionError(f"Installment {number} has no unpaid fee to waive.")
    row.fee_cents = row.paid_fee_cents
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    txn = ledger.post(
        s,
        "fee_waiver",
        [ledger.debit("fee_waivers", cents, **ids), ledger.credit("late_fee_receivable", cents, **ids)],
        posted_on=today,
        loan_id=loan.id,
        memo=f"{loan.number}: fee on installment {number} waived",
    )
    return _record(
        s,
        staff,
        loan,
        ServicingActionKind.WAIVE_FEE,
        reason,
        before,
        txn=txn,
        amount_cents=cents,
        detail={"installment": number},
    )


def defer(s: DbSession, staff: User, loan: Loan, number: int, reason: str) -> ServicingAction:
    """Payment holiday: installment `number` and the later ones fall due one period later."""
    before = _lock(s, loan, reason)
    _require_active(loan)
    if _installment(loan, number).is_paid:
        raise StaffActionError(f"Installment {number} is paid; only an unpaid installment can be deferred.")
    rows = [
        Installment(i.number, i.due_on, i.principal_cents, i.interest_cents, i.fee_cents, i.total_cents, 0, i.kind)
        for i in loan.installments
    ]
    try:
        moved = defer_installment(rows, number, "2 weeks" if loan.product == "pay_in_4" else "month")
    except CreditInputError as e:
        raise StaffActionError(f"Cannot defer installment {number}: {e}") from e
    for row, new in zip(loan.installments, moved, strict=True):
        row.due_on = new.due_on
    s.flush()
    return _record(
        s, staff, loan, ServicingActionKind.DEFER_INSTALLMENT, reason, before, detail={"installment": number}
    )


def record_offline_payment(
    s: DbSession, staff: User, loan: Loan, amount_cents: int, reason: str, key: str, today: date
) -> ServicingAction:
    """Money received outside Stripe, applied by the same waterfall as a card repayment;
    exactly today's payoff amount pays the loan off.  `key` makes a double submit harmless."""
    done = s.scalars(
        select(ServicingAction)
        .join(LoanPayment, LoanPayment.journal_transaction_id == ServicingAction.journal_transaction_id)
        .where(LoanPayment.idempotency_key == key)
    ).first()
    if done is not None:
        return done
    before = _lock(s, loan, reason)
    _require_active(loan)
    quote = repayments.payoff_quote(loan, today).total_cents
    if amount_cents > quote:
        raise StaffActionError(
            f"That is more than is owed: {format_money(quote, loan.currency)} pays this loan off today."
        )
    if amount_cents <= 0:
        raise StaffActionError("Enter an amount greater than zero.")
    payment = repayments.apply_money(
        s, loan, repayments.Received(amount_cents), LoanPaymentKind.OFFLINE, key, today, cash_account="bank"
    )
    s.flush()
    txn = s.get_one(JournalTransaction, payment.journal_transaction_id)
    return _record(
        s, staff, loan, ServicingActionKind.OFFLINE_PAYMENT, reason, before, txn=txn, amount_cents=amount_cents
    )


def _check_reversible(s: DbSession, loan: Loan, action: ServicingAction) -> None:
    actions = list(s.scalars(select(ServicingAction).filter_by(loan_id=loan.id).order_by(ServicingAction.id)))
    reversed_ids = {a.reverses_id for a in actions if a.reverses_id}
    if action.kind == ServicingActionKind.REVERSAL or action.id in reversed_ids:
        raise StaffActionError(f"Action {action.id} is a reversal or has been reversed already.")
    later = [a for a in actions if a.id > action.id]
    if any(a.kind != ServicingActionKind.REVERSAL and a.id not in reversed_ids for a in later):
        raise StaffActionError("Reverse the later actions on this loan first (newest first).")
    later_txns = set(
        s.scalars(
            select(JournalTransaction.id).where(
                JournalTransaction.loan_id == loan.id, JournalTransaction.id > action.before["after_transaction_id"]
            )
        )
    )
    if later_txns - {a.journal_transaction_id for a in later}:
        raise StaffActionError("Money has moved on this loan since; that action can no longer be reversed here.")


def reverse(s: DbSession, staff: User, loan: Loan, action_id: int, reason: str, today: date) -> ServicingAction:
    """Undo a mistaken action by a compensating entry (never a delete): the installments
    go back to how they were and the journal gets the mirror transaction."""
    action = s.get(ServicingAction, action_id)
    if action is None or action.loan_id != loan.id:
        raise StaffActionError("There is no such action on this loan.")
    before = _lock(s, loan, reason)
    _check_reversible(s, loan, action)
    _restore(loan, action.before)
    txn = None
    if action.journal_transaction_id is not None:
        original = s.get_one(JournalTransaction, action.journal_transaction_id)
        txn = ledger.reverse(s, original, posted_on=today, memo=f"{loan.number}: reverses {action.kind} #{action.id}")
    s.flush()
    return _record(
        s,
        staff,
        loan,
        ServicingActionKind.REVERSAL,
        reason,
        before,
        txn=txn,
        amount_cents=action.amount_cents,
        reverses=action,
        detail={"reversed_kind": action.kind},
    )


def note(s: DbSession, staff: User, loan: Loan, text: str) -> None:
    """A staff note on the loan (kept in the append-only audit log)."""
    if len((text or "").strip()) < 5:
        raise StaffActionError("Type the note.")
    audit.record(s, staff, "loan.note", "loan", loan.number, reason=text.strip(), customer_id=loan.user_id)
