"""Settlements: close a period into one batch per merchant.

Per sale, the merchant payable is the price less the discount (the rate by
payment type from shop.services.merchant_pricing; for a financed sale, the
payable booked in the journal with the loan, promo subsidy included);
refunds are negative lines (what they reversed).  Each sale and refund
settles once (`SettlementLine.source_key` is unique), and a merchant's period
closes once: running `flask merchant settle --period-end D` again changes
nothing.

The batch's journal transaction pays the merchant out: the financed payable
(already in the journal) is debited, the card sales of the period are
recognised with their discount, and the net leaves as cash, so the payable
left for a merchant in the journal is what is not settled yet."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from credit.money import percent_of
from shop.models import (
    JournalEntry,
    JournalTransaction,
    Loan,
    Merchant,
    MerchantRefund,
    MerchantStatus,
    Order,
    OrderPaymentKind,
    SettlementBatch,
    SettlementLine,
    SettlementLineKind,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import ledger, merchant_orders, merchant_pricing
from shop.services.merchants import scoped


def _cutoff(period_end: date) -> datetime:
    return datetime.combine(period_end + timedelta(days=1), time.min).replace(tzinfo=utcnow().tzinfo)


def _settled_keys(s: DbSession, merchant_id: int) -> set[str]:
    stmt = (
        select(SettlementLine.source_key)
        .join(SettlementBatch, SettlementBatch.id == SettlementLine.batch_id)
        .where(SettlementBatch.merchant_id == merchant_id)
    )
    return set(s.scalars(stmt))


def _booked_payable(s: DbSession, order_id: int, merchant_id: int) -> int:
    stmt = (
        select(func.coalesce(func.sum(JournalEntry.credit_cents), 0))
        .join(JournalTransaction, JournalTransaction.id == JournalEntry.transaction_id)
        .where(
            JournalTransaction.kind == "loan_booked",
            JournalTransaction.order_id == order_id,
            JournalEntry.account == "merchant_payable",
            JournalEntry.merchant_id == merchant_id,
        )
    )
    return int(s.scalar(stmt) or 0)


def _sale(s: DbSession, order: Order, merchant_id: int) -> SettlementLine:
    gross = merchant_orders.merchant_total_cents(order, merchant_id)
    product = "card"
    if order.payment_kind == OrderPaymentKind.CREDIT:
        loan = s.scalars(select(Loan).filter_by(order_id=order.id)).first()
        product = loan.product if loan else "credit"
        discount = gross - _booked_payable(s, order.id, merchant_id)
    else:
        discount = percent_of(gross, merchant_pricing.card_percent(s))
    rate = merchant_pricing.sale_percent(s, product)
    return SettlementLine(
        source_key=f"sale:{order.id}:{merchant_id}",
        kind=SettlementLineKind.SALE,
        order_id=order.id,
        payment_kind=order.payment_kind,
        product=product,
        rate_bps=int(rate * 100),
        gross_cents=gross,
        discount_cents=discount,
        net_cents=gross - discount,
        occurred_at=order.paid_at,
    )


def _refund(refund: MerchantRefund) -> SettlementLine:
    discount = refund.discount_cents + refund.subsidy_cents
    return SettlementLine(
        source_key=f"refund:{refund.id}",
        kind=SettlementLineKind.REFUND,
        order_id=refund.order_id,
        refund_id=refund.id,
        payment_kind=refund.payment_kind,
        product=refund.payment_kind,
        rate_bps=0,
        gross_cents=-refund.amount_cents,
        discount_cents=-discount,
        net_cents=-refund.merchant_net_cents,
        occurred_at=refund.created_at,
    )


def open_lines(s: DbSession, merchant_id: int, period_end: date) -> list[SettlementLine]:
    """Sales and refunds up to `period_end` (inclusive, UTC) not in any batch yet."""
    cutoff, done = _cutoff(period_end), _settled_keys(s, merchant_id)
    orders = s.scalars(
        scoped(Order, merchant_id).where(Order.paid_at.is_not(None), Order.paid_at < cutoff).order_by(Order.id)
    )
    lines = [_sale(s, o, merchant_id) for o in orders if f"sale:{o.id}:{merchant_id}" not in done]
    refunds = s.scalars(
        scoped(MerchantRefund, merchant_id).where(MerchantRefund.created_at < cutoff).order_by(MerchantRefund.id)
    )
    return lines + [_refund(r) for r in refunds if f"refund:{r.id}" not in done]


def _latest_end(s: DbSession, merchant_id: int) -> date | None:
    return s.scalar(select(func.max(SettlementBatch.period_end)).filter_by(merchant_id=merchant_id))


def settle_merchant(s: DbSession, merchant: Merchant, period_end: date) -> SettlementBatch | None:
    """Close the merchant's period ending `period_end`; None when it is closed already."""
    latest = _latest_end(s, merchant.id)
    if latest is not None and latest >= period_end:
        return None
    lines = open_lines(s, merchant.id, period_end)
    if not lines and merchant.status != MerchantStatus.APPROVED:
        return None
    first = min((ln.occurred_at.date() for ln in lines), default=period_end)
    start = latest + timedelta(days=1) if latest else min(first, period_end)
    batch = SettlementBatch(
        merchant_id=merchant.id,
        period_start=start,
        period_end=period_end,
        gross_cents=sum(ln.gross_cents for ln in lines),
        discount_cents=sum(ln.discount_cents for ln in lines),
        net_cents=sum(ln.net_cents for ln in lines),
        lines=lines,
    )
    s.add(batch)
    s.flush()
    _post(s, batch, period_end)
    return batch


