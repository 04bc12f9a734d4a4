"""Card steps shared by the three views that charge a card (pay in full, the
down payment at a credit checkout, a loan repayment): which card the shopper
chose, and committing the unit of work or, if that fails after Stripe took
the money, refunding it so there is never a charge without an order."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from shop.gateways import stripe as payments
from shop.models import User
from shop.models.base import DbSession

log = logging.getLogger(__name__)


def resolve_card(user: User, setup_intent_id: str | None, saved_payment_method_id: str | None = None) -> str:
    """The payment method to charge: the saved one, or the card just saved in
    the browser with a SetupIntent of this shopper's Stripe customer."""
    if saved_payment_method_id:
        return saved_payment_method_id
    if not setup_intent_id:
        raise payments.PaymentError("Enter your card details.")
    return payments.payment_method_of_setup_intent(setup_intent_id, payments.ensure_customer(user))


def commit_or_refund(s: DbSession, payment_intent_ids: Iterable[str | None]) -> None:
    """Commit; if the commit fails after the cards were charged, refund them and re-raise."""
    charged = [pi for pi in payment_intent_ids if pi]
    try:
        s.commit()
    except Exception:
        s.rollback()
        for pi in charged:
            try:
                payments.refund(pi)
            except payments.PaymentError:
                # `flask credit reconcile` finds and refunds charges without an order.
                log.exception("refund of %s after a failed commit did not go through", pi)
        raise
