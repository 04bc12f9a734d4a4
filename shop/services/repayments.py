"""Repayments: what is due, the payoff quote, charging the card and applying
the money by the waterfall (fees, interest, principal), closing a paid loan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from credit.allocation import Allocation, OpenInstallment, allocate_payment, buckets_as_of
from credit.schedule import Installment
from credit.servicing import accrued_interest_cents, reamortize
from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.models import (
    InstallmentKind,
    Loan,
    LoanInstallment,
    LoanPayment,
    LoanStatus,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import ledger, notices
from shop.services.credit_accounts import lock_account
from shop.services.errors import CreditError


@dataclass(frozen=True)
class Receipt:
    payment: LoanPayment
    allocation: Allocation


def open_installments(loan: Loan) -> list[OpenInstallment]:
    return [
        OpenInstallment(
            i.number,
            i.due_on,
            i.principal_cents - i.paid_principal_cents,
            i.interest_cents - i.paid_interest_cents,
            i.fee_cents - i.paid_fee_cents,
        )
        for i in loan.installments
        if not i.is_paid
    ]


def next_installment(loan: Loan) -> LoanInstallment | None:
    return next((i for i in loan.installments if not i.is_paid), None)


def amount_due_now_cents(loan: Loan, today: date) -> int:
    """Everything past due plus the next installment."""
    b = buckets_as_of(open_installments(loan), today)
    return b.total_cents - b.future_principal_cents


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
    """Charge the card and apply the money by the waterfall.

    kind: "next" (everything due now), "amount" (any amount up to the
    balance), "payoff" (the payoff quote as of today)."""
    today = today or utcnow().date()
    done = s.scalars(select(LoanPayment).filter_by(idempotency_key=key)).first()
    if done is not None:
        return Receipt(done, Allocation(**done.allocation))
    lock_account(s, user)
    done = s.scalars(select(LoanPayment).filter_by(idempotency_key=key)).first()
    if done is not None:  # a concurrent submit of the same form finished while we waited for the lock
        return Receipt(done, Allocation(**done.allocation))
    s.refresh(loan)
    if loan.status != LoanStatus.ACTIVE:
        raise CreditError("This loan is already paid off.")
    allocation, amount = _allocation_for(loan, kind, amount_cents, today)
    charge = payments.charge(
        amount_cents=amount,
        currency=loan.currency,
        customer_id=payments.ensure_customer(user),
        payment_method_id=payment_method_id,
        metadata={"loan": loan.number, "kind": kind, "payment_key": key},
    )
    if charge.status != "succeeded":
        raise payments.PaymentError("Your bank asked for authentication; please try another card.")
    payment = apply_and_post(s, loan, allocation, charge, kind, key, today)
    if kind == "payoff" or all(i.paid_principal_cents == i.principal_cents for i in loan.installments):
        # No principal left: what is still scheduled is future interest, not earned; the loan is done.
        _close(loan)
    s.flush()
    return Receipt(payment, allocation)


def _allocation_for(loan: Loan, kind: str, amount_cents: int | None, today: date) -> tuple[Allocation, int]:

    if kind == "payoff":
        q = payoff_quote(loan, today)
        past = buckets_as_of(open_installments(loan), today)
        fees_past = min(q.fees_cents, past.past_due_fees_cents)
        interest_past = min(q.interest_cents, past.past_due_interest_cents)
        allocation = Allocation(
            past_due_fees_cents=fees_past,
            past_due_interest_cents=interest_past,
            past_due_principal_cents=past.past_due_principal_cents,
            current_fees_cents=q.fees_cents - fees_past,
            current_interest_cents=q.interest_cents - interest_past,
            current_principal_cents=q.principal_cents - past.past_due_principal_cents,
        )
        return allocation, q.total_cents
    buckets = buckets_as_of(open_installments(loan), today)
    if kind == "next":
        amount_cents = buckets.total_cents - buckets.future_principal_cents
    if not amount_cents or amount_cents <= 0:
        raise CreditError("Enter an amount greater than zero.")
    # The payoff amount or more would pay interest not yet earned: that is a payoff, not a payment.
    payoff_cents = payoff_quote(loan, today).total_cents
    if amount_cents > buckets.total_cents or (kind == "amount" and amount_cents >= payoff_cents):
        raise CreditError(
            f"That is more than you owe: {format_money(payoff_cents, loan.currency)} pays off this "
            "loan today; choose “Pay off the loan” to close it (interest only up to today)."
        )
    return allocate_payment(amount_cents, buckets), amount_cents


def apply_and_post(
    s: DbSession, loan: Loan, allocation: Allocation, charge: payments.ChargeResult, kind: str, key: str, today: date
) -> LoanPayment:
    principal, interest, fees = _apply(loan, allocation, kind == "payoff", today)
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    txn = ledger.post(
        s,
        f"repayment_{kind}",
        [
            ledger.debit("cash", principal + interest + fees),
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
        allocation={name: getattr(allocation, name) for name in Allocation.__dataclass_fields__},
        stripe_payment_intent_id=charge.payment_intent_id,
        idempotency_key=key,
        journal_transaction_id=txn.id,
    )
    s.add(payment)
    notices.enqueue(
        s, "receipt", loan.user_id, f"receipt:{key}", loan_id=loan.id, amount_cents=charge.amount_cents, on_date=today
    )
    return payment


def _apply(loan: Loan, a: Allocation, payoff: bool, today: date) -> tuple[int, int, int]:
    """Write an allocation onto the installments; returns (principal, interest, fees) applied."""
    now = utcnow()
    open_rows = [i for i in loan.installments if not i.is_paid]
    past = [i for i in open_rows if i.due_on < today]
    upcoming = [i for i in open_rows if i.due_on >= today]
    current, future = upcoming[:1], upcoming[1:]
    _fill(past, "fee", a.past_due_fees_cents)
    _fill(past, "interest", a.past_due_interest_cents)
    _fill(past, "principal", a.past_due_principal_cents)
    if payoff:
        # Interest earned to today is what the quote charged; unearned interest is waived.
        _fill(current + future, "fee", a.current_fees_cents)
        for row in current + future:
            row.interest_cents = row.paid_interest_cents
        if current + future:
            (current + future)[0].interest_cents += a.current_interest_cents
            (current + future)[0].paid_interest_cents += a.current_interest_cents
        _fill(current + future, "principal", a.current_principal_cents)
    else:
        _fill(current, "fee", a.current_fees_cents)
        _fill(current, "interest", a.current_interest_cents)
        _fill(current, "principal", a.current_principal_cents)
        _prepay_future(loan, future, a.future_principal_cents, current[0].due_on if current else today)
    for row in open_rows:
        if row.is_paid and row.paid_at is None:
            row.paid_at = now
    principal = a.past_due_principal_cents + a.current_principal_cents + a.future_principal_cents
    interest = a.past_due_interest_cents + a.current_interest_cents
    fees = a.past_due_fees_cents + a.current_fees_cents
    return principal, interest, fees


def _prepay_future(loan: Loan, future: list[LoanInstallment], amount: int, period_start_on: date) -> None:
    """Prepaid principal shortens the loan from the last installment back, and
    the remaining future installments' interest is recomputed on the lower
    balance (credit.servicing.reamortize): prepaying saves interest."""
    if amount <= 0:
        return
    opening = sum(r.principal_cents - r.paid_principal_cents for r in future)
    rows, balance = [], opening
    for r in future:
        principal, interest = r.principal_cents - r.paid_principal_cents, r.interest_cents - r.paid_interest_cents
        balance -= principal
        rows.append(
            Installment(
                r.number,
                r.due_on,
                principal,
                interest,
                r.fee_cents - r.paid_fee_cents,
                principal + interest + r.fee_cents - r.paid_fee_cents,
                balance,
                r.kind,
            )
        )
    rate = Decimal(loan.rate_bps) / 10000 if loan.rate_bps else None
    result = reamortize(
        rows, amount, "last_first", annual_rate=rate, day_count=loan.day_count, period_start_on=period_start_on
    )
    if result.applied_cents != amount:
        raise ledger.UnbalancedPosting(f"{amount - result.applied_cents} cents of principal could not be applied")
    for row, new in zip(future, result.installments, strict=True):
        row.principal_cents = row.paid_principal_cents + new.principal_cents
        row.interest_cents = row.paid_interest_cents + new.interest_cents


def _fill(rows: list[LoanInstallment], part: str, amount: int) -> None:
    """Pay `amount` of one part (principal/interest/fee) across rows in order."""
    for row in rows:
        if amount <= 0:
            break
        owed = getattr(row, f"{part}_cents") - getattr(row, f"paid_{part}_cents")
        take = min(owed, amount)
        setattr(row, f"paid_{part}_cents", getattr(row, f"paid_{part}_cents") + take)
        amount -= take
    if amount:
        raise ledger.UnbalancedPosting(f"{amount} cents of {part} could not be applied")


def _close(loan: Loan) -> None:
    loan.status, loan.paid_off_at = LoanStatus.PAID_OFF, utcnow()
    for row in loan.installments:
        row.interest_cents = max(row.paid_interest_cents, 0) if not row.is_paid else row.interest_cents
        if row.paid_at is None:
            row.paid_at = utcnow()


def set_autopay(loan: Loan, on: bool) -> None:
    loan.autopay = on
