"""The two SQL spellings that differ between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from shop.models.base import DbSession


def dialect(s: DbSession) -> str:
    return s.get_bind().dialect.name


def add_days(s: DbSession, column: Any, days: int) -> ColumnElement:
    """`column` (a date) plus `days` days, as SQL."""
    if dialect(s) == "postgresql":
        return column + literal_column(str(int(days)))
    return func.date(column, f"{int(days):+d} days")
