"""Servicing after checkout: servicing policy versions, the business dates run,
each loan's delinquency state, late fees and credit-line events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow
from shop.models.enums import CreditLineEventKind, DelinquencyStage, check_in


class ServicingPolicyVersion(Model):
    """A servicing policy (grace, late fees, stages, charge-off, collection strategy) as data.
    One is active; old versions are kept so every business date can be explained."""

    __tablename__ = "servicing_policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    document: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BusinessDay(Model):
    """One business date processed by `flask credit run-day` (at most once)."""

    __tablename__ = "business_days"

    business_on: Mapped[date] = mapped_column(Date, primary_key=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class LoanServicing(Model):
    """A loan's servicing state, kept by the daily run (one row per loan)."""

    __tablename__ = "loan_servicing"

    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dpd: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(20), default=DelinquencyStage.CURRENT)
    oldest_due_on: Mapped[date | None] = mapped_column(Date)
    past_due_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    late_fees_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # assessed so far (the cap counts these)
    autopay_failures: Mapped[int] = mapped_column(Integer, default=0)
    autopay_first_failed_on: Mapped[date | None] = mapped_column(Date)
    autopay_retry_on: Mapped[date | None] = mapped_column(Date)
    autopay_last_attempt_on: Mapped[date | None] = mapped_column(Date)
    autopay_paused_on: Mapped[date | None] = mapped_column(Date)
    next_action_on: Mapped[date | None] = mapped_column(Date)
    current_since: Mapped[date | None] = mapped_column(Date)  # last date it was brought current (or its start)
    charged_off_on: Mapped[date | None] = mapped_column(Date)
    charged_off_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(check_in("stage", DelinquencyStage), name="stage_known"),
        CheckConstraint("dpd >= 0", name="dpd_not_negative"),
        Index("ix_loan_servicing_stage_dpd", "stage", "dpd"),
    )


class LateFee(Model):
    """The one late fee of an installment (unique), posted to the journal."""

    __tablename__ = "late_fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("loan_installments.id"), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    waived_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    assessed_on: Mapped[date] = mapped_column(Date, index=True)
    journal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))

    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)


class CreditLineEvent(Model):
    """A behaviour signal on a shopper's credit line, with the reason they see."""

    __tablename__ = "credit_line_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    occurred_on: Mapped[date] = mapped_column(Date)
    old_line_cents: Mapped[int] = mapped_column(BigInteger)
    new_line_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (CheckConstraint(check_in("kind", CreditLineEventKind), name="kind_known"),)
