"""Writing the audit log (append-only: there is no update or delete here, by design)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from shop.models import AuditEntry, User
from shop.models.base import DbSession

SYSTEM = "system"


def record(
    s: DbSession,
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: str | int,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    customer_id: int | None = None,
) -> AuditEntry:
    """Add one audit entry in the caller's unit of work (so it commits, or not, with the action)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_role=(actor.staff_role or actor.role) if actor else SYSTEM,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        detail=detail or {},
        customer_id=customer_id,
    )
    s.add(entry)
    s.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # the actor's e-mail (staff), or "system"
    action: str = ""  # exact, or a prefix ending in "." ("application.")
    subject: str = ""  # "loan" or "loan:L-123"
    since: date | None = None
    until: date | None = None


def search(s: DbSession, f: AuditFilter, limit: int = 1000) -> list[tuple[AuditEntry, User | None]]:
    """Entries matching the filter, newest first, each with its actor."""
    stmt = select(AuditEntry, User).outerjoin(User, AuditEntry.actor_id == User.id)
    if f.actor == SYSTEM:
        stmt = stmt.where(AuditEntry.actor_id.is_(None))
    elif f.actor:
        stmt = stmt.where(func.lower(User.email) == f.actor.strip().lower())
    if f.action:
        action = f.action.strip()
        stmt = stmt.where(AuditEntry.action.startswith(action) if action.endswith(".") else AuditEntry.action == action)
    if f.subject:
        kind, _, subject_id = f.subject.strip().partition(":")
        stmt = stmt.where(AuditEntry.subject_type == kind)
        if subject_id:
            stmt = stmt.where(AuditEntry.subject_id == subject_id)
    if f.since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(f.since, time(0), UTC))
    if f.until:
        stmt = stmt.where(AuditEntry.at < datetime.combine(f.until + timedelta(days=1), time(0), UTC))
    return list(s.execute(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


CSV_HEADER = (
    "id",
    "at",
    "actor",
    "actor_role",
    "action",
    "subject_type",
    "subject_id",
    "customer_id",
    "reason",
    "detail",
)


def csv_rows(rows: list[tuple[AuditEntry, User | None]]) -> list[tuple[str, ...]]:
    """The export's rows (personal data is never in an entry, so none is in the file)."""
    return [
        (
            str(e.id),
            e.at.isoformat(),
            actor.email if actor else SYSTEM,
            e.actor_role,
            e.action,
            e.subject_type,
            e.subject_id,
            "" if e.customer_id is None else str(e.customer_id),
            e.reason,
            json.dumps(e.detail, sort_keys=True),
        )
        for e, actor in rows
    ]
