"""Loan console servicing actions: each with a reason, one balanced journal
transaction (a deferral moves dates only) and one audit entry; reversals are
compensating entries; `flask credit check-ledger` stays clean throughout."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from credit.interest import apply_payment
from shop.models import AuditEntry, JournalTransaction, Loan, LoanPayment, ServicingAction, utcnow
from shop.services import ledger, repayments
from shop.services.loan_state import state_of
from tests.support.builders import assert_books_balance
from tests.support.staff import login_as, post_form, seed_lending_book


def _ledger_clean(app) -> None:
    result = app.test_cli_runner().invoke(args=["credit", "check-ledger"])
    assert result.exit_code == 0, result.output


def _loan(session, email_start: str) -> Loan:
    session.expire_all()
    return next(loan for loan in session.scalars(select(Loan)) if loan.user.email.startswith(email_start))


def _do(client, loan: Loan, action: str, data: dict):
    return post_form(client, f"/admin/loans/{loan.number}/{action}", data, token_from=f"/admin/loans/{loan.number}")


def _transactions(session) -> int:
    return session.scalar(select(func.count(JournalTransaction.id)))


def test_the_loan_list_finds_loans_by_number_order_email_and_id_last_four(app, session):
    seed_lending_book(app)
    loan = _loan(session, "lee.pastdue")
    collections = login_as(app, "collections")

    for q in (loan.number, loan.order.number, "lee.pastdue@example.com"):
        html = collections.get(f"/admin/loans?q={q}").get_data(as_text=True)
        assert html.count('data-testid="loan-row"') == 1 and loan.number in html, q
    from shop.models import CreditApplication, CreditDecision

    last4 = session.scalar(
        select(CreditApplication.national_id_last4).join(CreditDecision).where(CreditDecision.id == loan.decision_id)
    )
    assert loan.number in collections.get(f"/admin/loans?q={last4}").get_data(as_text=True)
    statuses = collections.get("/admin/loans").get_data(as_text=True)
    assert "paid_off" in statuses and "active" in statuses


def test_the_loan_page_shows_schedule_payments_journal_and_notes(app, session):
    seed_lending_book(app)
    loan = _loan(session, "kim.paidoff")
    html = login_as(app, "reviewer").get(f"/admin/loans/{loan.number}").get_data(as_text=True)
    for part in ("schedule", "payments", "journal", "actions", "notes"):
        assert f'data-testid="{part}"' in html
    assert "loan_booked" in html and "repayment_offline" in html and "Demo: paid off by bank transfer" in html
    assert 'data-testid="waive-form"' not in html  # reviewers see loans, only collections service them


def test_waiving_a_fee_posts_one_balanced_transaction_and_one_audit_entry_and_reverses(app, session):
    seed_lending_book(app)
    loan = _loan(session, "lee.pastdue")
    row = next(i for i in loan.installments if i.fee_cents)
    collections = login_as(app, "collections")
    before = _transactions(session)

    assert _do(collections, loan, "waive", {"waive-installment": row.number, "waive-reason": "x"}).status_code == 400
    done = _do(collections, loan, "waive", {"waive-installment": row.number, "waive-reason": "Hardship: job loss"})

    assert done.status_code == 302
    session.expire_all()
    assert session.get(type(row), row.id).fee_cents == 0 and _transactions(session) == before + 1
    action = session.scalars(select(ServicingAction).filter_by(loan_id=loan.id)).one()
    txn = session.get(JournalTransaction, action.journal_transaction_id)
    assert {(e.account, e.debit_cents, e.credit_cents) for e in txn.entries} == {
        ("fee_waivers", 1500, 0),
        ("late_fee_receivable", 0, 1500),
    }
    entry = session.scalars(select(AuditEntry).filter_by(action="loan.waive_fee")).one()
    assert entry.reason == "Hardship: job loss" and entry.subject_id == loan.number
    assert_books_balance(session)
    _ledger_clean(app)

    undone = _do(collections, loan, "reverse", {"action_id": action.id, "reason": "Waived the wrong loan"})

    assert undone.status_code == 302
    session.expire_all()
    assert session.get(type(row), row.id).fee_cents == 1500 and _transactions(session) == before + 2
    assert ledger.trial_balance(session).get("fee_waivers", 0) == 0
    assert session.scalars(select(AuditEntry).filter_by(action="loan.reversal")).one().detail["reversed_kind"] == (
        "waive_fee"
    )
    assert_books_balance(session)
    _ledger_clean(app)
    again = _do(collections, loan, "reverse", {"action_id": action.id, "reason": "Once more, by mistake"})
    assert again.status_code == 409 and "reversed already" in again.get_data(as_text=True)


def test_deferring_moves_that_installment_and_the_later_ones_a_month_and_reverses(app, session):
    seed_lending_book(app)
    loan = _loan(session, "dana.current")
    due = {i.number: i.due_on for i in loan.installments}
    collections = login_as(app, "collections")

    done = _do(collections, loan, "defer", {"defer-installment": 3, "defer-reason": "Payment holiday: illness"})

    assert done.status_code == 302
    loan = _loan(session, "dana.current")
    moved = {i.number: i.due_on for i in loan.installments}
    assert all(moved[n] == due[n] for n in due if n < 3)
    assert all(moved[n] > due[n] + timedelta(days=27) for n in due if n >= 3)
    assert session.scalars(select(AuditEntry).filter_by(action="loan.defer_installment")).one()
    _ledger_clean(app)
    action = session.scalars(select(ServicingAction).filter_by(loan_id=loan.id)).one()
    assert _do(collections, loan, "reverse", {"action_id": action.id, "reason": "Wrong installment"}).status_code == 302
    assert {i.number: i.due_on for i in _loan(session, "dana.current").installments} == due
    _ledger_clean(app)


def test_an_offline_payment_uses_the_repayment_waterfall_and_reverses(app, session):
    seed_lending_book(app)
    loan = _loan(session, "lee.pastdue")
    today = utcnow().date()
    expected, _ = apply_payment(state_of(loan), 20_000, today)  # the same rule card repayments use
    principal_before = ledger.loan_principal_cents(session, loan.id)
    bank_before = ledger.trial_balance(session)["bank"]  # the demo's paid-off loan came in by bank transfer
    collections = login_as(app, "collections")
    form = {"amount": "200.00", "reason": "Bank transfer ref 8812", "key": "offline-test-1"}

    first = _do(collections, loan, "payment", form)
    double = _do(collections, loan, "payment", form)  # a double submit records nothing more

    assert first.status_code == double.status_code == 302
    payment = session.scalars(select(LoanPayment).filter_by(loan_id=loan.id, kind="offline")).one()
    assert (payment.allocation["fees_cents"], payment.allocation["interest_cents"]) == (
        expected.fees_cents,
        expected.interest_cents,
    )
    paid_principal = expected.principal_cents
    assert payment.allocation["principal_cents"] == paid_principal
    assert ledger.loan_principal_cents(session, loan.id) == principal_before - paid_principal
    assert ledger.trial_balance(session)["bank"] == bank_before + 20_000
    assert_books_balance(session)
    _ledger_clean(app)

    action = session.scalars(select(ServicingAction).filter_by(loan_id=loan.id, kind="offline_payment")).one()
    assert _do(collections, loan, "reverse", {"action_id": action.id, "reason": "Transfer bounced"}).status_code == 302

    assert ledger.loan_principal_cents(session, loan.id) == principal_before
    assert ledger.trial_balance(session)["bank"] == bank_before
    assert_books_balance(session)
    _ledger_clean(app)


def test_an_offline_payoff_closes_the_loan_and_its_reversal_reopens_it(app, session):
    seed_lending_book(app)
    loan = _loan(session, "dana.current")
    payoff = repayments.payoff_quote(loan, utcnow().date()).total_cents
    collections = login_as(app, "collections")
    too_much = {"amount": f"{(payoff + 100) / 100:.2f}", "reason": "Cheque 5521", "key": "k-over"}

    assert _do(collections, loan, "payment", too_much).status_code == 409
    exact = {"amount": f"{payoff / 100:.2f}", "reason": "Cheque 5521", "key": "k-payoff"}
    assert _do(collections, loan, "payment", exact).status_code == 302

    assert _loan(session, "dana.current").status == "paid_off"
    _ledger_clean(app)
    action = session.scalars(select(ServicingAction).filter_by(loan_id=loan.id, kind="offline_payment")).one()
    assert _do(collections, loan, "reverse", {"action_id": action.id, "reason": "Cheque bounced"}).status_code == 302
    loan = _loan(session, "dana.current")
    assert loan.status == "active" and ledger.loan_principal_cents(session, loan.id) == loan.financed_cents
    assert_books_balance(session)
    _ledger_clean(app)


def test_only_the_latest_action_can_be_reversed(app, session):
    seed_lending_book(app)
    loan = _loan(session, "lee.pastdue")
    collections = login_as(app, "collections")
    row = next(i for i in loan.installments if i.fee_cents)
    assert (
        _do(collections, loan, "waive", {"waive-installment": row.number, "waive-reason": "Hardship"}).status_code
        == 302
    )
    form = {"amount": "50.00", "reason": "Bank transfer", "key": "k-later"}
    assert _do(collections, loan, "payment", form).status_code == 302
    waiver = session.scalars(select(ServicingAction).filter_by(kind="waive_fee")).one()

    refused = _do(collections, loan, "reverse", {"action_id": waiver.id, "reason": "Wrong loan"})

    assert refused.status_code == 409 and "later actions" in refused.get_data(as_text=True)
    _ledger_clean(app)
