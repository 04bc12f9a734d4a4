"""Merchant refunds and cancellations of order lines (a card order: a Stripe
refund; a financed order: the loan reduced, any overpayment refunded to the card)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Model, utcnow
from shop.models.enums import MerchantRefundKind, OrderPaymentKind, check_in
from shop.models.orders import Order, OrderLine


class MerchantRefund(Model):
    """One refund a merchant made, under a unique key from the form (a double
    submit finds the first one).  Amounts in cents:

    * amount: what the refunded units cost the shopper;
    * principal_reduction: how much the loan's principal went down (financed);
    * card_refund: money sent back to the shopper's card (the whole amount for
      a card order; what they had paid beyond the new balance for a loan);
    * discount, subsidy, merchant_net: the merchant discount, the promo
      subsidy and the merchant payable reversed (amount = discount + subsidy + net)."""

    __tablename__ = "merchant_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=MerchantRefundKind.REFUND)
    payment_kind: Mapped[str] = mapped_column(String(10))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    principal_reduction_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    card_refund_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    subsidy_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    merchant_net_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    stripe_refunds: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list
    )  # [{payment_intent, refund, cents}]
    journal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    order: Mapped[Order] = relationship()
    lines: Mapped[list[MerchantRefundLine]] = relationship(
        back_populates="refund", cascade="all, delete-orphan", order_by="MerchantRefundLine.id"
    )

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("principal_reduction_cents >= 0 AND card_refund_cents >= 0", name="parts_not_negative"),
        CheckConstraint(check_in("kind", MerchantRefundKind), name="kind_known"),
        CheckConstraint(check_in("payment_kind", OrderPaymentKind), name="payment_kind_known"),
    )


class MerchantRefundLine(Model):
    __tablename__ = "merchant_refund_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("merchant_refunds.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    refund: Mapped[MerchantRefund] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
