"""A merchant refund on a financed order: the loan shrinks
(credit.servicing.apply_refund on the loan's servicing state: interest
accrues to the day on the old balance, the principal drops, the remaining
installments keep their amounts so the loan ends sooner, from the last one
back), what the shopper paid beyond the new balance goes back to their card,
and the journal reverses the merchant payable, discount and promo subsidy in
proportion (credit.refunds.proportional_share)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from credit.interest import LoanState, PaymentAllocation
from credit.refunds import proportional_share
from credit.servicing import apply_refund
from shop.gateways import stripe as payments
from shop.models import Loan, LoanStatus, MerchantRefund
from shop.models.base import DbSession
from shop.services import ledger
from shop.services.loan_state import state_of, write_payment
from shop.services.merchants import MerchantError


@dataclass(frozen=True)
class LoanRefundPlan:
    new_state: LoanState | None  # None: the loan was closed already, nothing to reduce
    principal_reduction_cents: int
    card_refund_cents: int
    discount_cents: int
    subsidy_cents: int


def refunded_before_cents(s: DbSession, order_id: int) -> int:
    return int(
        s.scalar(select(func.coalesce(func.sum(MerchantRefund.amount_cents), 0)).filter_by(order_id=order_id)) or 0
    )


def plan(s: DbSession, loan: Loan, amount_cents: int, today: date) -> LoanRefundPlan:
    """The refund's effect on the loan, and the discount and subsidy it reverses."""
    before = refunded_before_cents(s, loan.order_id)
    discount = proportional_share(loan.merchant_discount_cents, loan.cash_price_cents, before, amount_cents)
    subsidy = proportional_share(loan.promo_subsidy_cents, loan.cash_price_cents, before, amount_cents)
    state = state_of(loan)
    if loan.status != LoanStatus.ACTIVE or state.is_closed:
        return LoanRefundPlan(None, 0, amount_cents, discount, subsidy)
    new, overpaid = apply_refund(state, amount_cents, on=today)
    return LoanRefundPlan(new, amount_cents - overpaid, overpaid, discount, subsidy)


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
    """Write the new state onto the loan (the rows still due re-projected, those no
    longer needed removed), post the journal, close the loan when nothing is owed."""
    if result.new_state is not None:
        write_payment(s, loan, PaymentAllocation(0, 0, 0), result.new_state)
        if result.new_state.is_closed:
            loan.status = LoanStatus.CLOSED if order_fully_refunded else LoanStatus.PAID_OFF
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
    s.flush()
