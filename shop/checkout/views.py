"""Pay-in-full checkout: shipping address, card, 3-D Secure, confirmation.

The address step also makes sure the shopper has a Stripe customer (a POST
that commits), so the payment pages can create SetupIntents on GET without
writing anything."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from shop.card_payments import commit_or_refund, resolve_card
from shop.cart_session import current_cart, current_lines
from shop.checkout import state
from shop.checkout.forms import ADDRESS_FIELDS, AddressForm, PayForm
from shop.extensions import db
from shop.gateways import stripe as payments
from shop.services import carts, orders

bp = Blueprint("checkout", __name__)


def _order_lines() -> list[orders.Line]:
    return [orders.Line(ln.listing.id, ln.quantity) for ln in current_lines(db.session)]


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def address():
    cart_lines = current_lines(db.session)
    if not cart_lines:
        flash("Your cart is empty.", "info")
        return redirect(url_for("storefront.cart"))
    current = state.current() or {}
    form = AddressForm(data=current.get("address"))
    if form.validate_on_submit():
        try:
            payments.ensure_customer(current_user)
        except payments.PaymentError as e:
            flash(e.message, "error")
            return redirect(url_for("storefront.cart"))
        state.start(
            {f: (getattr(form, f).data or "").strip() for f in ADDRESS_FIELDS},
            current.get("key") or secrets.token_hex(16),
        )
        db.session.commit()
        return redirect(url_for("checkout.payment"))
    total = carts.total_cents(cart_lines)
    html = render_template("checkout/address.html", form=form, lines=cart_lines, total_cents=total)
    return html, 400 if request.method == "POST" else 200


def _render_payment(error: str | None = None, status: int = 200, needs_auth: orders.NeedsAuthentication | None = None):
    current = state.current() or {}
    cart_lines = current_lines(db.session)
    setup_intent_id, client_secret = payments.create_setup_intent(payments.customer_of(current_user))
    return render_template(
        "checkout/payment.html",
        form=PayForm(data={"checkout_key": current["key"]}),
        lines=cart_lines,
        total_cents=carts.total_cents(cart_lines),
        address=current["address"],
        client_secret=client_secret,
        setup_intent_id=setup_intent_id,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        error=error,
        needs_auth=needs_auth,
    ), status


@bp.get("/checkout/payment")
@login_required
def payment():
    if not state.current() or not current_user.stripe_customer_id:
        return redirect(url_for("checkout.address"))
    if not _order_lines():
        return redirect(url_for("storefront.cart"))
    try:
        return _render_payment()
    except payments.PaymentError as e:
        flash(e.message, "error")
        return redirect(url_for("storefront.cart"))


@bp.post("/checkout/pay")
@login_required
def pay():
    current, form = state.current(), PayForm()
    if not current or not form.validate_on_submit() or form.checkout_key.data != current["key"]:
        # A resubmitted form of a checkout that was already placed lands on its order.
        placed = orders.find_by_key(db.session, current_user, form.checkout_key.data or "")
        if placed is not None:
            return redirect(url_for("checkout.confirmation", number=placed.number))
        flash("This checkout has expired; please start again.", "error")
        return redirect(url_for("checkout.address"))
    try:
        order = _place_paid_order(current, form)
    except orders.NeedsAuthentication as e:
        db.session.rollback()
        return _render_payment(needs_auth=e, status=402)
    except (payments.PaymentError, orders.CheckoutError) as e:
        db.session.rollback()
        return _render_payment(error=e.message, status=409 if isinstance(e, orders.CheckoutError) else 402)
    state.finish()
    return redirect(url_for("checkout.confirmation", number=order.number))


def _place_paid_order(current: dict, form: PayForm):
    """Place the order and charge the card; commit, or refund if the commit fails."""
    intent = form.payment_intent_id.data or None
    try:
        order = orders.place_paid_order(
            db.session,
            current_user,
            _order_lines(),
            orders.Address(**current["address"]),
            key=current["key"],
            payment_method_id=None if intent else resolve_card(current_user, form.setup_intent_id.data),
            payment_intent_id=intent,
        )
    except orders.AlreadyPlaced as e:
        db.session.rollback()
        return orders.find_by_key(db.session, current_user, e.key) or abort(409)
    carts.clear(db.session, current_cart(db.session))
    commit_or_refund(db.session, [p.stripe_payment_intent_id for p in order.payments])
    return order


@bp.get("/checkout/done/<number>")
@login_required
def confirmation(number: str):
    order = orders.order_of(db.session, current_user, number) or abort(404)
    return render_template("checkout/confirmation.html", order=order)
