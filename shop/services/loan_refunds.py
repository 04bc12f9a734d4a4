"""A merchant refund on a financed order: the loan shrinks (credit.refunds),
what the shopper paid beyond the new balance goes back to their card, and the
journal reverses the merchant payable, discount and promo subsidy in proportion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from credit.refunds import LoanRefundPlan, OpenPart, plan_loan_refund, proportional_share
from shop.gateways import stripe as payments
from shop.models import InstallmentKind, Loan, LoanStatus, MerchantRefund, utcnow
from shop.models.base import DbSession
from shop.services import ledger
from shop.services.merchants import MerchantError


def refunded_before_cents(s: DbSession, order_id: int) -> int:
    return int(
        s.scalar(select(func.coalesce(func.sum(MerchantRefund.amount_cents), 0)).filter_by(order_id=order_id)) or 0
    )


def _open_parts(loan: Loan) -> tuple[list[OpenPart], date]:
    rows = [i for i in loan.installments if i.kind == InstallmentKind.INSTALLMENT]
    parts = [
        OpenPart(
            i.number, i.due_on, i.principal_cents - i.paid_principal_cents, i.interest_cents, i.paid_interest_cents
        )
        for i in rows
        if i.principal_cents > i.paid_principal_cents
    ]
    first = parts[0].number if parts else None
    before = [i.due_on for i in rows if first is not None and i.number < first]
    return parts, max(before, default=loan.start_on)


def plan(s: DbSession, loan: Loan, amount_cents: int) -> tuple[LoanRefundPlan, int, int]:
    """The refund's effect on the loan, and the discount and subsidy it reverses."""
    parts, period_start = _open_parts(loan)
    rate = Decimal(loan.rate_bps) / 10000 if loan.rate_bps else None
    result = plan_loan_refund(
        parts, amount_cents, annual_rate=rate, day_count=loan.day_count, period_start_on=period_start
    )
    before = refunded_before_cents(s, loan.order_id)
    discount = proportional_share(loan.merchant_discount_cents, loan.cash_price_cents, before, amount_cents)
    subsidy = proportional_share(loan.promo_subsidy_cents, loan.cash_price_cents, before, amount_cents)
    return result, discount, subsidy


def _refunded_by_intent(s: DbSession, loan: Loan) -> dict[str, int]:
    taken: dict[str, int] = {}
    for refund in s.scalars(select(MerchantRefund).filter_by(loan_id=loan.id)):
        for part in refund.stripe_refunds or []:
            taken[part["payment_intent"]] = taken.get(part["payment_intent"], 0) + int(part["cents"])
    return taken


def refund_to_card(s: DbSession, loan: Loan, cents: int, key: str) -> list[dict]:
    """Send `cents` back over the shopper's card payments on the loan, newest first;
    each Stripe refund carries a key derived from our refund's key."""
    taken, sent, left = _refunded_by_intent(s, loan), [], cents
    for payment in sorted(loan.payments, key=lambda p: p.id, reverse=True):
        pi = payment.stripe_payment_intent_id
        room = payment.amount_cents - taken.get(pi, 0) if pi else 0
        if left <= 0 or room <= 0 or pi is None:
            continue
        part = min(room, left)
        refund_id = payments.refund(pi, part, idempotency_key=f"merchant-refund:{key}:{pi}")
        sent.append({"payment_intent": pi, "refund": refund_id, "cents": part})
        left -= part
    if left > 0:
        raise MerchantError("The shopper's card payments on this loan cannot take that refund; contact support.")
    return sent


def apply(
    s: DbSession, loan: Loan, refund: MerchantRefund, result: LoanRefundPlan, order_fully_refunded: bool, today: date
) -> None:
    """Write the plan onto the installments, post the journal, close the loan when no principal is left."""
    by_number = {i.number: i for i in loan.installments}
    now = utcnow()
    for change in result.rows:
        row = by_number[change.number]
        row.principal_cents = row.paid_principal_cents + change.principal_cents
        row.interest_cents = change.interest_cents
        if row.is_paid and row.paid_at is None:
            row.paid_at = now
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    txn = ledger.post(
        s,
        "merchant_refund",
        [
            ledger.debit("merchant_payable", refund.merchant_net_cents, merchant_id=refund.merchant_id),
            ledger.debit("merchant_discount_income", refund.discount_cents),
            ledger.debit("promo_subsidy_income", refund.subsidy_cents),
            ledger.credit("loan_receivable", result.principal_reduction_cents, **ids),
            ledger.credit("cash", result.card_refund_cents),
        ],
        posted_on=today,
        loan_id=loan.id,
        order_id=loan.order_id,
        memo=f"{loan.number}: merchant refund {refund.idempotency_key[:24]}",
    )
    refund.journal_transaction_id = txn.id
    if all(i.paid_principal_cents == i.principal_cents for i in loan.installments):
        _close(loan, LoanStatus.CLOSED if order_fully_refunded else LoanStatus.PAID_OFF)
    s.flush()


def _close(loan: Loan, status: LoanStatus) -> None:
    """No principal left: unearned interest is waived and the loan is done (a full
    refund closes it); the line is free again (available credit comes from the journal)."""
    now = utcnow()
    loan.status, loan.paid_off_at = status, now
    for row in loan.installments:
        row.interest_cents, row.fee_cents = row.paid_interest_cents, row.paid_fee_cents
        if row.paid_at is None:
            row.paid_at = now
