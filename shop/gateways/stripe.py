"""The one gateway to Stripe.

Everything that talks to Stripe goes through this module, using the official
`stripe` SDK with a per-app `StripeClient`.  It works against real Stripe
(test mode) and against localstripe, whose quirks shape a few choices:

* no optional parameters that localstripe rejects (description,
  receipt_email, setup_future_usage, refund reason);
* `latest_charge` may be an id or an expanded object: both are accepted;
* Stripe idempotency keys are not relied on (localstripe ignores them):
  the project's own idempotency lives in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import stripe
from flask import Flask, current_app


class PaymentError(Exception):
    """An anticipated payment failure whose message can be shown to the shopper."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


class GatewayUnavailable(PaymentError):
    """Stripe could not be reached or answered with a server error."""


@dataclass(frozen=True)
class ChargeResult:
    payment_intent_id: str
    status: str  # "succeeded" | "requires_action" | ...
    charge_id: str | None
    client_secret: str | None
    amount_cents: int
    currency: str
    customer_id: str | None = None
    metadata: dict[str, str] | None = None


def init_app(app: Flask) -> None:
    app.extensions["stripe_client"] = None


def client() -> stripe.StripeClient:
    app = current_app
    c = app.extensions.get("stripe_client")
    if c is None:
        c = stripe.StripeClient(
            app.config["STRIPE_SECRET_KEY"],
            base_addresses={"api": app.config["STRIPE_API_BASE"]},
            max_network_retries=app.config.get("STRIPE_MAX_NETWORK_RETRIES", 0),
        )
        app.extensions["stripe_client"] = c
    return c


def _translate(error: stripe.StripeError) -> PaymentError:
    if isinstance(error, stripe.CardError):
        return PaymentError(error.user_message or "Your card was declined.", error.code)
    if isinstance(error, (stripe.APIConnectionError,)) or (error.http_status or 0) >= 500:
        return GatewayUnavailable(
            "Our payment provider is not reachable right now. You have not been charged; please try again shortly.",
            "gateway_unavailable",
        )
    return PaymentError("The payment could not be processed. Please check your card and try again.", error.code)


def ensure_customer(user) -> str:
    """Return the user's Stripe customer id, creating the customer once."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    try:
        customer = client().v1.customers.create(params={"email": user.email, "metadata": {"user_id": str(user.id)}})
    except stripe.StripeError as e:
        raise _translate(e) from e
    user.stripe_customer_id = customer.id
    return customer.id


def customer_of(user) -> str:
    """The user's Stripe customer id, which an earlier POST created (ensure_customer)."""
    if not user.stripe_customer_id:
        raise PaymentError("Your payment details are not set up yet; please start the checkout again.", "no_customer")
    return user.stripe_customer_id


def create_setup_intent(customer_id: str) -> tuple[str, str]:
    """A SetupIntent for saving a card in the browser: (id, client_secret)."""
    try:
        si = client().v1.setup_intents.create(params={"customer": customer_id, "usage": "off_session"})
    except stripe.StripeError as e:
        raise _translate(e) from e
    return si.id, si.client_secret or ""


def payment_method_of_setup_intent(setup_intent_id: str, customer_id: str) -> str:
    """The payment method saved by a succeeded SetupIntent of this customer."""
    try:
        si = client().v1.setup_intents.retrieve(setup_intent_id)
    except stripe.InvalidRequestError as e:
        raise PaymentError("The card could not be verified; please enter it again.", "setup_intent_unknown") from e
    except stripe.StripeError as e:
        raise _translate(e) from e
    if si.customer != customer_id or si.status != "succeeded" or not si.payment_method:
        raise PaymentError("The card could not be verified; please enter it again.", "setup_intent_invalid")
    pm = si.payment_method
    return pm if isinstance(pm, str) else pm.id


def _charge_id(pi) -> str | None:
    latest = getattr(pi, "latest_charge", None)
    if latest is None:
        return None
    return latest if isinstance(latest, str) else latest.id


