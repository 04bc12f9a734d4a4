"""Hardship: the shopper asks for help; staff grant a fee waiver, a deferral
of up to N installments (due dates move; the holiday is interest-free) or a
re-amortized plan over more months.  Each grant is one balanced journal
transaction plus an audit entry, and the shopper is told."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from credit.delinquency import ServicingPolicy
from credit.schedule import Installment, add_months, level_payment_schedule
from credit.servicing import defer_installment
from shop.models import HardshipRequest, HardshipStatus, Loan, LoanInstallment, LoanStatus, User, utcnow
from shop.models.base import DbSession
from shop.services import audit, ledger, notices, relief
from shop.services.errors import CheckoutError


class HardshipError(CheckoutError):
    """An anticipated hardship failure; the message is for the shopper or staff."""


def open_request(s: DbSession, loan: Loan) -> HardshipRequest | None:
    stmt = select(HardshipRequest).filter_by(loan_id=loan.id, status=HardshipStatus.REQUESTED)
    return s.scalars(stmt).first()


def request_help(s: DbSession, user: User, loan: Loan, *, reason: str, can_pay_cents: int) -> HardshipRequest:
    if loan.user_id != user.id or loan.status != LoanStatus.ACTIVE:
        raise HardshipError("Help can be asked for on an active loan of yours.")
    if open_request(s, loan) is not None:
        raise HardshipError("You have asked for help with this loan already; we will get back to you.")
    request = HardshipRequest(loan_id=loan.id, user_id=user.id, reason=reason.strip(), can_pay_cents=can_pay_cents)
    s.add(request)
    s.flush()
    return request


def _unpaid(loan: Loan) -> list[LoanInstallment]:
    return [i for i in loan.installments if not i.is_paid]


def _restructure_legs(loan: Loan, rows: list[LoanInstallment]) -> list[ledger.Leg]:
    principal = sum(i.principal_cents - i.paid_principal_cents for i in rows)
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    return [ledger.credit("loan_receivable", principal, **ids), ledger.debit("loan_receivable", principal, **ids)]


def _waive_fee_legs(loan: Loan) -> tuple[list[ledger.Leg], int]:
    waived = sum(i.fee_cents - i.paid_fee_cents for i in loan.installments)
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    return [ledger.debit("fee_waivers", waived, **ids), ledger.credit("late_fee_receivable", waived, **ids)], waived


def _defer(loan: Loan, count: int) -> str:
    rows = _unpaid(loan)
    plan = [
        Installment(i.number, i.due_on, i.principal_cents, i.interest_cents, i.fee_cents, i.total_cents, 0, i.kind)
        for i in loan.installments
        if i.kind == "installment"
    ]
    unit = "14 days" if loan.product == "pay_in_4" else "1 month"
    for _ in range(count):
        plan = defer_installment(plan, rows[0].number, unit)
    moved = {p.number: p.due_on for p in plan}
    for row in rows:
        row.due_on = moved.get(row.number, row.due_on)
    return f"{count} installment(s) deferred; the next payment is now due on {rows[0].due_on}."


def _reamortize(loan: Loan, extra_months: int, on: date) -> str:
    rows = _unpaid(loan)
    principal = sum(i.principal_cents - i.paid_principal_cents for i in rows)
    months = len([i for i in rows if i.kind == "installment"]) + extra_months
    for row in rows:  # what is still owed on the old rows moves into the new plan
        row.principal_cents, row.interest_cents, row.fee_cents = (
            row.paid_principal_cents,
            row.paid_interest_cents,
            row.paid_fee_cents,
        )
        row.paid_at = utcnow()
    number = max(i.number for i in loan.installments)
    rate = Decimal(loan.rate_bps) / 10000
    for new in level_payment_schedule(principal, rate, months, on, add_months(on, 1)):
        number += 1
        loan.installments.append(
            LoanInstallment(
                number=number,
                kind="installment",
                due_on=new.due_on,
                principal_cents=new.principal_cents,
                interest_cents=new.interest_cents,
                fee_cents=0,
                paid_principal_cents=0,
                paid_interest_cents=0,
                paid_fee_cents=0,
            )
        )
    return f"New plan: {months} monthly payments from {add_months(on, 1)}."


def grant(
    s: DbSession,
    staff: User,
    request: HardshipRequest,
    policy: ServicingPolicy,
    *,
    remedy: str,
    count: int,
    note: str,
    on: date,
) -> HardshipRequest:
    """Grant `remedy` (fee_waiver | deferral of `count` installments | reamortization over `count` more months)."""
    loan = s.get(Loan, request.loan_id)
    if request.status != HardshipStatus.REQUESTED or loan is None or loan.status != LoanStatus.ACTIVE:
        raise HardshipError("This request has been decided already (or the loan is closed).")
    legs, waived = _waive_fee_legs(loan)
    if remedy == "fee_waiver":
        if not waived:
            raise HardshipError("There are no late fees to waive on this loan.")
        relief.waive_installment_fees(s, loan)
        summary = f"Late fees waived: {waived} cents."
    elif remedy == "deferral":
        if not 1 <= count <= policy.hardship_max_deferred_installments:
            raise HardshipError(f"Defer between 1 and {policy.hardship_max_deferred_installments} installments.")
        legs, waived = _restructure_legs(loan, _unpaid(loan)), 0
        summary = _defer(loan, count)
    else:
        if not 1 <= count <= policy.hardship_max_extra_months:
            raise HardshipError(f"Add between 1 and {policy.hardship_max_extra_months} months.")
        restructure = _restructure_legs(loan, _unpaid(loan))
        if waived:
            relief.waive_installment_fees(s, loan)
        summary = _reamortize(loan, count, on)  # fees on the old rows are waived with it
        legs = restructure + (legs if waived else [])
    txn = ledger.post(
        s, f"hardship_{remedy}", legs, posted_on=on, loan_id=loan.id, memo=f"{loan.number}: {summary}"[:200]
    )
    request.status, request.remedy, request.installments, request.decision_note = (
        HardshipStatus.GRANTED,
        remedy,
        count,
        note,
    )
    request.decided_by, request.decided_at, request.journal_transaction_id = staff.id, utcnow(), txn.id
    s.flush()
    audit.record(
        s,
        staff,
        "hardship.grant",
        "loan",
        loan.number,
        reason=note,
        detail={"remedy": remedy, "count": count},
        customer_id=loan.user_id,
    )
    detail = {"decision": "granted", "summary": summary}
    notices.enqueue(
        s, "hardship_decision", loan.user_id, f"hardship:{request.id}", loan_id=loan.id, on_date=on, detail=detail
    )
    return request


def decline(s: DbSession, staff: User, request: HardshipRequest, *, note: str, on: date) -> HardshipRequest:
    if request.status != HardshipStatus.REQUESTED:
        raise HardshipError("This request has been decided already.")
    request.status, request.decision_note, request.decided_by, request.decided_at = (
        HardshipStatus.DECLINED,
        note,
        staff.id,
        utcnow(),
    )
    s.flush()
    audit.record(s, staff, "hardship.decline", "hardship_request", request.id, reason=note, customer_id=request.user_id)
    detail = {"decision": "declined", "summary": note}
    notices.enqueue(
        s,
        "hardship_decision",
        request.user_id,
        f"hardship:{request.id}",
        loan_id=request.loan_id,
        on_date=on,
        detail=detail,
    )
    return request
