"""The e-mail outbox: notices written in the same transaction as their event,
delivered later by `flask outbox send`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow
from shop.models.enums import NoticeKind, OutboxStatus, check_in


class OutboxMessage(Model):
    """One notice to a shopper.  `dedupe_key` makes writing it idempotent
    (a business date run twice writes each notice once); the text is rendered
    from templates/emails/ when it is sent or shown."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    on_date: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(check_in("kind", NoticeKind), name="kind_known"),
        CheckConstraint(check_in("status", OutboxStatus), name="status_known"),
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )
