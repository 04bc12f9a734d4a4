"""The daily close of business over a simulated calendar: the clock is the only
fake (business dates are passed explicitly, in the past so they are not refused)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from shop.extensions import db
from shop.models import (
    BusinessDay,
    CreditLineEvent,
    JournalTransaction,
    LateFee,
    Loan,
    LoanServicing,
    OutboxMessage,
)
from shop.services import ledger, repayments, servicing_policies
from tests.support.builders import first_installment, servicing_loan

START = date(2025, 1, 6)


def run_through(s, last: date, first: date | None = None) -> None:
    """Run every business date up to `last`, checking the ledger after each."""
    from shop.cli.run_day import run_dates

    day = first or s.scalar(select(func.max(BusinessDay.business_on))) + timedelta(days=1)
    while day <= last:
        run_dates(s, day, today=day)
        assert ledger.ledger_problems(s) == [], day
        day += timedelta(days=1)


def pay_next(s, user, loan, pm, on: date, key: str):
    receipt = repayments.record_repayment(
        s, user, loan, amount_cents=None, kind="next", key=key, payment_method_id=pm, today=on
    )
    s.commit()
    return receipt


def state(s, loan) -> LoanServicing:
    s.expire_all()
    return s.get(LoanServicing, loan.id)


def test_a_loan_paid_on_time_stays_current_without_fees(app, stripe_base):
    with app.app_context():
        s = db.session
        user, loan, pm = servicing_loan(s, stripe_base, START)
        due = first_installment(loan).due_on
        run_through(s, due - timedelta(days=1), first=START)
        pay_next(s, user, loan, pm, due, "on-time")
        run_through(s, due + timedelta(days=20))
        assert (state(s, loan).dpd, state(s, loan).stage) == (0, "current")
        assert s.scalar(select(func.count(LateFee.id)).filter_by(loan_id=loan.id)) == 0
        kinds = set(s.scalars(select(OutboxMessage.kind).filter_by(loan_id=loan.id)))
        assert {"reminder", "receipt"} <= kinds and "past_due" not in kinds


def test_paid_late_inside_the_grace_period_costs_no_fee(app, stripe_base):
    with app.app_context():
        s = db.session
        user, loan, pm = servicing_loan(s, stripe_base, START)
        due = first_installment(loan).due_on
        run_through(s, due + timedelta(days=10), first=START)
        assert (state(s, loan).dpd, state(s, loan).stage) == (10, "dpd_1_30")
        pay_next(s, user, loan, pm, due + timedelta(days=10), "in-grace")
        run_through(s, due + timedelta(days=15))
        assert state(s, loan).dpd == 0
        assert s.scalar(select(func.count(LateFee.id)).filter_by(loan_id=loan.id)) == 0
        kinds = [e.kind for e in s.scalars(select(CreditLineEvent).filter_by(user_id=user.id))]
        assert kinds == ["freeze", "unfreeze"]


def test_past_grace_one_fee_per_installment_the_lesser_of_fixed_and_percent_and_capped(app, stripe_base):
    with app.app_context():
        s = db.session
        document = servicing_policies.active(s).to_dict() | {"version": "test-cap", "late_fee_cap_cents": 700}
        servicing_policies.add_version(s, document, activate=True)
        user, loan, pm = servicing_loan(s, stripe_base, START)
        first = first_installment(loan)
        installment_cents = first.principal_cents + first.interest_cents
        fee = min(1000, (installment_cents * 5 + 50) // 100)
        run_through(s, first.due_on + timedelta(days=10), first=START)
        assert s.scalar(select(func.count(LateFee.id)).filter_by(loan_id=loan.id)) == 0
        run_through(s, first.due_on + timedelta(days=11))
        [assessed] = s.scalars(select(LateFee).filter_by(loan_id=loan.id)).all()
        assert assessed.amount_cents == min(fee, 700)
        run_through(s, first.due_on + timedelta(days=80))
        fees = s.scalars(select(LateFee).filter_by(loan_id=loan.id)).all()
        assert sum(f.amount_cents for f in fees) == 700  # the cap
        assert len({f.installment_id for f in fees}) == len(fees)


def test_a_loan_rolls_through_every_stage_and_is_charged_off_at_120_days(app, stripe_base):
    with app.app_context():
        s = db.session
        user, loan, pm = servicing_loan(s, stripe_base, START)
        due = first_installment(loan).due_on
        run_through(s, due, first=START)
        seen = []
        for dpd in (1, 30, 31, 60, 61, 90, 91, 119):
            run_through(s, due + timedelta(days=dpd))
            seen.append((state(s, loan).dpd, state(s, loan).stage))
        assert seen == [
            (1, "dpd_1_30"),
            (30, "dpd_1_30"),
            (31, "dpd_31_60"),
            (60, "dpd_31_60"),
            (61, "dpd_61_90"),
            (90, "dpd_61_90"),
            (91, "dpd_90_plus"),
            (119, "dpd_90_plus"),
        ]
        assert s.get(Loan, loan.id).status == "active"
        run_through(s, due + timedelta(days=120))
        s.expire_all()
        assert s.get(Loan, loan.id).status == "charged_off"
        assert ledger.loan_principal_cents(s, loan.id) == 0
        [txn] = s.scalars(select(JournalTransaction).filter_by(kind="charge_off")).all()
        assert state(s, loan).charged_off_cents > 0
        stages = {
            m.detail["stage"] for m in s.scalars(select(OutboxMessage).filter_by(loan_id=loan.id, kind="past_due"))
        }
        assert stages == {"dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus"}


def _fingerprint(s) -> tuple:
    return tuple(
        s.scalar(select(func.count()).select_from(table))
        for table in (JournalTransaction, LateFee, OutboxMessage, CreditLineEvent)
    ) + tuple(
        s.execute(
            select(LoanServicing.loan_id, LoanServicing.dpd, LoanServicing.stage).order_by(LoanServicing.loan_id)
        ).all()
    )


def test_running_a_date_again_changes_nothing_skipped_dates_are_caught_up_and_the_future_is_refused(app, stripe_base):
    with app.app_context():
        s = db.session
        _, loan, _ = servicing_loan(s, stripe_base, START)
        due = first_installment(loan).due_on
    runner = app.test_cli_runner()
    assert runner.invoke(args=["credit", "run-day", "--date", START.isoformat()]).exit_code == 0
    result = runner.invoke(args=["credit", "run-day", "--date", (due + timedelta(days=15)).isoformat()])
    assert result.exit_code == 0, result.output
    with app.app_context():
        s = db.session
        days = s.scalars(select(BusinessDay.business_on).order_by(BusinessDay.business_on)).all()
        assert days == [START + timedelta(days=n) for n in range((due - START).days + 16)]
        before = _fingerprint(s)
        assert state(s, loan).dpd == 15
    again = runner.invoke(args=["credit", "run-day", "--date", (due + timedelta(days=15)).isoformat()])
    assert again.exit_code == 0 and "has been run already" in again.output
    with app.app_context():
        assert _fingerprint(db.session) == before
    future = runner.invoke(args=["credit", "run-day", "--date", (date.today() + timedelta(days=1)).isoformat()])
    assert future.exit_code == 2 and "in the future" in future.output
