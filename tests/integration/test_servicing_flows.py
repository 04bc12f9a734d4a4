"""Servicing flows over a simulated calendar: autopay retries, promises to pay,
hardship, region relief and the e-mails reaching a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from shop.cli.outbox import send_pending
from shop.extensions import db
from shop.models import (
    BusinessDay,
    LateFee,
    Loan,
    LoanPayment,
    LoanServicing,
    OutboxMessage,
    PromiseToPay,
    ReliefEffect,
    User,
)
from shop.services import collections, hardship, ledger, relief, repayments, servicing_policies
from tests.support.builders import first_installment, servicing_loan

START = date(2025, 1, 6)


def run_through(s, last: date, first: date | None = None) -> None:
    from shop.cli.run_day import run_dates

    day = first or s.scalar(select(func.max(BusinessDay.business_on))) + timedelta(days=1)
    while day <= last:
        run_dates(s, day, today=day)
        assert ledger.ledger_problems(s) == [], day
        day += timedelta(days=1)


def staff(s) -> User:
    return s.scalars(select(User).filter_by(email="collections@example.com")).one()


def test_autopay_pays_a_due_installment_on_its_due_date(app, stripe_base):
    with app.app_context():
        s = db.session
        _, loan, _ = servicing_loan(s, stripe_base, START, autopay=True)
        due = first_installment(loan).due_on
        run_through(s, due + timedelta(days=3), first=START)
        s.expire_all()
        assert first_installment(s.get(Loan, loan.id)).is_paid
        assert (
            s.scalar(select(func.count(LoanPayment.id)).filter_by(idempotency_key=f"autopay:{loan.number}:{due}")) == 1
        )
        assert s.get(LoanServicing, loan.id).dpd == 0


def test_a_declined_autopay_is_retried_on_day_2_and_4_then_paused_and_the_shopper_told(app, stripe_base):
    with app.app_context():
        s = db.session
        _, loan, _ = servicing_loan(s, stripe_base, START, card="4000000000000341", autopay=True)
        due = first_installment(loan).due_on
        run_through(s, due, first=START)
        s.expire_all()
        state = s.get(LoanServicing, loan.id)
        assert (state.autopay_failures, state.autopay_retry_on) == (1, due + timedelta(days=2))
        run_through(s, due + timedelta(days=3))
        assert (s.get(LoanServicing, loan.id).autopay_failures, s.get(Loan, loan.id).autopay) == (2, True)
        run_through(s, due + timedelta(days=6))
        s.expire_all()
        state = s.get(LoanServicing, loan.id)
        assert (state.autopay_failures, state.autopay_paused_on, s.get(Loan, loan.id).autopay) == (
            3,
            due + timedelta(days=4),
            False,
        )
        kinds = [m.kind for m in s.scalars(select(OutboxMessage).filter_by(loan_id=loan.id).order_by(OutboxMessage.id))]
        assert kinds.count("autopay_failed") == 2 and kinds.count("autopay_paused") == 1
        assert s.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id, kind="amount")) == 0


def test_a_promise_to_pay_is_kept_when_paid_and_broken_when_its_date_passes(app, stripe_base):
    with app.app_context():
        s = db.session
        user, loan, pm = servicing_loan(s, stripe_base, START)
        _, other, _ = servicing_loan(s, stripe_base, START)
        due = first_installment(loan).due_on
        run_through(s, due + timedelta(days=5), first=START)
        on = due + timedelta(days=5)
        kept = collections.add_promise(s, staff(s), loan, on, promised_on=on + timedelta(days=3), amount_cents=5000)
        broken = collections.add_promise(s, staff(s), other, on, promised_on=on + timedelta(days=3), amount_cents=5000)
        s.commit()
        repayments.record_repayment(
            s,
            user,
            loan,
            amount_cents=None,
            kind="next",
            key="promise",
            payment_method_id=pm,
            today=on + timedelta(days=2),
        )
        s.commit()
        run_through(s, on + timedelta(days=2))
        s.expire_all()
        assert (s.get(PromiseToPay, kept.id).status, s.get(PromiseToPay, broken.id).status) == ("kept", "pending")
        run_through(s, on + timedelta(days=4))
        s.expire_all()
        assert s.get(PromiseToPay, broken.id).status == "broken"
        assert s.get(PromiseToPay, broken.id).resolved_on == on + timedelta(days=4)


def test_a_hardship_deferral_moves_the_due_dates_and_cures_the_loan(app, stripe_base):
    with app.app_context():
        s = db.session
        user, loan, _ = servicing_loan(s, stripe_base, START)
        due = first_installment(loan).due_on
        run_through(s, due + timedelta(days=12), first=START)
        assert s.scalar(select(func.count(LateFee.id)).filter_by(loan_id=loan.id)) == 1
        before = [i.due_on for i in s.get(Loan, loan.id).installments if i.kind == "installment"]
        request = hardship.request_help(s, user, loan, reason="Lost my job", can_pay_cents=2000)
        policy = servicing_policies.active(s)
        hardship.grant(s, staff(s), request, policy, remedy="deferral", count=2, note="ok", on=due + timedelta(days=12))
        s.commit()
        assert ledger.ledger_problems(s) == []
        after = [i.due_on for i in s.get(Loan, loan.id).installments if i.kind == "installment"]
        assert after[0] > due + timedelta(days=12) and after != before
        run_through(s, due + timedelta(days=14))
        assert s.get(LoanServicing, loan.id).dpd == 0
        assert s.scalar(select(func.count(OutboxMessage.id)).filter_by(loan_id=loan.id, kind="hardship_decision")) == 1


def test_region_relief_is_applied_to_loans_in_the_region_and_can_be_ended_early(app, stripe_base):
    with app.app_context():
        s = db.session
        _, loan, _ = servicing_loan(s, stripe_base, START)  # billed in IL
        due = first_installment(loan).due_on
        run_through(s, due + timedelta(days=5), first=START)
        terms = relief.ReliefTerms(
            "Flood",
            ["il"],
            due + timedelta(days=6),
            due + timedelta(days=60),
            pause_late_fees=True,
            defer_days=30,
            pause_contact=True,
        )
        elsewhere = relief.ReliefTerms("Storm", ["LA"], due, due + timedelta(days=60), pause_late_fees=True)
        program = relief.create_program(s, staff(s), terms)
        other = relief.create_program(s, staff(s), elsewhere)
        s.commit()
        run_through(s, due + timedelta(days=20))
        kinds = {e.kind for e in s.scalars(select(ReliefEffect).filter_by(program_id=program.id, loan_id=loan.id))}
        assert kinds == {"fee_paused", "deferred", "contact_paused"}
        assert s.scalar(select(func.count(ReliefEffect.id)).filter_by(program_id=other.id, loan_id=loan.id)) == 0
        assert first_installment(s.get(Loan, loan.id)).due_on == due + timedelta(days=30)
        assert s.get(LoanServicing, loan.id).dpd == 0
        assert dict((k, n) for k, n, _ in relief.report(s, program))["deferred"] == 1
        relief.end_program(s, staff(s), program, due + timedelta(days=20), "water receded")
        s.commit()
        run_through(s, due + timedelta(days=30 + 12))
        assert s.get(LoanServicing, loan.id).dpd == 12
        assert s.scalar(select(func.count(LateFee.id)).filter_by(loan_id=loan.id)) == 1  # fees resume once it ended


def test_notices_are_delivered_to_the_smtp_server_and_retried_when_it_is_down(app, stripe_base, smtp_inbox):
    with app.app_context():
        s = db.session
        user, loan, _ = servicing_loan(s, stripe_base, START)
        run_through(s, first_installment(loan).due_on + timedelta(days=11), first=START)
        pending = s.scalar(select(func.count(OutboxMessage.id)).filter_by(user_id=user.id, status="pending"))
        down_sent, down_failed = send_pending(s, "smtp://127.0.0.1:9")
        assert down_sent == 0 and down_failed >= pending
        s.execute(OutboxMessage.__table__.update().values(next_attempt_at=OutboxMessage.created_at))
        s.commit()
        sent, failed = send_pending(s, smtp_inbox.url)
        assert failed == 0 and sent >= pending
        subjects = smtp_inbox.subjects_to(user.email)
        assert any(x.startswith("Payment reminder") for x in subjects)
        assert any("past due" in x for x in subjects) and any(x.startswith("A late fee") for x in subjects)
        assert send_pending(s, smtp_inbox.url) == (0, 0)
