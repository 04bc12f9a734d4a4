"""A merchant's orders: filtered lists (and their CSV), the merchant's lines
of one order with what was shipped and refunded, and shipping.

Every query is scoped to the merchant (shop.services.merchants.scoped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from shop.models import (
    MerchantRefund,
    MerchantRefundKind,
    MerchantRefundLine,
    Order,
    OrderLine,
    OrderPaymentKind,
    OrderStatus,
    Shipment,
    ShipmentLine,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services.merchants import MerchantError, scoped

ORDER_STATUSES = tuple(s.value for s in OrderStatus)


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    paid: str = ""  # "card" (in full) | "credit" (over time) | ""


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=utcnow().tzinfo)


def filtered(merchant_id: int, f: OrderFilter) -> Select:
    stmt = scoped(Order, merchant_id).order_by(Order.created_at.desc(), Order.id.desc())
    if f.status in ORDER_STATUSES:
        stmt = stmt.where(Order.status == f.status)
    if f.paid in (OrderPaymentKind.CARD, OrderPaymentKind.CREDIT):
        stmt = stmt.where(Order.payment_kind == f.paid)
    if f.date_from:
        stmt = stmt.where(Order.created_at >= _start(f.date_from))
    if f.date_to:
        stmt = stmt.where(Order.created_at < _start(f.date_to + timedelta(days=1)))
    return stmt


@dataclass(frozen=True)
class LineState:
    line: OrderLine
    refunded_qty: int
    shipment: Shipment | None

    @property
    def refundable_qty(self) -> int:
        return self.line.quantity - self.refunded_qty

    @property
    def can_ship(self) -> bool:
        return self.shipment is None and self.refundable_qty > 0

    @property
    def label(self) -> str:
        if self.refunded_qty == self.line.quantity:
            return "refunded"
        if self.shipment is not None:
            return "shipped" + (f", {self.refunded_qty} refunded" if self.refunded_qty else "")
        return "to ship" + (f", {self.refunded_qty} refunded" if self.refunded_qty else "")


def refunded_quantities(s: DbSession, order_id: int) -> dict[int, int]:
    rows = s.execute(
        select(MerchantRefundLine.order_line_id, func.sum(MerchantRefundLine.quantity))
        .join(MerchantRefund, MerchantRefund.id == MerchantRefundLine.refund_id)
        .where(MerchantRefund.order_id == order_id)
        .group_by(MerchantRefundLine.order_line_id)
    ).all()
    return {line_id: int(qty) for line_id, qty in rows}


def _shipments_by_line(s: DbSession, order_id: int) -> dict[int, Shipment]:
    rows = s.execute(
        select(ShipmentLine.order_line_id, Shipment)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order_id)
    ).all()
    return {line_id: shipment for line_id, shipment in rows}


def line_states(s: DbSession, order: Order, merchant_id: int | None) -> list[LineState]:
    """The order's lines (only this merchant's, unless None) with refunds and shipments."""
    refunded, shipped = refunded_quantities(s, order.id), _shipments_by_line(s, order.id)
    return [
        LineState(line, refunded.get(line.id, 0), shipped.get(line.id))
        for line in order.lines
        if merchant_id is None or line.merchant_id == merchant_id
    ]


def shipments_of(s: DbSession, order: Order) -> list[Shipment]:
    """Every shipment of an order (the shopper's order page lists them)."""
    return list(s.scalars(select(Shipment).filter_by(order_id=order.id).order_by(Shipment.shipped_at, Shipment.id)))


def is_paid(order: Order) -> bool:
    return order.paid_at is not None and order.status not in (OrderStatus.AWAITING_CREDIT_REVIEW,)


def ship(
    s: DbSession, order: Order, merchant_id: int, line_ids: list[int], carrier: str, tracking: str, by: User
) -> Shipment:
    """Ship the chosen (not yet shipped, not fully refunded) lines of this merchant."""
    if not is_paid(order):
        raise MerchantError("This order is not paid yet: it cannot be shipped.")
    states = {st.line.id: st for st in line_states(s, order, merchant_id)}
    chosen = [states[i] for i in line_ids if i in states]
    if not chosen or len(chosen) != len(set(line_ids)):
        raise MerchantError("Choose at least one of your lines to ship.")
    if any(not st.can_ship for st in chosen):
        raise MerchantError("A chosen line was shipped or refunded already.")
    shipment = Shipment(
        order_id=order.id,
        merchant_id=merchant_id,
        carrier=carrier.strip(),
        tracking_number=tracking.strip(),
        created_by_id=by.id,
        lines=[ShipmentLine(order_line_id=st.line.id, quantity=st.refundable_qty) for st in chosen],
    )
    s.add(shipment)
    s.flush()
    update_status(s, order)
    return shipment


def update_status(s: DbSession, order: Order) -> None:
    """The order's status from its lines: refunded (or cancelled) when every unit was
    refunded, partly refunded, shipped when every line left, else as paid."""
    states = line_states(s, order, None)
    refunded = sum(st.refunded_qty for st in states)
    if refunded and refunded == sum(st.line.quantity for st in states):
        kinds = set(s.scalars(select(MerchantRefund.kind).filter_by(order_id=order.id)))
        order.status = OrderStatus.CANCELLED if kinds == {MerchantRefundKind.CANCEL} else OrderStatus.REFUNDED
    elif refunded:
        order.status = OrderStatus.PARTIALLY_REFUNDED
    elif states and all(st.shipment is not None for st in states):
        order.status = OrderStatus.SHIPPED
    s.flush()


CSV_HEADER = ["order", "placed_at", "status", "paid", "your_lines", "your_units", "your_total_cents", "currency"]


def csv_rows(s: DbSession, merchant_id: int, f: OrderFilter) -> list[list[str]]:
    rows = []
    for order in s.scalars(filtered(merchant_id, f)):
        mine = [line for line in order.lines if line.merchant_id == merchant_id]
        rows.append(
            [
                order.number,
                order.created_at.isoformat(timespec="seconds"),
                order.status,
                "over time" if order.payment_kind == OrderPaymentKind.CREDIT else "in full",
                str(len(mine)),
                str(sum(line.quantity for line in mine)),
                str(sum(line.line_total_cents for line in mine)),
                order.currency,
            ]
        )
    return rows


def merchant_total_cents(order: Order, merchant_id: int) -> int:
    return sum(line.line_total_cents for line in order.lines if line.merchant_id == merchant_id)
