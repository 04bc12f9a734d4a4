"""Autopay: the daily job charges the card on file for what is due."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shop.models import Listing, Loan, LoanPayment
from tests.support.web import accept_offer, apply_for_credit


def _loan_with_card(shopper, auth, session, client, stripe_base, card):
    auth.login()
    shopper.add(session.scalars(select(Listing).filter_by(sku="VC-LTP-01")).one().id, 1)
    shopper.enter_address()
    apply_for_credit(client)
    response, _ = accept_offer(client, stripe_base, "monthly_12", card=card)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return session.scalars(select(Loan)).one()


def test_autopay_collects_the_installment_due_and_only_once(app, shopper, auth, session, client, stripe_base):
    from shop.cli.credit import collect_autopay as _collect_autopay
    from shop.extensions import db

    loan = _loan_with_card(shopper, auth, session, client, stripe_base, "4242424242424242")
    first = next(i for i in loan.installments if i.kind == "installment")
    with app.app_context():
        before_due = _collect_autopay(db.session, first.due_on - timedelta(days=1))
        on_due = _collect_autopay(db.session, first.due_on)
        again = _collect_autopay(db.session, first.due_on)
    assert before_due == []
    assert [(r.ok, r.amount_cents) for r in on_due] == [(True, first.total_cents)]
    assert again == []
    session.expire_all()
    paid = session.get(Loan, loan.id)
    assert next(i for i in paid.installments if i.kind == "installment").is_paid
    assert len([p for p in paid.payments if p.kind == "next"]) == 1  # autopay pays what is due


def test_autopay_off_or_a_declined_card_charges_nothing(app, shopper, auth, session, client, stripe_base):
    from shop.cli.credit import collect_autopay as _collect_autopay
    from shop.extensions import db

    loan = _loan_with_card(shopper, auth, session, client, stripe_base, "4000000000000341")
    due_on = next(i for i in loan.installments if i.kind == "installment").due_on
    payments_before = session.query(LoanPayment).count()
    with app.app_context():
        [declined] = _collect_autopay(db.session, due_on)
        db.session.get(Loan, loan.id).autopay = False
        db.session.commit()
        skipped = _collect_autopay(db.session, due_on)
    assert not declined.ok and "declined" in declined.message
    assert skipped == []
    session.expire_all()
    assert session.query(LoanPayment).count() == payments_before


def test_flask_credit_autopay_runs_the_job_for_a_business_date(app, shopper, auth, session, client, stripe_base):
    loan = _loan_with_card(shopper, auth, session, client, stripe_base, "4242424242424242")
    first = next(i for i in loan.installments if i.kind == "installment")
    result = app.test_cli_runner().invoke(args=["credit", "autopay", "--date", first.due_on.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"{loan.number}: $" in result.output and "1 paid, 0 failed." in result.output
