"""Region-wide relief: staff define regions, a window and measures; the daily
run applies an active program to every eligible loan (billing region of the
loan's credit application) once per measure, recording each effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, and_, cast, exists, func, insert, literal, null, select, update
from sqlalchemy.sql import Select

from shop.models import (
    CreditApplication,
    CreditDecision,
    LateFee,
    Loan,
    LoanInstallment,
    LoanStatus,
    ReliefEffect,
    ReliefProgram,
    ReliefStatus,
    User,
)
from shop.models.base import DbSession
from shop.services import audit, ledger, notices, sqlx
from shop.services.daily_run import StepResult
from shop.services.errors import CheckoutError

LI = LoanInstallment
UNPAID_FEES = LI.fee_cents - LI.paid_fee_cents
OWED = LI.principal_cents + LI.interest_cents + LI.fee_cents - LI.paid_principal_cents - LI.paid_interest_cents
OWED = OWED - LI.paid_fee_cents


class ReliefError(CheckoutError):
    """An anticipated relief failure; the message is for staff."""


@dataclass(frozen=True)
class ReliefTerms:
    name: str
    regions: list[str]
    starts_on: date
    ends_on: date
    waive_late_fees: bool = False
    pause_late_fees: bool = False
    defer_days: int = 0
    pause_contact: bool = False


def create_program(s: DbSession, staff: User, terms: ReliefTerms) -> ReliefProgram:
    if terms.ends_on < terms.starts_on:
        raise ReliefError("The window must end on or after its start.")
    if not (terms.waive_late_fees or terms.pause_late_fees or terms.defer_days or terms.pause_contact):
        raise ReliefError("Choose at least one measure.")
    program = ReliefProgram(**terms.__dict__, status=ReliefStatus.ACTIVE, created_by=staff.id)
    program.regions = sorted({r.strip().upper() for r in terms.regions if r.strip()})
    s.add(program)
    s.flush()
    audit.record(
        s, staff, "relief.create", "relief_program", program.id, reason=terms.name, detail={"regions": program.regions}
    )
    return program


def end_program(s: DbSession, staff: User, program: ReliefProgram, on: date, reason: str) -> None:
    if program.status != ReliefStatus.ACTIVE:
        raise ReliefError("This program has ended already.")
    program.status, program.ended_early_on = ReliefStatus.ENDED, on
    s.flush()
    audit.record(s, staff, "relief.end", "relief_program", program.id, reason=reason)


def _active_on(on: date):
    return and_(ReliefProgram.status == ReliefStatus.ACTIVE, ReliefProgram.starts_on <= on, ReliefProgram.ends_on >= on)


def _effect_loans(on: date, *kinds: str) -> Select:
    return (
        select(ReliefEffect.loan_id)
        .join(ReliefProgram, ReliefProgram.id == ReliefEffect.program_id)
        .where(_active_on(on), ReliefEffect.kind.in_(kinds))
    )


def fee_paused_loans_query(on: date) -> Select:
    return _effect_loans(on, "fee_paused")


def contact_paused_loans(s: DbSession, on: date) -> set[int]:
    return set(s.scalars(_effect_loans(on, "contact_paused")))


def _eligible(program: ReliefProgram) -> Select:
    return (
        select(Loan.id)
        .join(CreditDecision, CreditDecision.id == Loan.decision_id)
        .join(CreditApplication, CreditApplication.id == CreditDecision.application_id)
        .where(Loan.status == LoanStatus.ACTIVE, CreditApplication.billing_region.in_(program.regions))
    )


def _record(s: DbSession, program: ReliefProgram, kind: str, on: date, amount) -> int:
    loans = _eligible(program).subquery()
    stmt = insert(ReliefEffect).from_select(
        ["program_id", "loan_id", "kind", "applied_on", "amount_cents"],
        select(literal(program.id), loans.c.id, literal(kind), literal(on), amount(loans.c.id)).where(
            ~exists().where(
                ReliefEffect.program_id == program.id, ReliefEffect.loan_id == loans.c.id, ReliefEffect.kind == kind
            )
        ),
    )
    return s.execute(stmt).rowcount or 0  # type: ignore[attr-defined]


def _sum_of(expr):
    return lambda loan_id: (
        select(func.coalesce(func.sum(expr), 0)).where(LI.loan_id == loan_id, LI.paid_at.is_(None)).scalar_subquery()
    )


def _today(program: ReliefProgram, kind: str, on: date) -> Select:
    return select(ReliefEffect.loan_id).where(
        ReliefEffect.program_id == program.id, ReliefEffect.kind == kind, ReliefEffect.applied_on == on
    )


def apply_programs(s: DbSession, on: date) -> StepResult:
    """Apply every program active on `on` to the loans it has not reached yet."""
    result = StepResult("relief")
    for program in s.scalars(select(ReliefProgram).where(_active_on(on)).order_by(ReliefProgram.id)):
        zero = lambda _loan_id: literal(0)  # noqa: E731
        if program.pause_contact:
            result.detail["contact_paused"] = result.detail.get("contact_paused", 0) + _record(
                s, program, "contact_paused", on, zero
            )
        if program.pause_late_fees or program.waive_late_fees:
            result.detail["fee_paused"] = result.detail.get("fee_paused", 0) + _record(
                s, program, "fee_paused", on, zero
            )
        if program.waive_late_fees and _record(s, program, "fees_waived", on, _sum_of(UNPAID_FEES)):
            result.cents += waive_fees(s, _today(program, "fees_waived", on), on, f"relief {program.id}")
        if program.defer_days and _record(s, program, "deferred", on, _sum_of(OWED)):
            s.execute(
                update(LI)
                .where(LI.loan_id.in_(_today(program, "deferred", on)), LI.paid_at.is_(None))
                .values(due_on=sqlx.add_days(s, LI.due_on, program.defer_days))
                .execution_options(synchronize_session=False)
            )
        reached = (
            select(ReliefEffect.loan_id, Loan.user_id, ReliefEffect.loan_id, cast(null(), BigInteger), literal(on))
            .join(Loan, Loan.id == ReliefEffect.loan_id)
            .where(ReliefEffect.program_id == program.id, ReliefEffect.applied_on == on)
            .distinct()
        )
        result.loans += notices.enqueue_from(s, "relief", f"relief:{program.id}:", reached)
    return result


def waive_fees(s: DbSession, loan_ids: Select, on: date, memo: str) -> int:
    """Waive every unpaid late fee of the loans: one journal transaction
    (fee_waivers against late_fee_receivable); returns the amount waived."""
    rows = s.execute(
        select(LI.id, LI.loan_id, Loan.user_id, LI.paid_fee_cents, UNPAID_FEES)
        .join(Loan, Loan.id == LI.loan_id)
        .where(LI.loan_id.in_(loan_ids), UNPAID_FEES > 0)
    ).all()
    if not rows:
        return 0
    legs = []
    for _, loan_id, user_id, _, cents in rows:
        kw = {"loan_id": loan_id, "user_id": user_id}
        legs += [ledger.debit("fee_waivers", cents, **kw), ledger.credit("late_fee_receivable", cents, **kw)]
    ledger.post(s, "fee_waiver", legs, posted_on=on, memo=memo)
    s.execute(update(LI), [{"id": i, "fee_cents": paid} for i, _, _, paid, _ in rows])
    s.execute(
        update(LateFee),
        [
            {"id": fee_id, "waived_cents": cents}
            for fee_id, cents in _fee_rows(s, [r[0] for r in rows], {r[0]: r[4] for r in rows})
        ],
    )
    return sum(r[4] for r in rows)


def waive_installment_fees(s: DbSession, loan: Loan) -> None:
    """Zero the unpaid fees of one loan's installments (its journal legs are the caller's)."""
    waived = {i.id: i.fee_cents - i.paid_fee_cents for i in loan.installments if i.fee_cents > i.paid_fee_cents}
    for row in loan.installments:
        row.fee_cents = row.paid_fee_cents
    s.flush()
    if waived:
        s.execute(update(LateFee), [{"id": f, "waived_cents": c} for f, c in _fee_rows(s, list(waived), waived)])


def _fee_rows(s: DbSession, installment_ids: list[int], waived: dict[int, int]) -> list[tuple[int, int]]:
    found = s.execute(
        select(LateFee.id, LateFee.installment_id, LateFee.waived_cents).where(
            LateFee.installment_id.in_(installment_ids)
        )
    )
    return [(fee_id, already + waived[inst]) for fee_id, inst, already in found]


def report(s: DbSession, program: ReliefProgram) -> list[tuple[str, int, int]]:
    """(measure, loans, amount) for one program."""
    rows = s.execute(
        select(ReliefEffect.kind, func.count(ReliefEffect.id), func.coalesce(func.sum(ReliefEffect.amount_cents), 0))
        .where(ReliefEffect.program_id == program.id)
        .group_by(ReliefEffect.kind)
        .order_by(ReliefEffect.kind)
    ).all()
    return [(kind, int(n), int(cents)) for kind, n, cents in rows]
