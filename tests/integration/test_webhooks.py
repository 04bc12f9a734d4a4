"""The signed Stripe webhook: verified, processed once, replays ignored."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from sqlalchemy import func, select

from shop.models import Order, Payment, StripeEvent

SECRET = "whsec_test_installmall"


def _signed(payload: dict, secret: str = SECRET, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    ts = at or int(time.time())
    sig = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={sig}"


def _event(event_id: str, pi_id: str) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": pi_id, "object": "payment_intent", "status": "succeeded"}},
    }


def _paid_order(shopper, auth, session) -> Payment:
    auth.login()
    shopper.add(1, 1)
    shopper.enter_address()
    shopper.pay()
    return session.scalars(select(Payment)).one()


def test_signed_event_marks_the_payment_confirmed_once_and_replays_are_ignored(client, shopper, auth, session):
    payment = _paid_order(shopper, auth, session)
    body, sig = _signed(_event("evt_1", payment.stripe_payment_intent_id))
    first = client.post(
        "/stripe/webhook", data=body, headers={"Stripe-Signature": sig, "Content-Type": "application/json"}
    )
    assert first.status_code == 200 and first.json["status"] == "processed"
    session.expire_all()
    confirmed_at = session.get(Payment, payment.id).confirmed_by_webhook_at
    assert confirmed_at is not None
    replay = client.post(
        "/stripe/webhook", data=body, headers={"Stripe-Signature": sig, "Content-Type": "application/json"}
    )
    assert replay.status_code == 200 and replay.json["status"] == "duplicate ignored"
    assert session.scalar(select(func.count(StripeEvent.id))) == 1
    assert session.scalar(select(func.count(Order.id))) == 1


def test_bad_or_missing_signature_is_rejected(client):
    body, sig = _signed(_event("evt_2", "pi_x"), secret="whsec_wrong")
    assert client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": sig}).status_code == 400
    assert client.post("/stripe/webhook", data=body).status_code == 400


def test_stale_signature_is_rejected(client):
    body, sig = _signed(_event("evt_3", "pi_x"), at=int(time.time()) - 3600)
    assert client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": sig}).status_code == 400


def test_localstripe_delivers_signed_events_that_verify(app, stripe_base, live_server_url, session, shopper, auth):
    """The real local Stripe server signs and posts payment_intent.succeeded to us."""
    import requests

    requests.post(
        f"{stripe_base}/_config/webhooks/test",
        timeout=5,
        json={"url": f"{live_server_url}/stripe/webhook", "secret": SECRET},
    ).raise_for_status()
    try:
        payment = _paid_order(shopper, auth, session)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            session.expire_all()
            if session.get(Payment, payment.id).confirmed_by_webhook_at is not None:
                break
            time.sleep(0.2)
        assert session.get(Payment, payment.id).confirmed_by_webhook_at is not None
    finally:
        requests.post(
            f"{stripe_base}/_config/webhooks/test",
            timeout=5,
            json={"url": "http://127.0.0.1:9/nowhere", "secret": SECRET},
        )
