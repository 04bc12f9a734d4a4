"""Staff activity: every staff view of a page that shows one customer's data
(the lender's own safeguard against leaks; /admin/monitoring reads it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow


class StaffView(Model):
    __tablename__ = "staff_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    page: Mapped[str] = mapped_column(String(64))  # the endpoint, e.g. "admin.application"
    subject: Mapped[str] = mapped_column(String(64))  # e.g. "application:12", "loan:L-000123"

    __table_args__ = (Index("ix_staff_views_staff_id_at", "staff_id", "at"),)
