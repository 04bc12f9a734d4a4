"""The audit log: who did what to which subject, when and why.  Append-only:
the code has no update or delete path, and on PostgreSQL a trigger refuses
UPDATE and DELETE on the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from shop.models.base import Model, utcnow


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # None: the system
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # never personal data in clear
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the customer whose data it concerns


# Append-only on PostgreSQL: create_all() installs the trigger (tests, fresh
# databases); migration 0006 carries its own frozen copy.
AUDIT_APPEND_ONLY_DDL = (
    """
    CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
    """
    CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
    """,
)

for _statement in AUDIT_APPEND_ONLY_DDL:
    event.listen(
        AuditEntry.__table__, "after_create", DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql")
    )


# SQLite has no trigger functions, but a trigger can still refuse (migration 0007 installs these).
AUDIT_APPEND_ONLY_SQLITE_DDL = tuple(
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only ({verb} refused)'); END
    """
    for verb in ("UPDATE", "DELETE")
)

for _statement in AUDIT_APPEND_ONLY_SQLITE_DDL:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
