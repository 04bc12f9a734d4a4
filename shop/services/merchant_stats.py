"""The merchant dashboard's figures: sales this week and month, the share paid
over time, the refund rate, top listings and daily sales (paid orders only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func

from shop.models import MerchantRefund, Order, OrderLine, OrderPaymentKind, utcnow
from shop.models.base import DbSession
from shop.services.merchants import scoped


@dataclass(frozen=True)
class Dashboard:
    week_cents: int
    month_cents: int
    total_cents: int
    over_time_share: float  # 0..1 of sales paid over time
    refund_rate: float  # 0..1 of sales refunded
    top: list[tuple[str, int, int]]  # (title, units, cents)
    daily: list[tuple[date, int]]  # the last 30 days


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=utcnow().tzinfo)


def _paid_lines(merchant_id: int):
    return scoped(OrderLine, merchant_id).join(Order, Order.id == OrderLine.order_id).where(Order.paid_at.is_not(None))


def _sum_since(s: DbSession, merchant_id: int, since: date | None) -> int:
    stmt = _paid_lines(merchant_id).with_only_columns(func.coalesce(func.sum(OrderLine.line_total_cents), 0))
    if since:
        stmt = stmt.where(Order.paid_at >= _at(since))
    return int(s.scalar(stmt) or 0)


def dashboard(s: DbSession, merchant_id: int, today: date | None = None) -> Dashboard:
    today = today or utcnow().date()
    total = _sum_since(s, merchant_id, None)
    over_time = int(
        s.scalar(
            _paid_lines(merchant_id)
            .with_only_columns(func.coalesce(func.sum(OrderLine.line_total_cents), 0))
            .where(Order.payment_kind == OrderPaymentKind.CREDIT)
        )
        or 0
    )
    refunded = int(
        s.scalar(
            scoped(MerchantRefund, merchant_id).with_only_columns(
                func.coalesce(func.sum(MerchantRefund.amount_cents), 0)
            )
        )
        or 0
    )
    return Dashboard(
        week_cents=_sum_since(s, merchant_id, today - timedelta(days=today.weekday())),
        month_cents=_sum_since(s, merchant_id, today.replace(day=1)),
        total_cents=total,
        over_time_share=over_time / total if total else 0.0,
        refund_rate=refunded / total if total else 0.0,
        top=_top(s, merchant_id),
        daily=_daily(s, merchant_id, today),
    )


def _top(s: DbSession, merchant_id: int, n: int = 5) -> list[tuple[str, int, int]]:
    cents = func.sum(OrderLine.line_total_cents)
    rows = s.execute(
        _paid_lines(merchant_id)
        .with_only_columns(OrderLine.title, func.sum(OrderLine.quantity), cents)
        .group_by(OrderLine.listing_id, OrderLine.title)
        .order_by(cents.desc(), OrderLine.title)
        .limit(n)
    ).all()
    return [(title, int(units), int(total)) for title, units, total in rows]


def _daily(s: DbSession, merchant_id: int, today: date, days: int = 30) -> list[tuple[date, int]]:
    first = today - timedelta(days=days - 1)
    totals = {first + timedelta(days=n): 0 for n in range(days)}
    rows = s.execute(
        _paid_lines(merchant_id)
        .with_only_columns(Order.paid_at, OrderLine.line_total_cents)
        .where(Order.paid_at >= _at(first))
    ).all()
    for paid_at, cents in rows:
        day = paid_at.date()
        if day in totals:
            totals[day] += int(cents)
    return sorted(totals.items())
