"""Models of the lending side: policy versions, applications and decisions,
credit accounts, loans and their installments, repayments, and the
double-entry journal.  Money in integer cents; rates in basis points."""

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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.models import Order, User, utcnow
from shop.pii import Encrypted, EncryptedJSON


class PolicyVersion(db.Model):
    """A credit policy (cut-offs, tiers, offer catalog) as data. One is active;
    old versions are kept so stored decisions can be replayed."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    document: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CreditApplication(db.Model):
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
    status: Mapped[str] = mapped_column(String(20))  # approved|referred|declined|incomplete
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    user: Mapped[User] = relationship()
    decision: Mapped[CreditDecision | None] = relationship(back_populates="application", uselist=False)


class CreditDecision(db.Model):
    """The engine's decision (every stage, versions, latency) and, for a
    referral, the reviewer's final word."""

    __tablename__ = "credit_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("credit_applications.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
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


class CreditAccount(db.Model):
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


class Loan(db.Model):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("credit_decisions.id"))
    product: Mapped[str] = mapped_column(String(20))
    months: Mapped[int] = mapped_column(Integer)
    rate_bps: Mapped[int] = mapped_column(Integer)  # contract annual rate, e.g. 1999 = 19.99 %
    disclosed_apr_bps: Mapped[int] = mapped_column(Integer)
    day_count: Mapped[str] = mapped_column(String(10), default="30/360")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    cash_price_cents: Mapped[int] = mapped_column(BigInteger)
    down_payment_cents: Mapped[int] = mapped_column(BigInteger)
    financed_cents: Mapped[int] = mapped_column(BigInteger)
    finance_charge_cents: Mapped[int] = mapped_column(BigInteger)
    total_of_payments_cents: Mapped[int] = mapped_column(BigInteger)
    merchant_discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    promo_subsidy_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    start_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active|paid_off
    autopay: Mapped[bool] = mapped_column(Boolean, default=True)
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    disclosure: Mapped[dict] = mapped_column(JSON)
    agreement_version: Mapped[str] = mapped_column(String(40))
    agreement_html: Mapped[str] = mapped_column(Text)
    accepted_name: Mapped[str] = mapped_column(String(120))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_ip: Mapped[str] = mapped_column(String(64))
    accepted_user_agent: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    paid_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
    order: Mapped[Order] = relationship()
    installments: Mapped[list[LoanInstallment]] = relationship(
        back_populates="loan", order_by="LoanInstallment.number", cascade="all, delete-orphan"
    )
    payments: Mapped[list[LoanPayment]] = relationship(back_populates="loan", order_by="LoanPayment.id")

    __table_args__ = (
        CheckConstraint("financed_cents > 0", name="financed_positive"),
        CheckConstraint("down_payment_cents >= 0", name="down_payment_not_negative"),
    )


class LoanInstallment(db.Model):
    """One scheduled payment and how much of each part has been paid."""

    __tablename__ = "loan_installments"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # down_payment | installment
    due_on: Mapped[date] = mapped_column(Date)
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    interest_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_principal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_interest_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    loan: Mapped[Loan] = relationship(back_populates="installments")

    __table_args__ = (
        UniqueConstraint("loan_id", "number", name="uq_loan_installments_loan_number"),
        CheckConstraint("paid_principal_cents <= principal_cents", name="principal_not_overpaid"),
        CheckConstraint("paid_interest_cents <= interest_cents", name="interest_not_overpaid"),
        CheckConstraint("paid_fee_cents <= fee_cents", name="fee_not_overpaid"),
    )

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.interest_cents + self.fee_cents

    @property
    def paid_cents(self) -> int:
        return self.paid_principal_cents + self.paid_interest_cents + self.paid_fee_cents

    @property
    def owed_cents(self) -> int:
        return self.total_cents - self.paid_cents

    @property
    def is_paid(self) -> bool:
        return self.owed_cents == 0


class LoanPayment(db.Model):
    """Money received on a loan (down payment, installment, any amount, payoff)."""

    __tablename__ = "loan_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    allocation: Mapped[dict] = mapped_column(JSON)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    journal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    loan: Mapped[Loan] = relationship(back_populates="payments")

    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)


class JournalTransaction(db.Model):
    """One balanced double-entry posting (sum of debits = sum of credits)."""

    __tablename__ = "journal_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    memo: Mapped[str] = mapped_column(String(200), default="")
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    posted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    entries: Mapped[list[JournalEntry]] = relationship(back_populates="transaction", cascade="all, delete-orphan")


class JournalEntry(db.Model):
    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(40), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    debit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    transaction: Mapped[JournalTransaction] = relationship(back_populates="entries")

    __table_args__ = (
        CheckConstraint("debit_cents >= 0 AND credit_cents >= 0", name="sides_not_negative"),
        CheckConstraint("(debit_cents = 0) <> (credit_cents = 0)", name="one_side_only"),
    )
