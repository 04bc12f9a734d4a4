"""The daily run's delinquency steps: days past due and stage, late fees,
charge-off.  Each reads its candidates with one set-based query, applies the
pure rules of credit.delinquency and writes back with bulk statements; only
loans that are (or were) past due are touched."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import exists, func, insert, select, update

from credit.delinquency import ServicingPolicy, days_past_due, late_fee_cents, stage_for
from shop.models import LateFee, Loan, LoanInstallment, LoanServicing, LoanStatus, OutboxMessage, utcnow
from shop.models.base import DbSession
from shop.services import ledger, relief
from shop.services.daily_run import StepResult

LI = LoanInstallment
OWED = (
    LI.principal_cents + LI.interest_cents + LI.fee_cents - LI.paid_principal_cents - LI.paid_interest_cents
) - LI.paid_fee_cents


def _past_due_by_loan(s: DbSession, on: date) -> dict[int, tuple[int, date, int]]:
    """loan id -> (user id, oldest unpaid due date before `on`, amount past due)."""
    rows = s.execute(
        select(LI.loan_id, Loan.user_id, func.min(LI.due_on), func.sum(OWED))
        .join(Loan, Loan.id == LI.loan_id)
        .where(Loan.status == LoanStatus.ACTIVE, LI.paid_at.is_(None), LI.due_on < on, OWED > 0)
        .group_by(LI.loan_id, Loan.user_id)
    ).all()
    return {loan_id: (user_id, oldest, int(cents)) for loan_id, user_id, oldest, cents in rows}


def update_delinquency(s: DbSession, on: date, policy: ServicingPolicy) -> tuple[StepResult, set[int], set[int]]:
    """Days past due and stage of every loan past due today or yesterday.

    Returns the step result and the users whose loans became past due / current."""
    now = _past_due_by_loan(s, on)
    before = {
        row.loan_id: row
        for row in s.execute(
            select(LoanServicing.loan_id, LoanServicing.user_id, LoanServicing.dpd, LoanServicing.stage)
            .join(Loan, Loan.id == LoanServicing.loan_id)
            .where(LoanServicing.dpd > 0, Loan.status != LoanStatus.CHARGED_OFF)
        )
    }
    paused = relief.contact_paused_loans(s, on)
    changes: list[dict] = []
    notices: list[dict] = []
    late: set[int] = set()
    cured: set[int] = set()
    for loan_id in now.keys() | before.keys():
        user_id, oldest, cents = now[loan_id] if loan_id in now else (before[loan_id].user_id, None, 0)
        dpd = days_past_due(oldest, on)
        stage = stage_for(dpd, policy)
        old_stage = before[loan_id].stage if loan_id in before else "current"
        row = {"loan_id": loan_id, "dpd": dpd, "stage": stage, "oldest_due_on": oldest, "past_due_cents": cents}
        row["updated_on"] = on
        if stage != old_stage:
            row["next_action_on"] = on if dpd and loan_id not in paused else None
            if dpd and loan_id not in paused:
                notices.append(_notice("past_due", f"past_due:{loan_id}:{stage}:{oldest}", user_id, loan_id, cents, on))
                notices[-1]["detail"] = {"stage": stage, "dpd": dpd}
        if dpd and loan_id not in before:
            late.add(user_id)
        if not dpd and loan_id in before:
            row["current_since"] = on
            cured.add(user_id)
        changes.append(row)
    if changes:
        s.execute(update(LoanServicing), changes)
    _write_notices(s, notices)
    total = sum(int(c["past_due_cents"]) for c in changes)
    return StepResult("delinquency", len(changes), total, {"past_due": len(now), "cured": len(cured)}), late, cured


def _notice(kind: str, key: str, user_id: int, loan_id: int, cents: int | None, on: date) -> dict:
    now = utcnow()
    return {"dedupe_key": key, "kind": kind, "user_id": user_id, "loan_id": loan_id, "amount_cents": cents} | {
        "on_date": on,
        "detail": None,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _write_notices(s: DbSession, rows: list[dict]) -> None:
    if not rows:
        return
    known = set(
        s.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_([r["dedupe_key"] for r in rows])))
    )
    fresh = [r for r in rows if r["dedupe_key"] not in known]
    if fresh:
        s.execute(insert(OutboxMessage), fresh)


def assess_late_fees(s: DbSession, on: date, policy: ServicingPolicy) -> StepResult:
    """One late fee for each installment still owed more than the grace period
    after its due date, capped per loan; one journal transaction for the date."""
    cutoff = on - timedelta(days=policy.grace_days + 1)
    candidates = s.execute(
        select(LI.id, LI.loan_id, Loan.user_id, LI.principal_cents + LI.interest_cents, LI.fee_cents)
        .join(Loan, Loan.id == LI.loan_id)
        .where(Loan.status == LoanStatus.ACTIVE, LI.paid_at.is_(None), OWED > 0, LI.due_on <= cutoff)
        .where(~exists().where(LateFee.installment_id == LI.id))
        .where(~LI.loan_id.in_(relief.fee_paused_loans_query(on)))
        .order_by(LI.loan_id, LI.due_on)
    ).all()
    if not candidates:
        return StepResult("late_fees")
    charged = dict(
        s.execute(
            select(LoanServicing.loan_id, LoanServicing.late_fees_cents).where(
                LoanServicing.loan_id.in_({c.loan_id for c in candidates})
            )
        ).all()
    )
    fees: list[tuple[int, int, int, int, int]] = []
    by_loan: defaultdict[int, int] = defaultdict(int)
    for inst_id, loan_id, user_id, amount, fee_cents in candidates:
        fee = late_fee_cents(amount, charged.get(loan_id, 0) + by_loan[loan_id], policy)
        if fee:
            by_loan[loan_id] += fee
            fees.append((inst_id, loan_id, user_id, fee, fee_cents))
    if not fees:
        return StepResult("late_fees")
    ledger.post_in_batches(
        s,
        "late_fees",
        [_fee_legs(loan_id, user_id, fee) for _, loan_id, user_id, fee, _ in fees],
        posted_on=on,
        memo=f"late fees assessed {on}",
    )
    s.execute(
        insert(LateFee),
        [
            {"loan_id": lid, "installment_id": i, "amount_cents": f, "waived_cents": 0, "assessed_on": on}
            for i, lid, _, f, _ in fees
        ],
    )
    s.execute(update(LoanInstallment), [{"id": i, "fee_cents": old + f} for i, _, _, f, old in fees])
    s.execute(
        update(LoanServicing),
        [{"loan_id": lid, "late_fees_cents": charged.get(lid, 0) + cents} for lid, cents in by_loan.items()],
    )
    _write_notices(s, [_notice("late_fee", f"late_fee:{i}", u, lid, f, on) for i, lid, u, f, _ in fees])
    return StepResult("late_fees", len(by_loan), sum(by_loan.values()), {"fees": len(fees)})


def _fee_legs(loan_id: int, user_id: int, fee: int) -> list[ledger.Leg]:
    ids = {"loan_id": loan_id, "user_id": user_id}
    return [ledger.debit("late_fee_receivable", fee, **ids), ledger.credit("late_fee_income", fee, **ids)]


def charge_off(s: DbSession, on: date, policy: ServicingPolicy) -> StepResult:
    """Write off every active loan at or past the policy's charge-off DPD: its
    principal and unpaid fees leave the receivables for charge_off_expense."""
    loans = s.execute(
        select(LoanServicing.loan_id, LoanServicing.user_id)
        .join(Loan, Loan.id == LoanServicing.loan_id)
        .where(Loan.status == LoanStatus.ACTIVE, LoanServicing.dpd >= policy.charge_off_dpd)
    ).all()
    if not loans:
        return StepResult("charge_off")
    ids = [loan_id for loan_id, _ in loans]
    balances = defaultdict(int)
    for loan_id, account, cents in s.execute(
        select(
            ledger.JournalEntry.loan_id,
            ledger.JournalEntry.account,
            func.sum(ledger.JournalEntry.debit_cents - ledger.JournalEntry.credit_cents),
        )
        .where(
            ledger.JournalEntry.loan_id.in_(ids),
            ledger.JournalEntry.account.in_(["loan_receivable", "late_fee_receivable"]),
        )
        .group_by(ledger.JournalEntry.loan_id, ledger.JournalEntry.account)
    ):
        balances[(loan_id, account)] = int(cents)
    legs: list[list[ledger.Leg]] = []
    rows: list[dict] = []
    total = 0
    for loan_id, user_id in loans:
        principal, fees = balances[(loan_id, "loan_receivable")], balances[(loan_id, "late_fee_receivable")]
        kw = {"loan_id": loan_id, "user_id": user_id}
        legs.append(
            [
                ledger.debit("charge_off_expense", principal + fees, **kw),
                ledger.credit("loan_receivable", principal, **kw),
                ledger.credit("late_fee_receivable", fees, **kw),
            ]
        )
        rows.append({"loan_id": loan_id, "charged_off_on": on, "charged_off_cents": principal + fees})
        total += principal + fees
    ledger.post_in_batches(s, "charge_off", legs, posted_on=on, memo=f"charge-offs {on}")
    s.execute(
        update(Loan)
        .where(Loan.id.in_(ids))
        .values(status=LoanStatus.CHARGED_OFF)
        .execution_options(synchronize_session=False)
    )
    s.execute(update(LoanServicing), rows)
    _write_notices(
        s,
        [
            _notice("charged_off", f"charged_off:{lid}", u, lid, r["charged_off_cents"], on)
            for r, (lid, u) in zip(rows, loans, strict=True)
        ],
    )
    return StepResult("charge_off", len(loans), total)
