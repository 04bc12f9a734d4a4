"""Servicing policy versions stored as data (grace, late fees, stages, charge-off,
collection strategy); one is active and every business date records which."""

from __future__ import annotations

from sqlalchemy import select, update

from credit.delinquency import DEFAULT_SERVICING_POLICY, ServicingPolicy
from shop.models import ServicingPolicyVersion, utcnow
from shop.models.base import DbSession


def ensure_default(s: DbSession) -> ServicingPolicyVersion:
    """The active servicing policy version, seeding the default one when there is none."""
    row = s.scalars(select(ServicingPolicyVersion).filter_by(active=True)).first()
    if row is not None:
        return row
    row = s.scalars(select(ServicingPolicyVersion).filter_by(version=DEFAULT_SERVICING_POLICY["version"])).first()
    if row is None:
        ServicingPolicy.from_dict(DEFAULT_SERVICING_POLICY)
        row = ServicingPolicyVersion(version=DEFAULT_SERVICING_POLICY["version"], document=DEFAULT_SERVICING_POLICY)
        s.add(row)
    row.active, row.activated_at = True, utcnow()
    s.flush()
    return row


def active(s: DbSession) -> ServicingPolicy:
    return ServicingPolicy.from_dict(ensure_default(s).document)


def add_version(s: DbSession, document: dict, activate: bool = False) -> ServicingPolicyVersion:
    """Store a new version (validated); optionally make it the active one."""
    ServicingPolicy.from_dict(document)
    row = ServicingPolicyVersion(version=document["version"], document=document)
    s.add(row)
    s.flush()
    if activate:
        s.execute(update(ServicingPolicyVersion).values(active=False))
        row.active, row.activated_at = True, utcnow()
        s.flush()
    return row
