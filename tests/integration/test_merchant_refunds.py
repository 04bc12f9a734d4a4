"""Merchant refunds: a financed order's loan shrinks from the last installment
back (ledger balanced, overpayment back to the card, a full refund closes the
loan and frees the line), refunds in sequence never exceed what was paid, a
double submit refunds once, Stripe failing changes nothing; card orders get a
Stripe refund; settlements close once and tie out to the journal."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import requests
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Loan, MerchantRefund, Order, SettlementBatch, SettlementLine, User
from shop.services import ledger, loans, orders, refunds, settlements
from shop.services.credit_accounts import account_of, available_credit_cents
from shop.services.merchants import MerchantError
from tests.support.builders import (
    ACCEPTANCE,
    ADDRESS,
    approved_shopper,
    assert_books_balance,
    listing_by_sku,
    saved_card,
)
from tests.support.merchants import FaultyStripe, logged_in, point_stripe_at, post_form, refund_key

PHONE, LAPTOP = "VC-PHN-01", "VC-LTP-01"  # Volt & Co., both with 0 % promotions
TODAY = date.today()
_keys = itertools.count(1)


def _financed(s, stripe_base, product="promo_6", items=((PHONE, 1), (LAPTOP, 1))):
    user = approved_shopper(s)
    pm = saved_card(s, user, stripe_base)
    lines = [orders.Line(listing_by_sku(s, sku).id, qty) for sku, qty in items]
    order, loan = loans.place_credit_order(
        s,
        user,
        lines,
        ADDRESS,
        key=f"refund-test-{next(_keys)}",
        product=product,
        payment_method_id=pm,
        acceptance=ACCEPTANCE,
        today=TODAY,
    )
    s.commit()
    return user, order, loan


def _merchant(s, email="merchant@example.com") -> User:
    return s.scalars(select(User).filter_by(email=email)).one()


def _line(order: Order, sku: str):
    return next(line for line in order.lines if line.listing.sku == sku)


def _refund(s, order, qty: dict, key=None, kind="refund"):
    by = _merchant(s)
    req = refunds.RefundRequest(key or f"k-{next(_keys)}", qty, "returned unopened", kind)
    done = refunds.refund(s, order, by.merchant_id, req, by, today=TODAY)
    s.commit()
    return done


def _stripe_refunds(stripe_base) -> list[dict]:
    r = requests.get(f"{stripe_base}/v1/refunds", params={"limit": 100}, auth=("sk_test_installmall", ""), timeout=10)
    return r.json()["data"]


def test_a_refunded_line_cuts_the_promo_loan_from_its_last_installment_and_the_books_balance(app, stripe_base):
    with app.app_context():
        s = db.session
        user, order, loan = _financed(s, stripe_base)
        available = available_credit_cents(s, account_of(s, user))
        before = [(i.number, i.principal_cents) for i in loan.installments]
        assert loan.product == "promo_6" and sum(p for _, p in before) == 219_800

        done = _refund(s, order, {_line(order, PHONE).id: 1})

        assert (done.amount_cents, done.principal_reduction_cents, done.card_refund_cents) == (89_900, 89_900, 0)
        after = [(i.number, i.principal_cents) for i in loan.installments]
        assert sum(p for _, p in after) == 219_800 - 89_900
        assert after[:-1] == before[: len(after) - 1]  # the earlier installments keep their amounts
        assert len(after) < len(before)  # the last ones are gone: the loan ends sooner
        assert ledger.loan_principal_cents(s, loan.id) == 219_800 - 89_900
        assert available_credit_cents(s, account_of(s, user)) == available + 89_900
        assert order.status == "partially_refunded" and loan.status == "active"
        assert_books_balance(s)
        assert ledger.ledger_problems(s) == []
        # The merchant payable and the promo subsidy are reversed in proportion.
        assert done.discount_cents + done.subsidy_cents + done.merchant_net_cents == 89_900
        assert done.subsidy_cents == round(loan.promo_subsidy_cents * 89_900 / 219_800)


def test_a_full_refund_closes_the_loan_sends_the_down_payment_back_and_frees_the_line(app, stripe_base):
    with app.app_context():
        s = db.session
        user, order, loan = _financed(s, stripe_base, "pay_in_4", ((PHONE, 1),))
        down = loan.down_payment_cents
        line = account_of(s, user).credit_line_cents
        assert down > 0 and available_credit_cents(s, account_of(s, user)) == line - (89_900 - down)

        done = _refund(s, order, {_line(order, PHONE).id: 1})

        assert (done.principal_reduction_cents, done.card_refund_cents) == (89_900 - down, down)
        assert loan.status == "closed" and order.status == "refunded"
        assert ledger.loan_principal_cents(s, loan.id) == 0
        assert available_credit_cents(s, account_of(s, user)) == line
        pi = loan.payments[0].stripe_payment_intent_id
        assert [(r["payment_intent"], r["amount"]) for r in _stripe_refunds(stripe_base)] == [(pi, down)]
        assert_books_balance(s)
        assert ledger.ledger_problems(s) == []


def test_partial_refunds_in_sequence_never_exceed_what_was_paid(app, stripe_base):
    with app.app_context():
        s = db.session
        user, order, loan = _financed(s, stripe_base, "pay_in_4", (("VC-PHN-02", 2),))  # 2 x $399.00
        line_id = order.lines[0].id
        first = _refund(s, order, {line_id: 1})
        second = _refund(s, order, {line_id: 1})
        with pytest.raises(MerchantError, match="at most 0 unit"):
            _refund(s, order, {line_id: 1})
        s.rollback()
        total = first.amount_cents + second.amount_cents
        assert total == 79_800 == order.total_cents
        assert first.card_refund_cents + second.card_refund_cents == loan.down_payment_cents
        assert sum(r["amount"] for r in _stripe_refunds(stripe_base)) == loan.down_payment_cents
        assert first.subsidy_cents + second.subsidy_cents == loan.promo_subsidy_cents
        assert first.discount_cents + second.discount_cents == loan.merchant_discount_cents
        assert loan.status == "closed" and ledger.ledger_problems(s) == []
        assert_books_balance(s)


def test_a_double_submitted_refund_refunds_once(app, stripe_base, session):
    with app.app_context():
        _, order, loan = _financed(db.session, stripe_base, "pay_in_4", ((PHONE, 1),))
        order_id, line_id = order.id, order.lines[0].id
    client = logged_in(app, "merchant@example.com")
    path = f"/merchant/orders/{order_id}"
    form = {"refund_key": refund_key(client, path), f"qty-{line_id}": "1", "reason": "damaged in transit"}
    first = post_form(client, f"{path}/refund", form, path)
    again = post_form(client, f"{path}/refund", form, path)
    assert first.status_code == again.status_code == 302
    assert session.scalar(select(func.count(MerchantRefund.id))) == 1
    assert len(_stripe_refunds(stripe_base)) == 1
    assert "Refunded" in client.get(path).get_data(as_text=True)


def test_stripe_failing_during_a_refund_leaves_the_loan_unchanged_and_says_so(app, stripe_base, session):
    with app.app_context():
        _, order, loan = _financed(db.session, stripe_base, "pay_in_4", ((PHONE, 1),))
        order_id, line_id, loan_id = order.id, order.lines[0].id, loan.id
        schedule = [(i.principal_cents, i.interest_cents) for i in loan.installments]
    client = logged_in(app, "merchant@example.com")
    path = f"/merchant/orders/{order_id}"
    with FaultyStripe(stripe_base) as proxy:
        point_stripe_at(app, proxy.url)
        proxy.fault = "500"
        form = {"refund_key": refund_key(client, path), f"qty-{line_id}": "1", "reason": "customer changed mind"}
        response = post_form(client, f"{path}/refund", form, path)
        assert response.status_code == 402
        assert "Nothing was changed" in response.get_data(as_text=True)
        loan = session.get(Loan, loan_id)
        assert [(i.principal_cents, i.interest_cents) for i in loan.installments] == schedule
        assert loan.status == "active" and session.scalar(select(func.count(MerchantRefund.id))) == 0
        assert _stripe_refunds(stripe_base) == []
        proxy.fault = None
        assert post_form(client, f"{path}/refund", form, path).status_code == 302
    session.expire_all()
    assert session.get(Loan, loan_id).status == "closed"


def test_a_card_order_refund_goes_back_to_the_card_by_line_and_quantity(app, stripe_base, session, shopper, auth):
    auth.login()
    shopper.add(listing_by_sku(session, "VC-AUD-01").id, quantity=2)  # 2 x $129.00 earphones
    shopper.enter_address()
    paid, _, _ = shopper.pay()
    assert paid.status_code == 302
    order = session.scalars(select(Order)).one()
    client = logged_in(app, "merchant@example.com")
    path = f"/merchant/orders/{order.id}"
    form = {"refund_key": refund_key(client, path), f"qty-{order.lines[0].id}": "1", "reason": "one was faulty"}
    assert post_form(client, f"{path}/refund", form, path).status_code == 302
    refunded = _stripe_refunds(stripe_base)
    assert [(r["payment_intent"], r["amount"]) for r in refunded] == [
        (order.payments[0].stripe_payment_intent_id, 12_900)
    ]
    session.expire_all()
    assert session.get(Order, order.id).status == "partially_refunded"
    assert session.get(Order, order.id).payments[0].status == "partially_refunded"


def test_settling_a_period_twice_changes_nothing_and_ties_out_to_the_journal(app, stripe_base):
    with app.app_context():
        s = db.session
        _, order, _ = _financed(s, stripe_base)
        _refund(s, order, {_line(order, PHONE).id: 1})
        volt = _merchant(s).merchant_id
        assert settlements.payable_in_journal_cents(s, volt) > 0

        first = settlements.settle(s, TODAY)
        s.commit()
        counts = (s.scalar(select(func.count(SettlementBatch.id))), s.scalar(select(func.count(SettlementLine.id))))
        again = settlements.settle(s, TODAY)
        s.commit()

        assert again == []
        assert (
            s.scalar(select(func.count(SettlementBatch.id))),
            s.scalar(select(func.count(SettlementLine.id))),
        ) == counts
        batch = next(b for b in first if b.merchant_id == volt)
        assert [ln.kind for ln in batch.lines] == ["sale", "refund"]
        assert batch.net_cents == sum(ln.net_cents for ln in batch.lines)
        assert batch.gross_cents == 219_800 - 89_900
        assert settlements.payable_in_journal_cents(s, volt) == 0  # everything owed was paid out
        assert ledger.ledger_problems(s) == []
        assert_books_balance(s)
