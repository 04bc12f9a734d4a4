"""Staff-activity monitoring: the record of staff views of one customer's
data, and the flags drawn from it and from the audit log's reveals (too many
distinct customers in an hour, too many reveals in a day, work outside the
configured hours)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from shop.models import AuditEntry, StaffView, User, utcnow
from shop.models.base import DbSession, as_utc

REVEAL_ACTION = "pii.reveal"


@dataclass(frozen=True)
class Limits:
    views_per_hour: int = 20  # distinct customers one staff member may open in an hour
    reveals_per_day: int = 5
    work_start_hour: int = 7  # UTC; views before this hour or from end_hour on are flagged
    work_end_hour: int = 19


@dataclass(frozen=True)
class Flag:
    staff_id: int
    staff_name: str
    kind: str  # views_per_hour | reveals_per_day | outside_hours
    since: datetime
    until: datetime
    count: int
    limit: int | None

    @property
    def label(self) -> str:
        return {
            "views_per_hour": "distinct customers viewed in one hour",
            "reveals_per_day": "fields revealed in one day",
            "outside_hours": "customer pages viewed outside working hours",
        }[self.kind]


def record_views(s: DbSession, staff_id: int, page: str, views: list[tuple[int, str]]) -> None:
    """One row per customer shown on a page the staff member opened."""
    now = utcnow()
    for customer_id, subject in dict.fromkeys(views):
        s.add(StaffView(at=now, staff_id=staff_id, customer_id=customer_id, page=page[:64], subject=subject[:64]))
    s.flush()


def views(
    s: DbSession, staff_id: int | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[StaffView]:
    stmt = select(StaffView).order_by(StaffView.at.desc(), StaffView.id.desc())
    if staff_id is not None:
        stmt = stmt.where(StaffView.staff_id == staff_id)
    if since is not None:
        stmt = stmt.where(StaffView.at >= since)
    if until is not None:
        stmt = stmt.where(StaffView.at < until)
    return list(s.scalars(stmt.limit(1000)))


def _hour(at: datetime) -> datetime:
    return as_utc(at).replace(minute=0, second=0, microsecond=0)


def _day(at: datetime) -> datetime:
    return _hour(at).replace(hour=0)


def flags(s: DbSession, limits: Limits, days: int = 7) -> list[Flag]:
    """Every flag of the last `days` days, newest first."""
    since = utcnow() - timedelta(days=days)
    names = dict(s.execute(select(User.id, User.name).where(User.role == "staff")).all())
    rows = s.execute(select(StaffView.staff_id, StaffView.customer_id, StaffView.at).where(StaffView.at >= since))
    per_hour: dict[tuple[int, datetime], set[int]] = defaultdict(set)
    outside: dict[tuple[int, datetime], int] = defaultdict(int)
    for staff_id, customer_id, at in rows:
        per_hour[(staff_id, _hour(at))].add(customer_id)
        if not limits.work_start_hour <= as_utc(at).hour < limits.work_end_hour:
            outside[(staff_id, _day(at))] += 1
    reveals: dict[tuple[int, datetime], int] = defaultdict(int)
    for actor_id, at in s.execute(
        select(AuditEntry.actor_id, AuditEntry.at).where(AuditEntry.action == REVEAL_ACTION, AuditEntry.at >= since)
    ):
        if actor_id is not None:
            reveals[(actor_id, _day(at))] += 1
    found = [
        Flag(
            staff,
            names.get(staff, "?"),
            "views_per_hour",
            hour,
            hour + timedelta(hours=1),
            len(c),
            limits.views_per_hour,
        )
        for (staff, hour), c in per_hour.items()
        if len(c) > limits.views_per_hour
    ]
    found += [
        Flag(staff, names.get(staff, "?"), "reveals_per_day", day, day + timedelta(days=1), n, limits.reveals_per_day)
        for (staff, day), n in reveals.items()
        if n > limits.reveals_per_day
    ]
    found += [
        Flag(staff, names.get(staff, "?"), "outside_hours", day, day + timedelta(days=1), n, None)
        for (staff, day), n in outside.items()
    ]
    return sorted(found, key=lambda f: (f.since, f.staff_id, f.kind), reverse=True)


def activity(s: DbSession, days: int = 7) -> list[tuple[int, str, int, int]]:
    """(staff id, name, page views, distinct customers) over the last `days` days."""
    since = utcnow() - timedelta(days=days)
    names = dict(s.execute(select(User.id, User.name).where(User.role == "staff")).all())
    seen: dict[int, list[int]] = defaultdict(list)
    for staff_id, customer_id in s.execute(
        select(StaffView.staff_id, StaffView.customer_id).where(StaffView.at >= since)
    ):
        seen[staff_id].append(customer_id)
    return [(sid, names.get(sid, "?"), len(c), len(set(c))) for sid, c in sorted(seen.items())]
