"""The two SQL spellings that differ between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from shop.models.base import DbSession


def dialect(s: DbSession) -> str:
    return s.get_bind().dialect.name


def add_days(s: DbSession, column: Any, days: int) -> ColumnElement:
    """`column` (a date) plus `days` days, as SQL."""
    if dialect(s) == "postgresql":
        return column + literal_column(str(int(days)))
    return func.date(column, f"{int(days):+d} days")


def insert_ignoring_duplicates(s: DbSession, table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING (both backends): a set-based insert that
    skips rows whose unique key exists, checked through the unique index (a NOT
    EXISTS over the table being filled can be planned as a scan per row)."""
    if dialect(s) == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
