"""Staff servicing actions on a loan (fee waiver, deferral, offline payment,
reversal).  Each keeps the installments as they were before it, so a
mistaken action is reversed by a compensating entry, never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow
from shop.models.enums import ServicingActionKind, check_in


class ServicingAction(Model):
    __tablename__ = "servicing_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    journal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))
    # A reversal names the action it compensates; unique, so nothing is reversed twice.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("servicing_actions.id"), unique=True)
    # The loan's installments and status before the action (numbers and dates only, no personal data).
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (CheckConstraint(check_in("kind", ServicingActionKind), name="kind_known"),)
