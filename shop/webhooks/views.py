"""Stripe webhooks: signature verified, each event id processed once."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import csrf, db
from shop.gateways import stripe as payments
from shop.models import Payment, StripeEvent, utcnow

bp = Blueprint("webhooks", __name__, url_prefix="/stripe")


@bp.post("/webhook")
@csrf.exempt
def stripe_webhook():
    try:
        event = payments.construct_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except Exception:  # bad payload or signature: stripe raises ValueError / SignatureVerificationError
        return {"error": "invalid signature"}, 400
    if db.session.get(StripeEvent, event["id"]) is not None:
        return {"status": "duplicate ignored"}, 200
    db.session.add(StripeEvent(id=event["id"], type=event["type"]))
    _handle(event)
    try:
        db.session.commit()
    except IntegrityError:  # the same event delivered twice at once
        db.session.rollback()
        return {"status": "duplicate ignored"}, 200
    return {"status": "processed"}, 200


def _handle(event) -> None:
    if event["type"] == "payment_intent.succeeded":
        pi = event["data"]["object"]
        payment = db.session.scalars(select(Payment).filter_by(stripe_payment_intent_id=pi["id"])).first()
        if payment is not None and payment.confirmed_by_webhook_at is None:
            payment.confirmed_by_webhook_at = utcnow()
