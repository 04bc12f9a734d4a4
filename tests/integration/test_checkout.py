"""Pay-in-full checkout against the local Stripe server."""

from __future__ import annotations

import threading

import requests
from sqlalchemy import func, select

from shop.models import Order, Payment
from tests.support.builders import listing_by_sku


def _stripe_payment_intents(stripe_base):
    r = requests.get(f"{stripe_base}/v1/payment_intents", auth=("sk_test_installmall", ""), timeout=5)
    return r.json()["data"]


def _ready(shopper, auth, session, sku="VC-PHN-01", quantity=1):
    auth.login()
    shopper.add(listing_by_sku(session, sku).id, quantity)
    assert shopper.enter_address().status_code == 302


def test_shopper_pays_in_full_and_sees_the_order(shopper, auth, session, client, stripe_base):
    _ready(shopper, auth, session, quantity=2)
    response, saved, _ = shopper.pay("4242424242424242")
    assert saved["status"] == "succeeded"
    assert response.status_code == 302 and "/checkout/done/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is confirmed" in page and "$1,798.00" in page
    session.expire_all()
    order = session.scalars(select(Order)).one()
    assert order.total_cents == 179800 and order.status == "paid" and order.ship_region == "IL"
    assert listing_by_sku(session, "VC-PHN-01").stock == 23
    [payment] = order.payments
    stripe_pi = [pi for pi in _stripe_payment_intents(stripe_base) if pi["id"] == payment.stripe_payment_intent_id]
    assert stripe_pi[0]["status"] == "succeeded" and stripe_pi[0]["amount"] == 179800
    assert order.number in client.get("/account/orders").get_data(as_text=True)
    detail = client.get(f"/account/orders/{order.number}").get_data(as_text=True)
    assert "Aurora X12 smartphone 256 GB" in detail and "1 Main Street" in detail
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_declined_card_gives_a_message_and_no_order_and_keeps_stock(shopper, auth, session, client, stripe_base):
    _ready(shopper, auth, session)
    response, saved, _ = shopper.pay("4000000000000341")  # attaches, declines when charged
    assert saved["status"] == "succeeded"
    assert response.status_code == 402
    assert "Your card was declined." in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count(Order.id))) == 0
    assert listing_by_sku(session, "VC-PHN-01").stock == 25
    assert "Aurora X12" in client.get("/cart").get_data(as_text=True)


def test_card_declined_at_entry_never_reaches_the_server(shopper, auth, session):
    _ready(shopper, auth, session)
    response, saved, _ = shopper.pay("4000000000000002")
    assert saved["status_code"] == 402 and saved["error"]["code"] == "card_declined"
    assert response.status_code == 402  # the form was submitted without a saved card
    assert session.scalar(select(func.count(Order.id))) == 0


def test_double_submit_creates_one_order_and_one_charge(shopper, auth, session, client, stripe_base):
    _ready(shopper, auth, session)
    first, _, data = shopper.pay()
    second = client.post("/checkout/pay", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    session.expire_all()
    assert session.scalar(select(func.count(Order.id))) == 1
    assert session.scalar(select(func.count(Payment.id))) == 1
    assert len([pi for pi in _stripe_payment_intents(stripe_base) if pi["status"] == "succeeded"]) == 1


def test_card_needing_3d_secure_completes_after_authentication(shopper, auth, session, client, stripe_base):
    _ready(shopper, auth, session)
    response, saved, data = shopper.pay("4000000000003220")
    assert response.status_code == 402
    html = response.get_data(as_text=True)
    assert 'data-payment-intent-secret="pi_' in html
    secret = html.split('data-payment-intent-secret="')[1].split('"')[0]
    pi = secret.split("_secret_")[0]
    # What Stripe.js confirmCardPayment does when the shopper completes 3-D Secure:
    requests.post(
        f"{stripe_base}/v1/payment_intents/{pi}/_authenticate?success=true",
        json={"key": "pk_test_installmall", "client_secret": secret},
        timeout=5,
    ).raise_for_status()
    response = client.post("/checkout/pay", data={**data, "setup_intent_id": "", "payment_intent_id": pi})
    assert response.status_code == 302
    session.expire_all()
    order = session.scalars(select(Order)).one()
    assert order.payments[0].stripe_payment_intent_id == pi


def test_a_payment_intent_of_another_checkout_is_refused(shopper, auth, session, client, stripe_base):
    _ready(shopper, auth, session)
    response, _, data = shopper.pay("4000000000003220")
    requests_pi = requests.post(
        f"{stripe_base}/v1/payment_intents",
        auth=("sk_test_installmall", ""),
        timeout=5,
        data={"amount": 89900, "currency": "usd"},
    ).json()
    response = client.post(
        "/checkout/pay", data={**data, "setup_intent_id": "", "payment_intent_id": requests_pi["id"]}
    )
    assert response.status_code == 409
    assert session.scalar(select(func.count(Order.id))) == 0


def test_bad_address_gets_errors_next_to_fields(shopper, auth, session):
    auth.login()
    shopper.add(listing_by_sku(session, "VC-PHN-01").id, 1)
    response = shopper.enter_address(postal_code="ABCDE", region="", city="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a 5-digit ZIP code" in html and "Choose a state." in html and "This field is required." in html


def test_last_unit_goes_to_one_shopper_and_the_other_gets_a_message(app, session, stripe_base):
    """Two shoppers with the last unit in their carts pay one after the other."""
    from tests.support.web import AuthActions, Shopper

    console = listing_by_sku(session, "VC-GAM-01")  # stock 1
    a, b = app.test_client(), app.test_client()
    for client, email in ((a, "a@example.com"), (b, "b@example.com")):
        AuthActions(client).register(email)
        Shopper(client, stripe_base).add(console.id, 1)
        Shopper(client, stripe_base).enter_address()
    first, _, _ = Shopper(a, stripe_base).pay()
    second, _, _ = Shopper(b, stripe_base).pay()
    assert first.status_code == 302
    assert second.status_code == 409
    assert "just sold out" in second.get_data(as_text=True)
    session.expire_all()
    assert listing_by_sku(session, "VC-GAM-01").stock == 0
    assert session.scalar(select(func.count(Order.id))) == 1
    assert len([pi for pi in _stripe_payment_intents(stripe_base) if pi["status"] == "succeeded"]) == 1


def test_concurrent_buyers_of_the_last_unit_one_wins(app, session, stripe_base):
    """Two shoppers submit at the same moment (row locks on PostgreSQL, the write lock on SQLite)."""
    from tests.support.web import AuthActions, Shopper

    console = listing_by_sku(session, "VC-GAM-01")
    prepared = []
    for email in ("a@example.com", "b@example.com"):
        client = app.test_client()
        AuthActions(client).register(email)
        s = Shopper(client, stripe_base)
        s.add(console.id, 1)
        s.enter_address()
        _, secret, key = s.payment_page()
        from tests.support.web import csrf_token, save_card

        save_card(stripe_base, secret, "4242424242424242")
        prepared.append(
            (
                client,
                {
                    "csrf_token": csrf_token(client),
                    "checkout_key": key,
                    "setup_intent_id": secret.split("_secret_")[0],
                    "payment_intent_id": "",
                },
            )
        )
    results: list[int] = []
    barrier = threading.Barrier(2)

    def submit(client, data):
        barrier.wait()
        results.append(client.post("/checkout/pay", data=data).status_code)

    threads = [threading.Thread(target=submit, args=p) for p in prepared]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert sorted(results) == [302, 409]
    session.expire_all()
    assert listing_by_sku(session, "VC-GAM-01").stock == 0
    assert session.scalar(select(func.count(Order.id))) == 1
