"""Region-wide relief programs and what they did to each loan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow
from shop.models.enums import ReliefEffectKind, ReliefStatus, check_in


class ReliefProgram(Model):
    """Relief for every loan billed in `regions` while `starts_on` <= date <= `ends_on`."""

    __tablename__ = "relief_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    regions: Mapped[list] = mapped_column(JSON)  # billing regions, e.g. ["LA", "MS"]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    waive_late_fees: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_late_fees: Mapped[bool] = mapped_column(Boolean, default=False)
    defer_days: Mapped[int] = mapped_column(Integer, default=0)
    pause_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=ReliefStatus.ACTIVE)
    ended_early_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("status", ReliefStatus), name="status_known"),
        CheckConstraint("ends_on >= starts_on", name="window_ordered"),
        CheckConstraint("defer_days >= 0", name="defer_days_not_negative"),
    )


class ReliefEffect(Model):
    """What one program did to one loan (once per kind)."""

    __tablename__ = "relief_effects"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("relief_programs.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    applied_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint("program_id", "loan_id", "kind", name="uq_relief_effects_program_loan_kind"),
        CheckConstraint(check_in("kind", ReliefEffectKind), name="kind_known"),
    )
