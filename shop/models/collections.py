"""Collections: the contact log and promises to pay."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow
from shop.models.enums import ContactChannel, ContactOutcome, PromiseStatus, check_in


class CollectionContact(Model):
    __tablename__ = "collection_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    contacted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("channel", ContactChannel), name="channel_known"),
        CheckConstraint(check_in("outcome", ContactOutcome), name="outcome_known"),
    )


class PromiseToPay(Model):
    """A promise to pay `amount_cents` by `promised_on`; the daily run marks
    it kept (paid since `made_on`) or broken (the date passed unpaid)."""

    __tablename__ = "promises_to_pay"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_on: Mapped[date] = mapped_column(Date)
    promised_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=PromiseStatus.PENDING)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("status", PromiseStatus), name="status_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )
