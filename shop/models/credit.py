"""Credit: policy versions, applications and decisions, credit accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Model, utcnow
from shop.models.enums import ApplicationStatus, DecisionOutcome, PolicyStatus, check_in

if TYPE_CHECKING:
    from shop.models.users import User
from shop.pii import Encrypted, EncryptedJSON


class PolicyVersion(Model):
    """A credit policy (cut-offs, tiers, offer catalog) as data. One is active;
    old versions are kept so stored decisions can be replayed."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    document: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: seeded or the CLI
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who activated it last

    @property
    def status(self) -> PolicyStatus:
        """Derived, so it cannot drift: active now, active once (retired), or never (a draft)."""
        if self.active:
            return PolicyStatus.ACTIVE
        return PolicyStatus.RETIRED if self.activated_at is not None else PolicyStatus.DRAFT


class CreditApplication(Model):
    """What the shopper entered, with their recorded consent.

    The national ID is stored encrypted, plus a keyed hash (for matching
    across accounts) and its last four digits; name and birth date are
    encrypted too."""

    __tablename__ = "credit_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    legal_name: Mapped[str] = mapped_column(Encrypted)
    date_of_birth: Mapped[str] = mapped_column(Encrypted)  # ISO date, encrypted
    national_id: Mapped[str] = mapped_column(Encrypted)
    national_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    national_id_last4: Mapped[str] = mapped_column(String(4))
    monthly_income_cents: Mapped[int] = mapped_column(BigInteger)
    income_source: Mapped[str] = mapped_column(String(20))
    employment_months: Mapped[int] = mapped_column(Integer)
    housing: Mapped[str] = mapped_column(String(10))
    other_installment_plans: Mapped[str] = mapped_column(String(10))
    savings_band: Mapped[str] = mapped_column(String(20))
    checking_band: Mapped[str | None] = mapped_column(String(20))  # asked since scorecard v2 (policy 2026.3)
    residence_years: Mapped[int] = mapped_column(Integer)
    billing_region: Mapped[str] = mapped_column(String(2))
    shipping_region: Mapped[str | None] = mapped_column(String(2))
    existing_monthly_debt_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    requested_amount_cents: Mapped[int] = mapped_column(BigInteger)
    consent_version: Mapped[str] = mapped_column(String(40))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_ip: Mapped[str] = mapped_column(String(64))
    consent_user_agent: Mapped[str] = mapped_column(String(400))
    device_id: Mapped[str | None] = mapped_column(String(64), index=True)
    ip_address: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    __table_args__ = (CheckConstraint(check_in("status", ApplicationStatus), name="status_known"),)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    user: Mapped[User] = relationship()
    decision: Mapped[CreditDecision | None] = relationship(back_populates="application", uselist=False)


class CreditDecision(Model):
    """The engine's decision (every stage, versions, latency) and, for a
    referral, the reviewer's final word."""

    __tablename__ = "credit_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("credit_applications.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    __table_args__ = (CheckConstraint(check_in("outcome", DecisionOutcome), name="outcome_known"),)
    tier: Mapped[str | None] = mapped_column(String(1))
    score: Mapped[int | None] = mapped_column(Integer)
    credit_line_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    policy_version: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[str] = mapped_column(String(60))
    latency_us: Mapped[int] = mapped_column(Integer)
    # Decision.to_dict(): inputs (with the birth date), stages, reasons; encrypted at rest.
    result: Mapped[dict] = mapped_column(EncryptedJSON)
    adverse_action_notice: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    application: Mapped[CreditApplication] = relationship(back_populates="decision")


class CreditAccount(Model):
    """A shopper's credit line. Available credit is derived: the line minus
    the open principal of their loans in the journal."""

    __tablename__ = "credit_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    credit_line_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    tier: Mapped[str | None] = mapped_column(String(1))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("credit_decisions.id"))
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint("credit_line_cents >= 0", name="line_not_negative"),)
