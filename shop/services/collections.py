"""Collections: the work queue by stage and amount, the contact log, promises
to pay (kept or broken by the daily run) and the next-action date, all led by
the versioned collection strategy in the servicing policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from credit.delinquency import STAGES, ServicingPolicy, next_action
from shop.models import (
    CollectionContact,
    JournalEntry,
    JournalTransaction,
    Loan,
    LoanServicing,
    LoanStatus,
    PromiseStatus,
    PromiseToPay,
    User,
)
from shop.models.base import DbSession
from shop.services import audit, relief
from shop.services.daily_run import StepResult
from shop.services.errors import CheckoutError


class CollectionsError(CheckoutError):
    """An anticipated collections failure; the message is for staff."""


@dataclass(frozen=True)
class QueueRow:
    loan: Loan
    state: LoanServicing
    action: str
    paused: bool


def work_queue(
    s: DbSession, policy: ServicingPolicy, on: date, stage: str | None = None, limit: int = 200
) -> list[QueueRow]:
    """Past-due active loans, worst stage first, then the largest amount past due."""
    order = {name: index for index, name in enumerate(STAGES)}
    stmt = (
        select(Loan, LoanServicing)
        .join(LoanServicing, LoanServicing.loan_id == Loan.id)
        .where(Loan.status == LoanStatus.ACTIVE, LoanServicing.dpd > 0)
        .order_by(LoanServicing.dpd.desc(), LoanServicing.past_due_cents.desc(), Loan.id)
        .limit(limit)
    )
    if stage:
        stmt = stmt.where(LoanServicing.stage == stage)
    paused = relief.contact_paused_loans(s, on)
    rows = [
        QueueRow(
            loan,
            state,
            policy.strategy[state.stage].action if state.stage in policy.strategy else "none",
            loan.id in paused,
        )
        for loan, state in s.execute(stmt).tuples()
    ]
    return sorted(rows, key=lambda r: (-order[r.state.stage], -r.state.past_due_cents, r.loan.id))


def stage_counts(s: DbSession) -> dict[str, tuple[int, int]]:
    rows = s.execute(
        select(LoanServicing.stage, func.count(), func.coalesce(func.sum(LoanServicing.past_due_cents), 0))
        .join(Loan, Loan.id == LoanServicing.loan_id)
        .where(Loan.status == LoanStatus.ACTIVE, LoanServicing.dpd > 0)
        .group_by(LoanServicing.stage)
    ).all()
    return {stage: (int(n), int(cents)) for stage, n, cents in rows}


def log_contact(
    s: DbSession, staff: User, loan: Loan, on: date, policy: ServicingPolicy, *, channel: str, outcome: str, note: str
) -> CollectionContact:
    """Record a contact and move the next-action date along the strategy."""
    if loan.id in relief.contact_paused_loans(s, on):
        raise CollectionsError("Collections contact is paused for this loan by a relief program.")
    contact = CollectionContact(
        loan_id=loan.id, staff_id=staff.id, channel=channel, outcome=outcome, note=note, contacted_on=on
    )
    s.add(contact)
    state = s.get(LoanServicing, loan.id)
    if state is not None:
        state.next_action_on = next_action(state.stage, on, policy)[1]
    s.flush()
    audit.record(
        s,
        staff,
        "collections.contact",
        "loan",
        loan.number,
        detail={"channel": channel, "outcome": outcome},
        customer_id=loan.user_id,
    )
    return contact


def add_promise(
    s: DbSession, staff: User, loan: Loan, on: date, *, promised_on: date, amount_cents: int
) -> PromiseToPay:
    if promised_on < on:
        raise CollectionsError("A promise to pay needs a date from today on.")
    if amount_cents <= 0:
        raise CollectionsError("Enter an amount greater than zero.")
    promise = PromiseToPay(
        loan_id=loan.id, staff_id=staff.id, made_on=on, promised_on=promised_on, amount_cents=amount_cents
    )
    s.add(promise)
    state = s.get(LoanServicing, loan.id)
    if state is not None:
        state.next_action_on = promised_on
    s.flush()
    audit.record(
        s,
        staff,
        "collections.promise",
        "loan",
        loan.number,
        detail={"promised_on": promised_on.isoformat(), "amount_cents": amount_cents},
        customer_id=loan.user_id,
    )
    return promise


def settle_promises(s: DbSession, on: date) -> StepResult:
    """Pending promises are kept once the loan received their amount since they
    were made (business dates of the repayments in the journal), broken once
    their date has passed without it."""
    paid = (
        select(func.coalesce(func.sum(JournalEntry.debit_cents), 0))
        .join(JournalTransaction, JournalTransaction.id == JournalEntry.transaction_id)
        .where(
            JournalTransaction.loan_id == PromiseToPay.loan_id,
            JournalTransaction.kind.like("repayment%"),
            JournalEntry.account == "cash",
            JournalTransaction.posted_on >= PromiseToPay.made_on,
            JournalTransaction.posted_on <= on,
        )
        .scalar_subquery()
    )
    pending = PromiseToPay.status == PromiseStatus.PENDING
    kept = s.execute(
        update(PromiseToPay)
        .where(pending, paid >= PromiseToPay.amount_cents)
        .values(status=PromiseStatus.KEPT, resolved_on=on)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    broken = s.execute(
        update(PromiseToPay)
        .where(pending, PromiseToPay.promised_on < on)
        .values(status=PromiseStatus.BROKEN, resolved_on=on)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return StepResult("promises", (kept or 0) + (broken or 0), 0, {"kept": kept or 0, "broken": broken or 0})


def history(s: DbSession, loan: Loan) -> tuple[list[CollectionContact], list[PromiseToPay]]:
    contacts = s.scalars(
        select(CollectionContact).filter_by(loan_id=loan.id).order_by(CollectionContact.id.desc())
    ).all()
    promises = s.scalars(select(PromiseToPay).filter_by(loan_id=loan.id).order_by(PromiseToPay.id.desc())).all()
    return list(contacts), list(promises)
