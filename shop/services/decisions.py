"""The shopper's decision that their checkouts reuse (30 days), and the one
exception: a decline only on an input the application form now checks (a
mistyped date of birth) is not reused; the shopper corrects the application."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from credit.gates import is_correctable_decline
from shop.models import CreditApplication, CreditDecision, DecisionOutcome, User, utcnow
from shop.models.base import DbSession

REUSE_DAYS = 30


def _latest(s: DbSession, user: User, within_days: int) -> CreditDecision | None:
    since = utcnow() - timedelta(days=within_days)
    return s.scalars(
        select(CreditDecision)
        .join(CreditApplication)
        .where(
            CreditApplication.user_id == user.id,
            CreditApplication.created_at >= since,
            CreditDecision.outcome != DecisionOutcome.INCOMPLETE,
        )
        .order_by(CreditApplication.created_at.desc(), CreditApplication.id.desc())
    ).first()


def _is_correctable(row: CreditDecision) -> bool:
    return row.reviewed_at is None and is_correctable_decline(row.outcome, row.result.get("reason_codes", ()))


def latest_decision(s: DbSession, user: User, within_days: int = REUSE_DAYS) -> CreditDecision | None:
    """The shopper's most recent decision made in the last `within_days` days, reused
    for their checkouts; a decline only on an input the form checks (a mistyped
    date of birth) is not reused: the shopper corrects the application instead."""
    row = _latest(s, user, within_days)
    return None if row is not None and _is_correctable(row) else row


def correctable_decline(s: DbSession, user: User, within_days: int = REUSE_DAYS) -> CreditDecision | None:
    """The shopper's latest decision when it is a decline they may correct."""
    row = _latest(s, user, within_days)
    return row if row is not None and _is_correctable(row) else None
