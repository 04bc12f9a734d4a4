"""Loans, their installments and repayments.  Money in integer cents; rates in basis points."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

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

from shop.models.base import Model, utcnow
from shop.models.enums import InstallmentKind, LoanPaymentKind, LoanStatus, Product, check_in

if TYPE_CHECKING:
    from shop.models.orders import Order
    from shop.models.users import User


class Loan(Model):
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
    status: Mapped[str] = mapped_column(String(20), default=LoanStatus.ACTIVE)
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
    # Servicing state (credit.interest.LoanState): daily simple interest is accrued
    # through `accrued_through_on` (the last payment; NULL: the start).
    accrued_through_on: Mapped[date | None] = mapped_column(Date)
    balance_days: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of principal x days (rounding anchor)
    unpaid_interest_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    unpaid_fees_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    user: Mapped[User] = relationship()
    order: Mapped[Order] = relationship()
    installments: Mapped[list[LoanInstallment]] = relationship(
        back_populates="loan", order_by="LoanInstallment.number", cascade="all, delete-orphan"
    )
    payments: Mapped[list[LoanPayment]] = relationship(back_populates="loan", order_by="LoanPayment.id")

    __table_args__ = (
        CheckConstraint("financed_cents > 0", name="financed_positive"),
        CheckConstraint(check_in("status", LoanStatus), name="status_known"),
        CheckConstraint(check_in("product", Product), name="product_known"),
        CheckConstraint("down_payment_cents >= 0", name="down_payment_not_negative"),
    )


class LoanInstallment(Model):
    """One scheduled payment and how much of each part has been paid."""

    __tablename__ = "loan_installments"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
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
        CheckConstraint(check_in("kind", InstallmentKind), name="kind_known"),
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


class LoanPayment(Model):
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

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(check_in("kind", LoanPaymentKind), name="kind_known"),
    )
