"""Shared helpers of the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy.orm import Session, scoped_session


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite hands them back naive)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# What the services take: a plain Session (scripts, tests) or Flask-SQLAlchemy's
# request-scoped proxy (`db.session`), which forwards every Session method.
DbSession: TypeAlias = Session | scoped_session[Any]

# The declarative base every model subclasses.  Flask-SQLAlchemy builds
# `db.Model` from shop.extensions.Base (its session and query helpers added);
# type checkers see that Base.
if TYPE_CHECKING:
    from shop.extensions import Base as Model
else:
    from shop.extensions import db

    Model = db.Model
