"""Writing the audit log (append-only: there is no update or delete here, by design)."""

from __future__ import annotations

from typing import Any

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
