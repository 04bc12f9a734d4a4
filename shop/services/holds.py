"""Referred applications: the order waits, with its stock taken, until a reviewer decides or the hold expires."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from shop.models import (
    CreditDecision,
    Listing,
    Order,
    OrderPaymentKind,
    OrderStatus,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import audit, orders
from shop.services.applications import review

HOLD_HOURS = 48  # stock held for an order awaiting credit review


def hold_order_for_review(
    s: DbSession,
    user: User,
    lines: list[orders.Line],
    address: orders.Address,
    key: str,
    application_id: int,
    hold_hours: int = HOLD_HOURS,
) -> Order:
    """A referred application: take the stock and keep the order waiting."""
    existing = orders.find_by_key(s, user, key)
    if existing is not None:
        return existing
    order = orders.build_order(
        s, user, lines, address, key, status=OrderStatus.AWAITING_CREDIT_REVIEW, kind=OrderPaymentKind.CREDIT
    )
    order.credit_application_id = application_id
    order.hold_expires_at = utcnow() + timedelta(hours=hold_hours)
    s.flush()
    return order


def held_order_of(s: DbSession, user: User) -> Order | None:
    return s.scalars(
        select(Order).filter_by(user_id=user.id, status=OrderStatus.AWAITING_CREDIT_REVIEW).order_by(Order.id.desc())
    ).first()


def release_order(s: DbSession, order: Order) -> None:
    """Cancel a held order and put its stock back."""
    for line in order.lines:
        s.execute(
            update(Listing)
            .where(Listing.id == line.listing_id)
            .values(stock=Listing.stock + line.quantity)
            .execution_options(synchronize_session=False)
        )
    order.status, order.hold_expires_at = OrderStatus.CANCELLED, None
    s.flush()


def finish_review(
    s: DbSession,
    application_id: int,
    approve: bool,
    reason: str,
    reviewer: str,
    *,
    actor: User | None = None,
    tier: str | None = None,
    line_cents: int | None = None,
    decline_codes: tuple[str, ...] = (),
) -> CreditDecision:
    """Record a reviewer's decision (the staff portal and `flask credit review` both
    come here) and audit it; a decline cancels the held order and releases its stock,
    an approval leaves it waiting for the shopper to choose an offer."""

    decision = review(
        s, application_id, approve, reason, reviewer, tier=tier, line_cents=line_cents, decline_codes=decline_codes
    )
    if not approve:
        for order in s.scalars(
            select(Order).filter_by(credit_application_id=application_id, status=OrderStatus.AWAITING_CREDIT_REVIEW)
        ):
            release_order(s, order)
    audit.record(
        s,
        actor,
        "application.approve" if approve else "application.decline",
        "application",
        application_id,
        reason=reason,
        detail={"reviewer": reviewer, "tier": decision.tier, "line_cents": decision.credit_line_cents}
        if approve
        else {"reviewer": reviewer, "reason_codes": list(decline_codes)},
        customer_id=decision.application.user_id,
    )
    return decision


def release_expired_holds(s: DbSession) -> int:
    expired = s.scalars(
        select(Order).where(Order.status == OrderStatus.AWAITING_CREDIT_REVIEW, Order.hold_expires_at < utcnow())
    ).all()
    for order in expired:
        release_order(s, order)
    return len(expired)