def charge(
    *,
    amount_cents: int,
    currency: str,
    customer_id: str,
    payment_method_id: str,
    metadata: dict[str, str],
    off_session: bool = True,
) -> ChargeResult:
    """Create and confirm a PaymentIntent against a saved card.

    A decline raises PaymentError; a card that needs 3-D Secure returns
    status "requires_action" with the client secret for the browser.

    The Stripe idempotency key is derived from our own key in the metadata
    (checkout_key or payment_key), the card and the amount: real Stripe then
    answers a retry after a lost response with the first charge instead of
    charging twice (localstripe ignores the header; `flask credit reconcile`
    covers it there).
    """
    params = {
        "amount": amount_cents,
        "currency": currency.lower(),
        "customer": customer_id,
        "payment_method": payment_method_id,
        "confirm": True,
        "metadata": metadata,
    }
    if off_session:
        params["off_session"] = True
    ours = metadata.get("checkout_key") or metadata.get("payment_key")
    options = (
        {"idempotency_key": f"{ours}:{metadata.get('kind', 'full')}:{payment_method_id}:{amount_cents}"} if ours else {}
    )
    try:
        pi = client().v1.payment_intents.create(params=cast(Any, params), options=cast(Any, options))
    except stripe.StripeError as e:
        raise _translate(e) from e
    return _result(pi)


def _plain(metadata) -> dict[str, str]:
    if metadata is None:
        return {}
    return metadata.to_dict() if hasattr(metadata, "to_dict") else dict(metadata)


def _result(pi) -> ChargeResult:
    customer = pi.customer if isinstance(pi.customer, str) or pi.customer is None else pi.customer.id
    return ChargeResult(
        pi.id,
        pi.status,
        _charge_id(pi),
        pi.client_secret,
        pi.amount,
        pi.currency.upper(),
        customer,
        _plain(pi.metadata),
    )


def retrieve_payment(payment_intent_id: str) -> ChargeResult:
    try:
        return _result(client().v1.payment_intents.retrieve(payment_intent_id))
    except stripe.StripeError as e:
        raise _translate(e) from e


def refund(payment_intent_id: str, amount_cents: int | None = None, *, idempotency_key: str | None = None) -> str:
    """Refund a payment (all of it, or `amount_cents`); returns the refund id.

    `idempotency_key` (deterministic, from our own refund's key) makes real
    Stripe answer a retried refund with the first one instead of refunding twice."""
    params: Any = {"payment_intent": payment_intent_id}
    if amount_cents is not None:
        params["amount"] = amount_cents
    options: Any = {"idempotency_key": idempotency_key} if idempotency_key else {}
    try:
        return client().v1.refunds.create(params=params, options=options).id
    except stripe.StripeError as e:
        raise _translate(e) from e


@dataclass(frozen=True)
class IntentSummary:
    """A PaymentIntent as reconciliation sees it."""

    payment_intent_id: str
    status: str
    amount_cents: int
    currency: str
    created: int  # unix seconds
    metadata: dict[str, str]
    amount_refunded_cents: int | None  # None when Stripe did not say


def _refunded_cents(pi) -> int | None:
    latest = getattr(pi, "latest_charge", None)
    if latest is None:
        return 0
    if isinstance(latest, str):
        return None
    return int(getattr(latest, "amount_refunded", 0) or 0)


def list_payment_intents(page_size: int = 100):
    """Every PaymentIntent, oldest page first as Stripe pages them (starting_after),
    with the latest charge expanded so its refunded amount is known."""
    after = None
    while True:
        params: Any = {"limit": page_size, "expand": ["data.latest_charge"]}
        if after:
            params["starting_after"] = after
        try:
            page = client().v1.payment_intents.list(params=params)
        except stripe.StripeError as e:
            raise _translate(e) from e
        for pi in page.data:
            yield IntentSummary(
                pi.id,
                pi.status,
                pi.amount,
                pi.currency.upper(),
                int(pi.created or 0),
                _plain(pi.metadata),
                _refunded_cents(pi),
            )
        if not page.has_more or not page.data:
            return
        after = page.data[-1].id


def refunded_cents(payment_intent_id: str) -> int:
    """How much of a payment has been refunded already (from its refunds)."""
    try:
        refunds = client().v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    except stripe.StripeError as e:
        raise _translate(e) from e
    return sum(r.amount for r in refunds.data if r.status in ("succeeded", "pending"))


def construct_event(payload: bytes, signature: str | None):
    """Verify a webhook's signature (and its timestamp tolerance)."""
    return stripe.Webhook.construct_event(payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"])
