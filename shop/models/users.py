"""Accounts: users (shoppers, merchant staff, lender staff) and merchants."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Model, utcnow
from shop.models.enums import MerchantStatus, Role, StaffRole, check_in
from shop.pii import Encrypted

if TYPE_CHECKING:
    from shop.models.catalog import Listing


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.SHOPPER.value)
    staff_role: Mapped[str | None] = mapped_column(String(16))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    merchant: Mapped[Merchant | None] = relationship(back_populates="users")

    __table_args__ = (
        CheckConstraint("role in ('shopper', 'merchant', 'staff')", name="role_known"),
        CheckConstraint(check_in("staff_role", StaffRole), name="staff_role_known"),
    )

    # Flask-Login's user protocol (written out so the models import nothing from Flask).
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_shopper(self) -> bool:
        return self.role == Role.SHOPPER.value

    @property
    def is_merchant(self) -> bool:
        return self.role == Role.MERCHANT.value and self.merchant_id is not None

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF.value


class Merchant(Model):
    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Onboarding: pending until staff approve it; only approved merchants' listings are in the store.
    status: Mapped[str] = mapped_column(String(16), default=MerchantStatus.PENDING)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    payout_details: Mapped[str] = mapped_column(Encrypted, default="")  # bank details as text, encrypted at rest
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint(check_in("status", MerchantStatus), name="status_known"),)

    users: Mapped[list[User]] = relationship(back_populates="merchant")
    listings: Mapped[list[Listing]] = relationship(back_populates="merchant")

    @property
    def is_approved(self) -> bool:
        return self.status == MerchantStatus.APPROVED
