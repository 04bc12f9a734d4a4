"""Reconciliation of Stripe with the database: find card payments that
succeeded at Stripe but left no row here (an orphan: the process died, or the
database refused the commit, between the charge and the commit) and refund them.

A payment of ours carries metadata `checkout_key` (pay-in-full charges and
credit down payments) or `payment_key` (loan repayments).  It is matched when
a `payments` row (pay in full) or a `loan_payments` row (down payments and
repayments) has its PaymentIntent id.  Anything else that succeeded is an
orphan and is refunded once: a payment already refunded in full is skipped,
a partly refunded one gets the rest back.

`min_age_seconds` leaves young payments alone: a pay-in-full checkout that
needed 3-D Secure succeeds at Stripe a moment before the browser comes back
to record it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select

from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.models import LoanPayment, Payment
from shop.models.base import DbSession

OUR_KEYS = ("checkout_key", "payment_key")


@dataclass(frozen=True)
class Orphan:
    payment_intent_id: str
    amount_cents: int
    currency: str
    key_name: str
    key: str
    refundable_cents: int  # 0 when it was refunded in full already


def _known_intent_ids(s: DbSession) -> set[str]:
    ids = set(s.scalars(select(Payment.stripe_payment_intent_id)))
    ids |= set(
        s.scalars(select(LoanPayment.stripe_payment_intent_id).where(LoanPayment.stripe_payment_intent_id.is_not(None)))
    )
    return ids


def find_orphans(s: DbSession, *, min_age_seconds: int = 0, now: float | None = None) -> list[Orphan]:
    """Succeeded PaymentIntents of ours with no matching row, oldest first."""
    now = time.time() if now is None else now
    known = _known_intent_ids(s)
    found = []
    for pi in payments.list_payment_intents():
        key_name = next((k for k in OUR_KEYS if pi.metadata.get(k)), None)
        if pi.status != "succeeded" or key_name is None or pi.payment_intent_id in known:
            continue
        if now - pi.created < min_age_seconds:
            continue
        refunded = pi.amount_refunded_cents
        if refunded is None:
            refunded = payments.refunded_cents(pi.payment_intent_id)
        found.append(
            Orphan(
                pi.payment_intent_id,
                pi.amount_cents,
                pi.currency,
                key_name,
                pi.metadata[key_name],
                max(pi.amount_cents - refunded, 0),
            )
        )
    return found


def reconcile_orphans(s: DbSession, *, min_age_seconds: int = 0, dry_run: bool = False) -> list[str]:
    """Refund every orphan that still holds money; one line per refund made
    (or, with dry_run, per refund that would be made).  Raises
    payments.PaymentError (GatewayUnavailable) when Stripe cannot be reached."""

    done = []
    for orphan in find_orphans(s, min_age_seconds=min_age_seconds):
        if orphan.refundable_cents <= 0:
            continue
        amount = format_money(orphan.refundable_cents, orphan.currency)
        what = f"{orphan.payment_intent_id} ({orphan.key_name}={orphan.key}, {amount})"
        if dry_run:
            done.append(f"would refund {what}")
            continue
        partial = orphan.refundable_cents if orphan.refundable_cents < orphan.amount_cents else None
        refund_id = payments.refund(orphan.payment_intent_id, partial)
        done.append(f"refunded {what}: {refund_id}")
    return done
