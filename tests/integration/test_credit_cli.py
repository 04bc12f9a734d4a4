"""`flask credit ...`: reviews of referred applications, the ledger check,
reconciliation of orphan Stripe payments, expired holds and policy versions."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from credit.engine import replay
from credit.policy import DEFAULT_POLICY
from shop.models import (
    CreditApplication,
    CreditDecision,
    JournalEntry,
    JournalTransaction,
    Listing,
    Loan,
    LoanInstallment,
    LoanPayment,
    Order,
    utcnow,
)
from shop.services import applications, ledger, policies
from tests.support.builders import listing_by_sku
from tests.support.web import accept_offer, apply_for_credit

STRIPE_AUTH = ("sk_test_installmall", "")


def credit(app, *args: str):
    """Run `flask credit ARGS...` against the test app."""
    return app.test_cli_runner().invoke(args=["credit", *args])


def _listing(session, sku: str) -> Listing:
    session.expire_all()  # see the stock the app just wrote
    return listing_by_sku(session, sku)


def _referred(auth, shopper, session, client, sku: str = "VC-LTP-01") -> tuple[int, Order]:
    """A shopper shipping to IL applies with a CA billing address for a $1,299 laptop:
    the region-mismatch fraud rule refers the application and the order is held."""
    auth.login()
    shopper.add(_listing(session, sku).id)
    assert shopper.enter_address().status_code == 302  # shipping region IL
    assert apply_for_credit(client, billing_region="CA").status_code == 302
    application_id, status = session.execute(select(CreditApplication.id, CreditApplication.status)).one()
    assert status == "referred"
    order = session.scalars(select(Order)).one()
    assert order.status == "awaiting_credit_review" and order.credit_application_id == application_id
    return application_id, order


def _approved_checkout(auth, shopper, session, client, stripe_base) -> Loan:
    """An approved shopper buys the $899 phone with pay in 4 (first payment at checkout)."""
    auth.login()
    shopper.add(_listing(session, "VC-PHN-01").id)
    assert shopper.enter_address().status_code == 302
    assert apply_for_credit(client).status_code == 302
    response, _ = accept_offer(client, stripe_base, "pay_in_4")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return session.scalars(select(Loan)).one()


# --- review ---------------------------------------------------------------------


def test_approving_a_referral_lets_the_shopper_finance_the_held_order(app, auth, shopper, session, client, stripe_base):
    application_id, order = _referred(auth, shopper, session, client)
    stock_while_held = _listing(session, "VC-LTP-01").stock
    assert "review" in client.get("/checkout/credit").get_data(as_text=True).lower()

    result = credit(
        app,
        "review",
        str(application_id),
        "--approve",
        "--reason",
        "Called the shopper: moved to IL",
        "--reviewer",
        "riley@installmall.test",
    )

    assert result.exit_code == 0, result.output
    assert f"Application {application_id} approved" in result.output and order.number in result.output
    session.expire_all()
    decision = session.scalars(select(CreditDecision)).one()
    assert decision.outcome == "approved" and decision.reviewed_by == "riley@installmall.test"
    assert decision.review_reason == "Called the shopper: moved to IL" and decision.credit_line_cents > 0
    offers = client.get("/checkout/credit").get_data(as_text=True)
    assert 'data-testid="offer-monthly_12"' in offers
    response, _ = accept_offer(client, stripe_base, "monthly_12")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    session.expire_all()
    loan = session.scalars(select(Loan)).one()
    assert loan.order_id == order.id and session.get(Order, order.id).status == "financed"
    assert _listing(session, "VC-LTP-01").stock == stock_while_held  # the held stock is what was sold
    assert credit(app, "check-ledger").exit_code == 0


def test_declining_a_referral_cancels_the_held_order_and_releases_its_stock(app, auth, shopper, session, client):
    before = _listing(session, "VC-LTP-01").stock
    application_id, order = _referred(auth, shopper, session, client)
    assert _listing(session, "VC-LTP-01").stock == before - 1

    result = credit(app, "review", str(application_id), "--decline", "--reason", "Could not verify the address")

    assert result.exit_code == 0, result.output
    assert "declined" in result.output and f"Order {order.number} cancelled" in result.output
    session.expire_all()
    assert session.get(Order, order.id).status == "cancelled"
    assert _listing(session, "VC-LTP-01").stock == before
    decision = session.scalars(select(CreditDecision)).one()
    assert decision.outcome == "declined" and "Could not verify the address" in decision.adverse_action_notice
    again = credit(app, "review", str(application_id), "--approve", "--reason", "changed my mind")
    assert again.exit_code != 0 and "not awaiting review" in again.output
    session.expire_all()
    assert session.scalars(select(CreditDecision)).one().outcome == "declined"


def test_reviewing_an_unknown_application_fails_with_a_clear_message(app):
    result = credit(app, "review", "999999", "--approve", "--reason", "looks fine")
    assert result.exit_code == 1
    assert "there is no credit application 999999" in result.output
    missing_choice = credit(app, "review", "999999", "--reason", "looks fine")
    assert missing_choice.exit_code == 2 and "--approve or --decline" in missing_choice.output


# --- check-ledger -----------------------------------------------------------------


def test_check_ledger_passes_after_a_credit_checkout_and_fails_when_an_installment_is_corrupted(
    app, auth, shopper, session, client, stripe_base
):
    loan = _approved_checkout(auth, shopper, session, client, stripe_base)
    clean = credit(app, "check-ledger")
    assert clean.exit_code == 0, clean.output
    assert "Ledger check passed" in clean.output
    assert ledger.ledger_problems(session) == []

    unpaid = next(i for i in loan.installments if i.paid_principal_cents == 0)
    session.execute(update(LoanInstallment).where(LoanInstallment.id == unpaid.id).values(paid_principal_cents=100))
    session.commit()

    broken = credit(app, "check-ledger")
    assert broken.exit_code == 1
    assert f"loan {loan.number}: journal principal" in broken.output and "FAILED: 1 problem" in broken.output
    assert len(ledger.ledger_problems(session)) == 1


def test_an_unbalanced_journal_transaction_never_passes_unnoticed(app, session, backend):
    with pytest.raises(ledger.UnbalancedPosting):
        ledger.post(
            session, "bug", [ledger.debit("cash", 500), ledger.credit("fee_income", 400)], posted_on=utcnow().date()
        )
    session.rollback()

    txn = JournalTransaction(kind="bug", memo="bypasses ledger.post", posted_on=utcnow().date())
    txn.entries = [JournalEntry(account="cash", debit_cents=500, credit_cents=0)]
    session.add(txn)
    session.flush()  # the trigger is deferred: nothing is checked before commit
    if backend == "postgresql":
        with pytest.raises(DBAPIError, match="does not balance"):
            session.commit()
        session.rollback()
        assert session.scalar(text("select count(*) from journal_transactions where kind = 'bug'")) == 0
        assert credit(app, "check-ledger").exit_code == 0
    else:  # SQLite has no deferred triggers: the ledger check is the safety net
        session.commit()
        result = credit(app, "check-ledger")
        assert result.exit_code == 1
        assert f"journal transaction {txn.id} does not balance: debits 500 != credits 0" in result.output


# --- reconcile --------------------------------------------------------------------


def _stripe(method: str, stripe_base: str, path: str, **json_body) -> dict:
    r = requests.request(method, f"{stripe_base}/v1/{path}", auth=STRIPE_AUTH, json=json_body or None, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def _orphan_payment(stripe_base: str, amount: int = 4999, **metadata) -> str:
    """A payment that succeeded at Stripe but was never recorded here (e.g. the
    process died between the charge and the commit)."""
    customer = _stripe("POST", stripe_base, "customers", email="orphan@example.com")["id"]
    pm = _stripe(
        "POST",
        stripe_base,
        "payment_methods",
        type="card",
        card={"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"},
    )["id"]
    _stripe("POST", stripe_base, f"payment_methods/{pm}/attach", customer=customer)
    pi = _stripe(
        "POST",
        stripe_base,
        "payment_intents",
        amount=amount,
        currency="usd",
        customer=customer,
        payment_method=pm,
        confirm=True,
        off_session=True,
        metadata=metadata,
    )
    assert pi["status"] == "succeeded"
    return pi["id"]


def _refunds_of(stripe_base: str, payment_intent_id: str) -> list[dict]:
    r = requests.get(
        f"{stripe_base}/v1/refunds", params={"payment_intent": payment_intent_id}, auth=STRIPE_AUTH, timeout=10
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_reconcile_refunds_an_orphan_payment_once_and_leaves_recorded_ones_alone(
    app, auth, shopper, session, client, stripe_base
):
    loan = _approved_checkout(auth, shopper, session, client, stripe_base)
    down = session.scalars(select(LoanPayment).filter_by(loan_id=loan.id, kind="down_payment")).one()
    orphan = _orphan_payment(stripe_base, checkout_key="lost-checkout", kind="down_payment")
    unrelated = _orphan_payment(stripe_base, amount=1234)  # not ours: no checkout/payment key

    young = credit(app, "reconcile")  # default: payments younger than 30 minutes may still be recording
    assert young.exit_code == 0 and "0 orphan payment(s) refunded" in young.output
    assert _refunds_of(stripe_base, orphan) == []

    result = credit(app, "reconcile", "--min-age-minutes", "0")

    assert result.exit_code == 0, result.output
    assert f"refunded {orphan} (checkout_key=lost-checkout, $49.99)" in result.output
    assert "1 orphan payment(s) refunded" in result.output
    assert [r["amount"] for r in _refunds_of(stripe_base, orphan)] == [4999]
    assert _refunds_of(stripe_base, down.stripe_payment_intent_id) == []
    assert _refunds_of(stripe_base, unrelated) == []

    again = credit(app, "reconcile", "--min-age-minutes", "0")
    assert again.exit_code == 0 and "0 orphan payment(s) refunded" in again.output
    assert len(_refunds_of(stripe_base, orphan)) == 1


def test_reconcile_refunds_an_orphan_repayment_and_reports_an_unreachable_stripe(app, session, stripe_base):
    from shop.services.reconcile import reconcile_orphans

    orphan = _orphan_payment(stripe_base, amount=2500, payment_key="repay-1", loan="L-0001")
    with app.app_context():
        assert reconcile_orphans(session, dry_run=True) == [f"would refund {orphan} (payment_key=repay-1, $25.00)"]
    assert _refunds_of(stripe_base, orphan) == []
    with app.app_context():
        assert len(reconcile_orphans(session)) == 1
        assert reconcile_orphans(session) == []
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    app.extensions["stripe_client"] = None
    down = credit(app, "reconcile", "--min-age-minutes", "0")
    assert down.exit_code == 1 and "not reachable" in down.output


# --- holds --------------------------------------------------------------------------


def test_release_holds_cancels_an_expired_hold_and_returns_its_stock(app, auth, shopper, session, client):
    before = _listing(session, "VC-LTP-01").stock
    _, order = _referred(auth, shopper, session, client)
    not_yet = credit(app, "release-holds")
    assert not_yet.exit_code == 0 and "Released 0 expired hold(s)." in not_yet.output
    session.execute(update(Order).where(Order.id == order.id).values(hold_expires_at=utcnow() - timedelta(hours=1)))
    session.commit()

    result = credit(app, "release-holds")

    assert result.exit_code == 0 and "Released 1 expired hold(s)." in result.output
    session.expire_all()
    assert session.get(Order, order.id).status == "cancelled"
    assert _listing(session, "VC-LTP-01").stock == before


# --- policies -----------------------------------------------------------------------


def test_a_new_policy_version_is_added_and_activated_while_old_decisions_replay_under_theirs(
    app, auth, shopper, session, client, tmp_path
):
    auth.login()
    shopper.add(_listing(session, "VC-LTP-01").id)
    shopper.enter_address()
    apply_for_credit(client)
    old = session.scalars(select(CreditDecision)).one()
    assert old.outcome == "approved" and old.policy_version == DEFAULT_POLICY["version"]

    stricter = copy.deepcopy(DEFAULT_POLICY)
    stricter["version"], stricter["description"] = "2026.3-strict", "Electronics cut-off raised"
    stricter["scenes"]["electronics"].update(approve_min_score=900, refer_min_score=890)
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(stricter))

    added = credit(app, "policy", "add", str(path), "--activate")

    assert added.exit_code == 0, added.output
    assert "Policy 2026.3-strict stored and active" in added.output
    listing = credit(app, "policy", "list").output.splitlines()
    assert f"  {DEFAULT_POLICY['version']}" in "\n".join(listing) and any(
        line.startswith("* 2026.3-strict") for line in listing
    )
    session.expire_all()
    with app.app_context():
        assert policies.active(session)[0].version == "2026.3-strict"
        replayed = applications.replay_decision(session, old)
        under_new = replay(old.result["inputs"], policies.by_version(session, "2026.3-strict"))
    assert replayed.outcome == "approved" and replayed.policy_version == DEFAULT_POLICY["version"]
    stored = {k: v for k, v in old.result.items() if k != "latency_us"}
    assert json.loads(json.dumps(replayed.outcome_dict(), default=str)) == stored
    assert under_new.outcome != "approved"

    back = credit(app, "policy", "activate", DEFAULT_POLICY["version"])
    assert back.exit_code == 0 and f"Policy {DEFAULT_POLICY['version']} is now active." in back.output
    session.expire_all()
    assert policies.active(session)[0].version == DEFAULT_POLICY["version"]


def test_policy_commands_refuse_bad_input_with_exit_code_2(app, session, tmp_path):
    broken = copy.deepcopy(DEFAULT_POLICY)
    broken["version"] = "2026.4-broken"
    broken["scenes"]["electronics"].update(approve_min_score=500, refer_min_score=600)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    invalid = credit(app, "policy", "add", str(path))
    assert invalid.exit_code == 2
    assert "invalid policy" in invalid.output and "refer_min_score: must be <= approve_min_score" in invalid.output

    duplicate = tmp_path / "duplicate.json"
    duplicate.write_text(json.dumps(DEFAULT_POLICY))
    again = credit(app, "policy", "add", str(duplicate))
    assert again.exit_code == 2 and "exists already" in again.output

    not_json = tmp_path / "notes.json"
    not_json.write_text("{not json")
    assert credit(app, "policy", "add", str(not_json)).exit_code == 2

    unknown = credit(app, "policy", "activate", "1999.9")
    assert unknown.exit_code == 2 and "there is no policy version '1999.9'" in unknown.output
    session.expire_all()
    assert policies.active(session)[0].version == DEFAULT_POLICY["version"]
