"""Whole shopper flows through the Flask test client, for integration tests:
borrow (log in, cart, address, apply, accept an offer) and the loan's pay form."""

from __future__ import annotations

import re

from sqlalchemy import select

from shop.models import Listing, Loan
from tests.support.web import AuthActions, Shopper, accept_offer, apply_for_credit, csrf_token

PAYMENT_KEY_RE = re.compile(r'name="payment_key" type="hidden" value="([^"]+)"')


def borrow(client, stripe_base, session, sku="VC-LTP-01", product="monthly_12", email=None) -> Loan:
    """Log in (the demo shopper, or register `email`), apply and take `product` for one `sku`."""
    auth, shopper = AuthActions(client), Shopper(client, stripe_base)
    if email:
        assert auth.register(email).status_code == 302
    else:
        auth.login()
    shopper.add(session.scalars(select(Listing).filter_by(sku=sku)).one().id)
    assert shopper.enter_address().status_code == 302
    assert apply_for_credit(client, national_id="987-65-4321" if email else "123-45-6789").status_code == 302
    response, _ = accept_offer(client, stripe_base, product)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    session.expire_all()
    return session.scalars(select(Loan).order_by(Loan.id.desc())).first()


def pay_form(client, loan: Loan, kind: str = "next", amount: str = "", **extra) -> dict:
    """A freshly opened pay page's form data (a new payment key each time), card on file."""
    html = client.get(f"/account/credit/loans/{loan.number}/pay").get_data(as_text=True)
    return {
        "csrf_token": csrf_token(client),
        "payment_key": PAYMENT_KEY_RE.search(html).group(1),
        "kind": kind,
        "amount": amount,
        "card": "saved",
        "setup_intent_id": "",
        **extra,
    }
