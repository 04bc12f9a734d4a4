"""Delivering the outbox: claim a batch of due messages (row locks that skip
rows another sender holds, on PostgreSQL), send each, record the outcome;
a failed send is retried with exponential backoff, then marked failed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from shop.models import OutboxMessage, OutboxStatus
from shop.models.base import DbSession
from shop.services import notices

MAX_ATTEMPTS = 6
BASE_DELAY = timedelta(seconds=30)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... after the 1st, 2nd, 3rd failure."""
    return BASE_DELAY * (2 ** (attempts - 1))


def claim(s: DbSession, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Due pending messages, locked for this sender (SKIP LOCKED: concurrent
    senders take disjoint batches; SQLite serialises writers anyway)."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(s.scalars(stmt))


def deliver(
    s: DbSession, message: OutboxMessage, send: Callable[[notices.RenderedNotice], None], now: datetime
) -> bool:
    """Render and send one message; True when it went out."""
    try:
        send(notices.render(s, message))
    except Exception as e:  # noqa: BLE001 - any delivery failure is retried, then reported
        message.attempts += 1
        message.last_error = f"{type(e).__name__}: {e}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        s.flush()
        return False
    message.status, message.sent_at, message.attempts = OutboxStatus.SENT, now, message.attempts + 1
    s.flush()
    return True
