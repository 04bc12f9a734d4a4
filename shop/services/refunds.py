"""Merchant refunds and cancellations, full or per line and quantity, with a reason.

* Card order: a Stripe refund of the lines' price, with a deterministic
  idempotency key derived from the form's refund key.
* Financed order: the loan shrinks (shop.services.loan_refunds).
* A refund never exceeds what was paid for those lines (quantities are
  checked against what was refunded before, under the order's row lock); a
  double submit finds the first refund by its unique key and refunds once;
  Stripe failing raises PaymentError before anything is written, so the
  caller's rollback leaves the loan unchanged.

Lock order (as at checkout): the shopper's credit account, then the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from credit.money import percent_of
from credit.refunds import proportional_share
from shop.gateways import stripe as payments
from shop.models import (
    Listing,
    Loan,
    MerchantRefund,
    MerchantRefundKind,
    MerchantRefundLine,
    Order,
    OrderPaymentKind,
    PaymentStatus,
    Refund,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import loan_refunds, merchant_orders, merchant_pricing
from shop.services.credit_accounts import lock_account
from shop.services.merchants import MerchantError


@dataclass(frozen=True)
class RefundRequest:
    key: str
    quantities: dict[int, int]  # order line id -> units to refund
    reason: str
    kind: str = MerchantRefundKind.REFUND


def loan_of(s: DbSession, order: Order) -> Loan | None:
    return s.scalars(select(Loan).filter_by(order_id=order.id)).first()


def _existing(s: DbSession, key: str, order: Order, merchant_id: int) -> MerchantRefund | None:
    done = s.scalars(select(MerchantRefund).filter_by(idempotency_key=key)).first()
    if done is not None and (done.order_id != order.id or done.merchant_id != merchant_id):
        raise MerchantError("This refund form is not valid for this order; reload the page.")
    return done


def _lock(s: DbSession, order: Order, loan: Loan | None) -> None:
    if loan is not None:
        lock_account(s, s.get_one(User, loan.user_id))
    s.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(currency=Order.currency)
        .execution_options(synchronize_session=False)
    )
    s.refresh(order)


def _quantities(s: DbSession, order: Order, merchant_id: int, req: RefundRequest) -> dict[int, int]:
    states = {st.line.id: st for st in merchant_orders.line_states(s, order, merchant_id)}
    if req.kind == MerchantRefundKind.CANCEL:
        if any(st.shipment is not None for st in states.values()):
            raise MerchantError("Lines of this order were shipped already: refund them instead of cancelling.")
        wanted = {line_id: st.refundable_qty for line_id, st in states.items() if st.refundable_qty}
    else:
        wanted = {line_id: qty for line_id, qty in req.quantities.items() if qty}
    if not wanted:
        raise MerchantError("Nothing to refund: choose the lines and quantities.")
    for line_id, qty in wanted.items():
        state = states.get(line_id)
        if state is None or qty < 0:
            raise MerchantError("Refund only lines of your own in this order.")
        if qty > state.refundable_qty:
            raise MerchantError(f"“{state.line.title}”: at most {state.refundable_qty} unit(s) can still be refunded.")
    return wanted


def refund(
    s: DbSession, order: Order, merchant_id: int, req: RefundRequest, by: User, today: date | None = None
) -> MerchantRefund:
    """Refund (or cancel) this merchant's lines of `order` once per key; see the module doc."""
    today = today or utcnow().date()
    if not req.reason.strip():
        raise MerchantError("Give a reason for the refund.")
    done = _existing(s, req.key, order, merchant_id)
    if done is not None:
        return done
    loan = loan_of(s, order) if order.payment_kind == OrderPaymentKind.CREDIT else None
    _lock(s, order, loan)
    done = _existing(s, req.key, order, merchant_id)  # a concurrent submit finished while we waited
    if done is not None:
        return done
    if not merchant_orders.is_paid(order):
        raise MerchantError("This order is not paid: there is nothing to refund.")
    wanted = _quantities(s, order, merchant_id, req)
    lines = {line.id: line for line in order.lines}
    amount = sum(lines[i].unit_price_cents * qty for i, qty in wanted.items())
    row = MerchantRefund(
        idempotency_key=req.key,
        merchant_id=merchant_id,
        order_id=order.id,
        loan_id=loan.id if loan else None,
        kind=req.kind,
        payment_kind=order.payment_kind,
        amount_cents=amount,
        reason=req.reason.strip(),
        created_by_id=by.id,
        lines=[
            MerchantRefundLine(order_line_id=i, quantity=q, amount_cents=lines[i].unit_price_cents * q)
            for i, q in sorted(wanted.items())
        ],
    )
    if loan is not None:
        _financed(s, order, loan, row, today)
    else:
        _card(s, order, merchant_id, row)
    if req.kind == MerchantRefundKind.CANCEL:
        _restock(s, [(lines[i].listing_id, q) for i, q in wanted.items()])
    s.flush()
    merchant_orders.update_status(s, order)
    return row


