"""Credit policy versions stored as data; one is active, old ones are kept
so that stored decisions can be replayed under the policy that made them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import defer

from credit.policy import DEFAULT_POLICY, Policy
from shop.models import PolicyVersion, User, utcnow
from shop.models.base import DbSession

# Parsed policies by stored row. A version's document never changes once
# stored, so the parse is kept for the life of the process; the key names the
# database and the row's creation time as well, so that a database recreated
# with the same ids (tests, benchmarks) never reuses another one's parse.
_PARSED: dict[tuple[str, int, str, str], Policy] = {}


def _key(s: DbSession, row: PolicyVersion | ActiveRef) -> tuple[str, int, str, str]:
    bind = s.get_bind()
    return (str(bind.engine.url), row.id, row.version, str(row.created_at))


def as_policy(s: DbSession, row: PolicyVersion) -> Policy:
    """The parsed policy of a stored version. The 45 KB document is loaded,
    copied and parsed only the first time a process meets that row."""
    key = _key(s, row)
    policy = _PARSED.get(key)
    if policy is None:
        policy = _PARSED[key] = Policy.from_dict(json.loads(json.dumps(row.document)))
    return policy


def _rows():
    # Without the document: which row is active is checked on every call (so
    # an activation by another process is seen at once), the document is read
    # only when its parse is not cached yet.
    return select(PolicyVersion).options(defer(PolicyVersion.document))


def ensure_default(s: DbSession) -> PolicyVersion:
    """The active policy version, seeding the default one when there is none."""
    row = s.scalars(_rows().filter_by(active=True)).first()
    if row is not None:
        return row
    row = s.scalars(_rows().filter_by(version=DEFAULT_POLICY["version"])).first()
    if row is None:
        Policy.from_dict(DEFAULT_POLICY)  # validate before storing
        row = PolicyVersion(version=DEFAULT_POLICY["version"], document=DEFAULT_POLICY)
        s.add(row)
    row.active, row.activated_at = True, utcnow()
    s.flush()
    return row


@dataclass(frozen=True)
class ActiveRef:
    """Which stored version is active (without its document)."""

    id: int
    version: str
    created_at: object


_ACTIVE = select(PolicyVersion.id, PolicyVersion.version, PolicyVersion.created_at).where(
    PolicyVersion.active.is_(True)
)


def active(s: DbSession) -> tuple[ActiveRef, Policy]:
    """The active version and its parsed policy. Which row is active is read on
    every call (one small statement), so an activation by another process is seen
    at once; the document is read and parsed once per process and version."""
    found = s.execute(_ACTIVE).first()
    if found is None:
        row = ensure_default(s)
        ref = ActiveRef(row.id, row.version, row.created_at)
    else:
        ref = ActiveRef(found.id, found.version, found.created_at)
    policy = _PARSED.get(_key(s, ref))
    if policy is None:
        policy = as_policy(s, s.get_one(PolicyVersion, ref.id))
    return ref, policy


def by_version(s: DbSession, version: str) -> Policy:
    row = s.scalars(_rows().filter_by(version=version)).one()
    return as_policy(s, row)


def add_version(s: DbSession, document: dict, activate: bool = False, created_by: User | None = None) -> PolicyVersion:
    """Store a new version (validated); optionally make it the active one."""
    Policy.from_dict(document)
    row = PolicyVersion(
        version=document["version"], document=document, created_by_id=created_by.id if created_by else None
    )
    s.add(row)
    s.flush()
    if activate:
        activate_version(s, row.version, by=created_by)
    return row


def activate_version(s: DbSession, version: str, by: User | None = None) -> PolicyVersion:
    """Make `version` the active policy; the one active before is retired (kept for replay)."""
    row = s.scalars(select(PolicyVersion).filter_by(version=version)).one()
    s.execute(update(PolicyVersion).values(active=False))
    s.refresh(row)
    row.active, row.activated_at, row.activated_by_id = True, utcnow(), by.id if by else None
    s.flush()
    return row
