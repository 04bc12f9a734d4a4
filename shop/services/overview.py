"""Figures for the staff overview page (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from shop.models import CreditApplication, CreditDecision, DecisionOutcome, Loan, utcnow
from shop.models.base import DbSession
from shop.services import ledger


@dataclass(frozen=True)
class Overview:
    applications_today: int
    approved_today: int
    referred_waiting: int
    oldest_referred_at: datetime | None
    loans_by_status: list[tuple[str, int, int]]  # status, count, principal outstanding (journal)
    originations: list[tuple[date, int, int]]  # day, loans, amount financed

    @property
    def approval_rate(self) -> float | None:
        return self.approved_today / self.applications_today if self.applications_today else None


def overview(s: DbSession, days: int = 30) -> Overview:
    now = utcnow()
    midnight = datetime.combine(now.date(), time(0), now.tzinfo)
    today = s.execute(
        select(CreditDecision.outcome, func.count())
        .join(CreditApplication)
        .where(CreditApplication.created_at >= midnight)
        .group_by(CreditDecision.outcome)
    ).all()
    counts = dict(today)
    waiting = s.execute(
        select(func.count(), func.min(CreditApplication.created_at))
        .join(CreditDecision)
        .where(CreditDecision.outcome == DecisionOutcome.REFERRED, CreditDecision.reviewed_at.is_(None))
    ).one()
    return Overview(
        applications_today=sum(counts.values()),
        approved_today=counts.get(DecisionOutcome.APPROVED, 0),
        referred_waiting=waiting[0],
        oldest_referred_at=waiting[1],
        loans_by_status=_loans_by_status(s),
        originations=_originations(s, now.date() - timedelta(days=days - 1), now.date()),
    )


def _loans_by_status(s: DbSession) -> list[tuple[str, int, int]]:
    principal = ledger.principal_by_loan(s)
    totals: dict[str, list[int]] = {}
    for loan_id, status in s.execute(select(Loan.id, Loan.status)):
        row = totals.setdefault(status, [0, 0])
        row[0] += 1
        row[1] += principal.get(loan_id, 0)
    return [(status, n, cents) for status, (n, cents) in sorted(totals.items())]


def _originations(s: DbSession, first: date, last: date) -> list[tuple[date, int, int]]:
    by_day = {
        on: (n, int(cents))
        for on, n, cents in s.execute(
            select(Loan.start_on, func.count(), func.sum(Loan.financed_cents))
            .where(Loan.start_on >= first, Loan.start_on <= last)
            .group_by(Loan.start_on)
        )
    }
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [(on, *by_day.get(on, (0, 0))) for on in days]