def _card(s: DbSession, order: Order, merchant_id: int, row: MerchantRefund) -> None:
    payment = next((p for p in order.payments if p.status != PaymentStatus.REFUNDED), None)
    if payment is None:
        raise MerchantError("This order has no card payment left to refund.")
    gross = merchant_orders.merchant_total_cents(order, merchant_id)
    before = sum(
        r.amount_cents for r in s.scalars(select(MerchantRefund).filter_by(order_id=order.id, merchant_id=merchant_id))
    )
    discount_total = percent_of(gross, merchant_pricing.card_percent(s))
    row.discount_cents = proportional_share(discount_total, gross, before, row.amount_cents)
    row.merchant_net_cents = row.amount_cents - row.discount_cents
    refund_id = payments.refund(
        payment.stripe_payment_intent_id, row.amount_cents, idempotency_key=f"merchant-refund:{row.idempotency_key}"
    )
    refunded = sum(r.amount_cents for r in payment.refunds) + row.amount_cents
    row.card_refund_cents = row.amount_cents
    row.stripe_refunds = [
        {"payment_intent": payment.stripe_payment_intent_id, "refund": refund_id, "cents": row.amount_cents}
    ]
    s.add(row)
    s.add(
        Refund(
            payment=payment,
            order_id=order.id,
            stripe_refund_id=refund_id,
            amount_cents=row.amount_cents,
            reason=row.reason[:200],
        )
    )
    payment.status = PaymentStatus.REFUNDED if refunded >= payment.amount_cents else PaymentStatus.PARTIALLY_REFUNDED


def _financed(s: DbSession, order: Order, loan: Loan, row: MerchantRefund, today: date) -> None:
    result = loan_refunds.plan(s, loan, row.amount_cents, today)
    fully = loan_refunds.refunded_before_cents(s, order.id) + row.amount_cents >= order.total_cents
    row.discount_cents, row.subsidy_cents = result.discount_cents, result.subsidy_cents
    row.merchant_net_cents = row.amount_cents - result.discount_cents - result.subsidy_cents
    row.principal_reduction_cents, row.card_refund_cents = result.principal_reduction_cents, result.card_refund_cents
    if result.card_refund_cents:
        row.stripe_refunds = loan_refunds.refund_to_card(s, loan, result.card_refund_cents, row.idempotency_key)
    s.add(row)
    s.flush()
    loan_refunds.apply(s, loan, row, result, fully, today)


def _restock(s: DbSession, items: list[tuple[int, int]]) -> None:
    """Cancelled units go back on sale (in listing-id order, like checkout's locks)."""
    for listing_id, qty in sorted(items):
        s.execute(
            update(Listing)
            .where(Listing.id == listing_id)
            .values(stock=Listing.stock + qty)
            .execution_options(synchronize_session=False)
        )


def refunds_of_order(s: DbSession, order: Order, merchant_id: int | None = None) -> list[MerchantRefund]:
    stmt = select(MerchantRefund).filter_by(order_id=order.id).order_by(MerchantRefund.id)
    if merchant_id is not None:
        stmt = stmt.where(MerchantRefund.merchant_id == merchant_id)
    return list(s.scalars(stmt))


def refunds_of_loan(s: DbSession, loan: Loan) -> list[MerchantRefund]:
    """What changed a loan's schedule (the shopper's loan page says why)."""
    return list(s.scalars(select(MerchantRefund).filter_by(loan_id=loan.id).order_by(MerchantRefund.id)))
