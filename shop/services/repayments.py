"""Repayments: what is due, the payoff quote, charging the card and applying
the money (credit.interest: daily simple interest on the outstanding
principal; fees, then interest accrued to the day, then principal), posting
the journal, closing a paid loan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from credit.interest import PaymentAllocation, PayoffQuote, amount_due_cents, apply_payment
from credit.interest import payoff_quote as quote_of
from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.models import InstallmentKind, Loan, LoanInstallment, LoanPayment, LoanPaymentKind, LoanStatus, User, utcnow
from shop.models.base import DbSession
from shop.services import ledger, notices
from shop.services.credit_accounts import lock_account
from shop.services.errors import CreditError
from shop.services.loan_state import state_of, write_payment

__all__ = ["PayoffQuote", "Receipt", "amount_due_now_cents", "payoff_quote", "record_repayment"]


@dataclass(frozen=True)
class Receipt:
    payment: LoanPayment
    allocation: dict[str, int]


def next_installment(loan: Loan) -> LoanInstallment | None:
    return next((i for i in loan.installments if not i.is_paid), None)


def amount_due_now_cents(loan: Loan, today: date) -> int:
    """What "pay what is due" asks for today: fees, the installments due on or
    before today or, before the next due date, the next one (credit.interest)."""
    if loan.status != LoanStatus.ACTIVE:
        return 0
    return amount_due_cents(state_of(loan), today)


def payoff_quote(loan: Loan, as_of: date) -> PayoffQuote:
    """Principal + interest accrued to `as_of` + fees; no prepayment penalty."""
    return quote_of(state_of(loan), as_of)


def record_repayment(
    s: DbSession,
    user: User,
    loan: Loan,
    *,
    amount_cents: int | None,
    kind: str,
    key: str,
    payment_method_id: str,
    today: date | None = None,
) -> Receipt:
    """Charge the card and apply the money.

    kind: "next" (what is due now), "amount" (any amount below today's payoff),
    "payoff" (the payoff quote as of today).  A key already used returns its receipt."""
    today = today or utcnow().date()
    done = _paid_with_key(s, key)
    if done is None:
        lock_account(s, user)
        done = _paid_with_key(s, key)  # a concurrent submit of the same form finished while we waited
    if done is not None:
        return Receipt(done, done.allocation)
    s.refresh(loan)
    if loan.status != LoanStatus.ACTIVE:
        raise CreditError("This loan is already paid off.")
    amount = _amount_for(loan, kind, amount_cents, today)
    charge = payments.charge(
        amount_cents=amount,
        currency=loan.currency,
        customer_id=payments.ensure_customer(user),
        payment_method_id=payment_method_id,
        metadata={"loan": loan.number, "kind": kind, "payment_key": key},
    )
    if charge.status != "succeeded":
        raise payments.PaymentError("Your bank asked for authentication; please try another card.")
    payment = apply_money(s, loan, charge, kind, key, today)
    s.flush()
    return Receipt(payment, payment.allocation)


@dataclass(frozen=True)
class Received:
    """Money received outside Stripe (staff record an offline payment)."""

    amount_cents: int
    payment_intent_id: str | None = None


def apply_money(
    s: DbSession,
    loan: Loan,
    received: payments.ChargeResult | Received,
    kind: str,
    key: str,
    today: date,
    *,
    cash_account: str = "cash",
) -> LoanPayment:
    """Apply money received on `today` to the loan (credit.interest: fees, interest
    accrued to the day, principal), write the rows and post the journal."""
    allocation, new = apply_payment(state_of(loan), received.amount_cents, today)
    write_payment(s, loan, allocation, new)
    return post_payment(s, loan, _parts(allocation), received, kind, key, today, cash_account=cash_account)


def check_amount(loan: Loan, kind: str, amount_cents: int | None, today: date) -> int:
    """The amount a payment of `kind` takes today (CreditError when it cannot be applied)."""
    return _amount_for(loan, kind, amount_cents, today)


def _paid_with_key(s: DbSession, key: str) -> LoanPayment | None:
    return s.scalars(select(LoanPayment).filter_by(idempotency_key=key)).first()


def _amount_for(loan: Loan, kind: str, amount_cents: int | None, today: date) -> int:
    state = state_of(loan)
    payoff = quote_of(state, today).total_cents
    if kind == LoanPaymentKind.PAYOFF:
        return payoff
    if kind == LoanPaymentKind.NEXT:
        amount_cents = amount_due_cents(state, today)
    if not amount_cents or amount_cents <= 0:
        raise CreditError("Enter an amount greater than zero.")
    # The payoff amount or more is a payoff, not a payment: say so rather than guess.
    if amount_cents > payoff or (kind == LoanPaymentKind.AMOUNT and amount_cents >= payoff):
        raise CreditError(
            f"That is more than you owe: {format_money(payoff, loan.currency)} pays off this "
            "loan today; choose “Pay off the loan” to close it (interest only up to today)."
        )
    return amount_cents


def _parts(allocation: PaymentAllocation) -> dict[str, int]:
    return {
        "fees_cents": allocation.fees_cents,
        "interest_cents": allocation.interest_cents,
        "principal_cents": allocation.principal_cents,
        "paid_ahead_cents": allocation.paid_ahead_cents,
    }


def post_payment(
    s: DbSession,
    loan: Loan,
    parts: dict[str, int],
    charge: payments.ChargeResult | Received,
    kind: str,
    key: str,
    today: date,
    *,
    cash_account: str = "cash",
) -> LoanPayment:
    """The journal transaction of a payment (cash in; principal, interest and
    fees out of the loan) and its LoanPayment row."""
    principal, interest, fees = parts["principal_cents"], parts["interest_cents"], parts["fees_cents"]
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    txn = ledger.post(
        s,
        f"repayment_{kind}",
        [
            ledger.debit(cash_account, principal + interest + fees),
            ledger.credit("loan_receivable", principal, **ids),
            ledger.credit("interest_income", interest, **ids),
            ledger.credit("late_fee_receivable", fees, **ids),
        ],
        posted_on=today,
        loan_id=loan.id,
        memo=f"{loan.number}: {kind}",
    )
    payment = LoanPayment(
        loan=loan,
        kind=kind,
        amount_cents=charge.amount_cents,
        allocation=parts,
        stripe_payment_intent_id=charge.payment_intent_id,
        idempotency_key=key,
        journal_transaction_id=txn.id,
    )
    s.add(payment)
    notices.enqueue(
        s, "receipt", loan.user_id, f"receipt:{key}", loan_id=loan.id, amount_cents=charge.amount_cents, on_date=today
    )
    return payment


def record_down_payment(s: DbSession, loan: Loan, charge: payments.ChargeResult, key: str, today: date) -> None:
    """The down payment (or pay-in-4's first payment), collected at checkout: it
    pays the down-payment row, which is not part of the financed loan."""
    rows = [i for i in loan.installments if i.kind == InstallmentKind.DOWN_PAYMENT]
    for row in rows:
        row.paid_principal_cents, row.paid_interest_cents = row.principal_cents, row.interest_cents
        row.paid_at = utcnow()
    parts = {
        "fees_cents": 0,
        "interest_cents": sum(r.interest_cents for r in rows),
        "principal_cents": sum(r.principal_cents for r in rows),
        "paid_ahead_cents": 0,
    }
    post_payment(s, loan, parts, charge, LoanPaymentKind.DOWN_PAYMENT, key + ":down", today)


def set_autopay(loan: Loan, on: bool) -> None:
    loan.autopay = on