def _signed(account: str, cents: int, **ids) -> ledger.Leg:
    """A debit for a positive amount, a credit for a negative one."""
    return ledger.debit(account, cents, **ids) if cents >= 0 else ledger.credit(account, -cents, **ids)


def _post(s: DbSession, batch: SettlementBatch, period_end: date) -> None:
    financed = sum(ln.net_cents for ln in batch.lines if ln.payment_kind == OrderPaymentKind.CREDIT)
    card = [ln for ln in batch.lines if ln.payment_kind == OrderPaymentKind.CARD]
    legs = [
        _signed("merchant_payable", financed, merchant_id=batch.merchant_id),
        _signed("cash", sum(ln.gross_cents for ln in card)),
        _signed("merchant_discount_income", -sum(ln.discount_cents for ln in card)),
        _signed("cash", -batch.net_cents),
    ]
    if not any(leg.debit_cents or leg.credit_cents for leg in legs):
        return
    txn = ledger.post(
        s, "merchant_settlement", legs, posted_on=period_end, memo=f"settlement {batch.id} to {period_end}"
    )
    batch.journal_transaction_id = txn.id


def settle(s: DbSession, period_end: date) -> list[SettlementBatch]:
    """One batch per merchant for the period ending `period_end` (idempotent)."""
    batches = []
    for merchant in s.scalars(select(Merchant).order_by(Merchant.id)):
        batch = settle_merchant(s, merchant, period_end)
        if batch is not None:
            batches.append(batch)
    return batches


def payable_in_journal_cents(s: DbSession, merchant_id: int) -> int:
    """What the journal says we owe the merchant for financed sales not settled yet."""
    stmt = select(func.coalesce(func.sum(JournalEntry.credit_cents - JournalEntry.debit_cents), 0)).where(
        JournalEntry.account == "merchant_payable", JournalEntry.merchant_id == merchant_id
    )
    return int(s.scalar(stmt) or 0)


STATEMENT_HEADER = [
    "date",
    "kind",
    "order",
    "paid",
    "product",
    "rate_percent",
    "gross_cents",
    "discount_cents",
    "net_cents",
]


def order_numbers(s: DbSession, batch: SettlementBatch) -> dict[int, str]:
    stmt = select(Order.id, Order.number).where(Order.id.in_({ln.order_id for ln in batch.lines}))
    return {order_id: number for order_id, number in s.execute(stmt)}


def statement_rows(s: DbSession, batch: SettlementBatch) -> list[list[str]]:
    numbers = order_numbers(s, batch)
    return [
        [
            ln.occurred_at.date().isoformat(),
            ln.kind,
            numbers.get(ln.order_id, ""),
            "over time" if ln.payment_kind == OrderPaymentKind.CREDIT else "in full",
            ln.product,
            f"{ln.rate_bps / 100:.2f}",
            str(ln.gross_cents),
            str(ln.discount_cents),
            str(ln.net_cents),
        ]
        for ln in batch.lines
    ]
