"""Settlements: a closed period's sales and refunds per merchant, and what we pay them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Model, utcnow
from shop.models.enums import OrderPaymentKind, SettlementLineKind, check_in


class SettlementBatch(Model):
    """One merchant's closed period (`flask merchant settle --period-end DATE`).
    gross - discount = net; refunds are negative lines."""

    __tablename__ = "settlement_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    gross_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    net_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    journal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[SettlementLine]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="SettlementLine.id"
    )

    __table_args__ = (UniqueConstraint("merchant_id", "period_end", name="uq_settlement_batches_merchant_period"),)


class SettlementLine(Model):
    """A sale (one order's lines of this merchant) or a refund in a batch.
    `source_key` ("sale:ORDER:MERCHANT" / "refund:ID") makes each settle once."""

    __tablename__ = "settlement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("settlement_batches.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("merchant_refunds.id"))
    payment_kind: Mapped[str] = mapped_column(String(10))
    product: Mapped[str] = mapped_column(String(20), default="card")
    rate_bps: Mapped[int] = mapped_column(Integer, default=0)  # the discount rate applied, for the statement
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    discount_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    batch: Mapped[SettlementBatch] = relationship(back_populates="lines")

    __table_args__ = (
        CheckConstraint(check_in("kind", SettlementLineKind), name="kind_known"),
        CheckConstraint(check_in("payment_kind", OrderPaymentKind), name="payment_kind_known"),
        CheckConstraint("gross_cents - discount_cents = net_cents", name="net_is_gross_less_discount"),
    )
