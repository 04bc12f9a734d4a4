"""Hardship: a shopper's request for help and the staff decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow
from shop.models.enums import HardshipRemedy, HardshipStatus, check_in


class HardshipRequest(Model):
    __tablename__ = "hardship_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    can_pay_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default=HardshipStatus.REQUESTED)
    remedy: Mapped[str | None] = mapped_column(String(16))
    installments: Mapped[int | None] = mapped_column(Integer)  # deferred installments / extra months
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    journal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("status", HardshipStatus), name="status_known"),
        CheckConstraint(check_in("remedy", HardshipRemedy), name="remedy_known"),
        CheckConstraint("can_pay_cents >= 0", name="can_pay_not_negative"),
    )
