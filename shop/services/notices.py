"""Notices to shoppers: written to the outbox in the caller's transaction
(one row per event, made idempotent by its dedupe key), rendered from
templates/emails/ when sent or shown on the shopper's account page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.sql import Select

from shop.formatting import format_money
from shop.models import Loan, OutboxMessage, User
from shop.models.base import DbSession
from shop.services import sqlx
from shop.services.documents import TEMPLATES

SUBJECTS = {
    "reminder": "Payment reminder: {amount} due on {on_date}",
    "receipt": "Receipt: we received {amount}",
    "past_due": "Your payment is past due ({stage})",
    "autopay_failed": "Autopay could not charge your card",
    "autopay_paused": "Autopay is paused for loan {loan}",
    "late_fee": "A late fee of {amount} was added",
    "charged_off": "Loan {loan} was charged off",
    "hardship_decision": "Your hardship request: {decision}",
    "relief": "Relief applied to loan {loan}",
    "line_change": "Your credit line changed",
}

STAGE_NAMES = {
    "current": "current",
    "dpd_1_30": "1-30 days past due",
    "dpd_31_60": "31-60 days past due",
    "dpd_61_90": "61-90 days past due",
    "dpd_90_plus": "more than 90 days past due",
}


def enqueue(
    s: DbSession,
    kind: str,
    user_id: int,
    dedupe_key: str,
    *,
    loan_id: int | None = None,
    amount_cents: int | None = None,
    on_date: date | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one notice unless one with the same key exists."""
    if s.scalar(select(OutboxMessage.id).filter_by(dedupe_key=dedupe_key)) is not None:
        return
    s.add(
        OutboxMessage(
            dedupe_key=dedupe_key,
            kind=kind,
            user_id=user_id,
            loan_id=loan_id,
            amount_cents=amount_cents,
            on_date=on_date,
            detail=detail,
        )
    )
    s.flush()


def enqueue_from(s: DbSession, kind: str, key_prefix: str, rows: Select) -> int:
    """Set-based: one notice per row of `rows`, a SELECT of (key_suffix, user_id,
    loan_id, amount_cents, on_date); rows whose key exists already are skipped."""
    sub = rows.subquery()
    key = literal(key_prefix) + cast(sub.c[0], String)
    now = func.current_timestamp()
    columns = ["dedupe_key", "kind", "user_id", "loan_id", "amount_cents", "on_date"]
    stmt = sqlx.insert_ignoring_duplicates(s, OutboxMessage).from_select(
        [*columns, "status", "attempts", "next_attempt_at", "created_at"],
        select(
            key, literal(kind), sub.c[1], sub.c[2], sub.c[3], sub.c[4], literal("pending"), literal(0), now, now
        ).where(sub.c[1].is_not(None)),  # a WHERE keeps SQLite's INSERT ... SELECT ... ON CONFLICT unambiguous
    )
    return s.connection().execute(stmt).rowcount or 0


@dataclass(frozen=True)
class RenderedNotice:
    to: str
    subject: str
    text: str


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "emails"),
        autoescape=select_autoescape(default=False, default_for_string=False),
        undefined=StrictUndefined,
    )
    env.filters["money"] = format_money
    return env


def render(s: DbSession, message: OutboxMessage) -> RenderedNotice:
    user = s.get(User, message.user_id)
    loan = s.get(Loan, message.loan_id) if message.loan_id else None
    detail = message.detail or {}
    context = {
        "user": user,
        "loan": loan,
        "amount": format_money(message.amount_cents or 0, loan.currency if loan else "USD"),
        "amount_cents": message.amount_cents or 0,
        "on_date": message.on_date,
        "detail": detail,
        "stage": STAGE_NAMES.get(detail.get("stage", ""), detail.get("stage", "")),
    }
    subject = SUBJECTS[message.kind].format(
        amount=context["amount"],
        on_date=message.on_date,
        stage=context["stage"],
        loan=loan.number if loan else "",
        decision=detail.get("decision", ""),
    )
    text = _environment().get_template(f"{message.kind}.txt").render(**context)
    return RenderedNotice(user.email if user else "", subject, text)


def notices_of(s: DbSession, user_id: int, limit: int = 50) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).filter_by(user_id=user_id).order_by(OutboxMessage.id.desc()).limit(limit)
    return list(s.scalars(stmt))
