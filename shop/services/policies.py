"""Credit policy versions stored as data; one is active, old ones are kept
so that stored decisions can be replayed under the policy that made them."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, update

from credit.policy import DEFAULT_POLICY, Policy
from shop.models import PolicyVersion, User, utcnow
from shop.models.base import DbSession

_PARSED: dict[tuple[str, str], Policy] = {}


def as_policy(row: PolicyVersion) -> Policy:
    """The parsed policy of a stored version (versions never change once
    stored, so the parse is cached by version and content digest)."""
    text = json.dumps(row.document, sort_keys=True)
    key = (row.version, hashlib.sha256(text.encode()).hexdigest())
    policy = _PARSED.get(key)
    if policy is None:
        policy = _PARSED[key] = Policy.from_dict(json.loads(text))
    return policy


def ensure_default(s: DbSession) -> PolicyVersion:
    """The active policy version, seeding the default one when there is none."""
    row = s.scalars(select(PolicyVersion).filter_by(active=True)).first()
    if row is not None:
        return row
    row = s.scalars(select(PolicyVersion).filter_by(version=DEFAULT_POLICY["version"])).first()
    if row is None:
        Policy.from_dict(DEFAULT_POLICY)  # validate before storing
        row = PolicyVersion(version=DEFAULT_POLICY["version"], document=DEFAULT_POLICY)
        s.add(row)
    row.active, row.activated_at = True, utcnow()
    s.flush()
    return row


def active(s: DbSession) -> tuple[PolicyVersion, Policy]:
    row = ensure_default(s)
    return row, as_policy(row)


def by_version(s: DbSession, version: str) -> Policy:
    row = s.scalars(select(PolicyVersion).filter_by(version=version)).one()
    return as_policy(row)


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
