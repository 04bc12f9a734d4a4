"""The review queue: referred applications waiting for a reviewer, their
decision trace and held cart, the applicant's data masked, and the reveal of
one field (with a typed reason, audited).  Deciding goes through
shop.services.holds.finish_review, the same function as `flask credit review`.

Personal data is decrypted for display only in `reveal`; everything else
shows the masked forms (shop.pii.initials / mask_email / last four)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from credit.reasons import REASON_TEXT
from shop import pii
from shop.models import CreditApplication, CreditDecision, DecisionOutcome, Order, User, utcnow
from shop.models.base import DbSession, as_utc
from shop.services import audit
from shop.services.errors import StaffActionError

REVEALABLE = {
    "legal_name": "Legal name",
    "email": "E-mail",
    "national_id": "National ID",
    "date_of_birth": "Birth date",
}


@dataclass(frozen=True)
class Workday:
    """Working hours for the review SLA (UTC, Monday to Friday)."""

    start_hour: int = 9
    end_hour: int = 17


def working_hours_between(start: datetime, end: datetime, day: Workday = Workday()) -> float:
    """Hours between `start` and `end` that fall on a weekday within working hours."""
    start, end = as_utc(start), as_utc(end)
    total = 0.0
    on = start.date()
    while on <= end.date():
        if on.weekday() < 5:
            opens = datetime.combine(on, time(day.start_hour), start.tzinfo)
            closes = datetime.combine(on, time(day.end_hour), start.tzinfo)
            overlap = min(end, closes) - max(start, opens)
            total += max(overlap.total_seconds(), 0) / 3600
        on += timedelta(days=1)
    return total


def sla_badge(age_hours: float, sla_hours: float) -> str:
    """ "ok", "due soon" (three quarters of the SLA used) or "overdue"."""
    if age_hours >= sla_hours:
        return "overdue"
    return "due soon" if age_hours >= 0.75 * sla_hours else "ok"


@dataclass(frozen=True)
class QueueRow:
    application_id: int
    initials: str
    amount_cents: int
    scene: str
    reasons: list[str]
    created_at: datetime
    working_hours: float
    badge: str


def _deferred() -> list:
    """Leave the national ID and birth date encrypted (not even loaded) on masked pages."""
    return [defer(CreditApplication.national_id), defer(CreditApplication.date_of_birth)]


def _masked_rows(s: DbSession, stmt) -> list[tuple[CreditApplication, CreditDecision]]:
    return list(s.execute(stmt.options(*_deferred())))


def referred_queue(s: DbSession, sla_hours: float, day: Workday = Workday()) -> list[QueueRow]:
    """Referred applications not yet decided, oldest first, with their age in working hours."""
    now = utcnow()
    stmt = (
        select(CreditApplication, CreditDecision)
        .join(CreditDecision)
        .where(CreditDecision.outcome == DecisionOutcome.REFERRED, CreditDecision.reviewed_at.is_(None))
        .order_by(CreditApplication.created_at, CreditApplication.id)
    )
    rows = []
    for application, decision in _masked_rows(s, stmt):
        hours = working_hours_between(application.created_at, now, day)
        rows.append(
            QueueRow(
                application.id,
                pii.initials(application.legal_name),
                application.requested_amount_cents,
                decision.result.get("scene", ""),
                list(decision.result.get("reasons", [])),
                application.created_at,
                hours,
                sla_badge(hours, sla_hours),
            )
        )
    return rows


def past_applications(
    s: DbSession, outcome: str | None, since: date | None, until: date | None, limit: int = 200
) -> list[tuple[CreditApplication, CreditDecision]]:
    """Applications by outcome and date (newest first), for the search page."""
    stmt = select(CreditApplication, CreditDecision).join(CreditDecision)
    if outcome:
        stmt = stmt.where(CreditDecision.outcome == outcome)
    if since:
        stmt = stmt.where(CreditApplication.created_at >= datetime.combine(since, time(0), utcnow().tzinfo))
    if until:
        stmt = stmt.where(
            CreditApplication.created_at < datetime.combine(until + timedelta(days=1), time(0), utcnow().tzinfo)
        )
    stmt = stmt.order_by(CreditApplication.created_at.desc(), CreditApplication.id.desc()).limit(limit)
    return _masked_rows(s, stmt)


@dataclass(frozen=True)
class MaskedApplicant:
    initials: str
    email: str
    national_id: str
    birth_year: str
    region: str


@dataclass(frozen=True)
class ApplicationView:
    application: CreditApplication
    decision: CreditDecision
    applicant: MaskedApplicant
    stages: list[dict[str, Any]]
    offers: list[dict[str, Any]]
    held_orders: list[Order]

    @property
    def customer_id(self) -> int:
        return self.application.user_id

    @property
    def awaiting_review(self) -> bool:
        return self.decision.outcome == DecisionOutcome.REFERRED and self.decision.reviewed_at is None


def application_view(s: DbSession, application_id: int) -> ApplicationView | None:
    """Everything the review page shows, personal data masked."""
    application = s.get(CreditApplication, application_id, options=_deferred())
    if application is None or application.decision is None:
        return None
    decision = application.decision
    user = s.get_one(User, application.user_id)
    applicant = MaskedApplicant(
        initials=pii.initials(application.legal_name),
        email=pii.mask_email(user.email),
        national_id=f"•••-••-{application.national_id_last4}",
        birth_year="••••",
        region=application.billing_region,
    )
    held = s.scalars(select(Order).filter_by(credit_application_id=application.id).order_by(Order.id)).all()
    result = decision.result
    return ApplicationView(
        application, decision, applicant, list(result.get("stages", [])), list(result.get("offers", [])), list(held)
    )


def reveal(s: DbSession, staff: User, application_id: int, field: str, reason: str) -> str:
    """One field in full, after a typed reason; writes the audit entry (which names the field, never its value)."""
    reason = (reason or "").strip()
    if field not in REVEALABLE:
        raise StaffActionError("That field cannot be revealed.")
    if len(reason) < 5:
        raise StaffActionError("Type the reason for revealing this field (at least a few words).")
    application = s.get(CreditApplication, application_id)
    if application is None:
        raise LookupError(f"no application {application_id}")
    if field == "email":
        value = s.get_one(User, application.user_id).email
    else:
        value = str(getattr(application, field))
    audit.record(
        s,
        staff,
        "pii.reveal",
        "application",
        application_id,
        reason=reason,
        detail={"field": field},
        customer_id=application.user_id,
    )
    return value


def decline_reason_choices() -> list[tuple[str, str]]:
    """(code, plain words) for the decline form; the words go on the adverse action notice."""
    return sorted(REASON_TEXT.items(), key=lambda item: item[1])
