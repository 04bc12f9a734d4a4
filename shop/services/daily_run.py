"""The daily close of business: which dates to run, opening each loan's
servicing row, and the record of each business date (run at most once).

The CLI (`flask credit run-day`) owns the units of work: it commits after each
step (each step is idempotent on its own, so a crash mid-date is safe to run
again) and, for autopay, after each loan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, literal, select

from shop.models import BusinessDay, Loan, LoanInstallment, LoanServicing, LoanStatus, utcnow
from shop.models.base import DbSession
from shop.services import notices, sqlx

LI = LoanInstallment


class FutureDate(ValueError):
    """A business date after today cannot be run."""


@dataclass
class StepResult:
    step: str
    loans: int = 0
    cents: int = 0
    detail: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"loans": self.loans, "cents": self.cents, **self.detail}


def dates_to_run(s: DbSession, target: date, today: date) -> list[date]:
    """The business dates to process, in order, to bring the books to `target`:
    every date after the last finished one (catching up skipped days), or
    only `target` on the very first run; [] when `target` is done already."""
    if target > today:
        raise FutureDate(f"{target} is in the future (today is {today}); a business date is run once it has begun.")
    last = s.scalar(select(func.max(BusinessDay.business_on)).where(BusinessDay.finished_at.is_not(None)))
    if last is None:
        return [target]
    return [last + timedelta(days=n) for n in range(1, (target - last).days + 1)]


def begin_day(s: DbSession, on: date, policy_version: str) -> BusinessDay:
    day = s.get(BusinessDay, on)
    if day is None:
        day = BusinessDay(business_on=on, policy_version=policy_version, summary={})
        s.add(day)
        s.flush()
    return day


def finish_day(s: DbSession, on: date, results: list[StepResult]) -> BusinessDay:
    day = s.get(BusinessDay, on)
    assert day is not None
    day.summary = {r.step: r.as_dict() for r in results}
    day.finished_at = utcnow()
    s.flush()
    return day


def open_servicing_rows(s: DbSession, on: date) -> StepResult:
    """One servicing row for every active loan that has none yet (INSERT ... SELECT)."""
    zero = literal(0)
    stmt = sqlx.insert_ignoring_duplicates(s, LoanServicing).from_select(
        ["loan_id", "user_id", "dpd", "stage", "past_due_cents", "late_fees_cents", "autopay_failures"]
        + ["charged_off_cents", "current_since", "updated_on"],
        select(
            Loan.id, Loan.user_id, zero, literal("current"), zero, zero, zero, zero, Loan.start_on, literal(on)
        ).where(Loan.status == LoanStatus.ACTIVE),
    )
    return StepResult("open", s.connection().execute(stmt).rowcount or 0)


def send_reminders(s: DbSession, on: date, days_before: int) -> StepResult:
    """A payment reminder for every installment falling due `days_before` days from `on`."""
    owed = LI.principal_cents + LI.interest_cents + LI.fee_cents - LI.paid_principal_cents - LI.paid_interest_cents
    due_on = on + timedelta(days=days_before)
    rows = (
        select(LI.id, Loan.user_id, Loan.id, owed - LI.paid_fee_cents, LI.due_on)
        .join(Loan, Loan.id == LI.loan_id)
        .where(Loan.status == LoanStatus.ACTIVE, LI.due_on == due_on, LI.paid_at.is_(None))
    )
    return StepResult("reminders", notices.enqueue_from(s, "reminder", "reminder:", rows))
