"""Storefront: catalog, cart and the pay-in-full checkout."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from shop import cart as carts
from shop import catalog, lending, orders, payments
from shop.extensions import db
from shop.forms import AddressForm, AddToCartForm, CartQuantityForm, EmptyForm, PayForm
from shop.models import Listing, Scene

bp = Blueprint("storefront", __name__)

CHECKOUT = "checkout"


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


def _paginate(stmt):
    return db.paginate(stmt, page=_page(), per_page=current_app.config["LISTINGS_PER_PAGE"], error_out=False)


@bp.get("/")
def index():
    scenes = db.session.scalars(catalog.scenes()).all()
    featured = db.session.scalars(catalog.featured()).unique().all()
    return render_template("storefront/index.html", scenes=scenes, featured=featured)


@bp.get("/scenes/<slug>")
def scene(slug: str):
    scene = db.session.scalars(select(Scene).filter_by(slug=slug)).first() or abort(404)
    page = _paginate(catalog.in_scene(scene))
    return render_template("storefront/scene.html", scene=scene, page=page)


@bp.get("/search")
def search():
    q = (request.args.get("q") or "").strip()[:100]
    page = _paginate(catalog.search(q)) if q else None
    return render_template("storefront/search.html", q=q, page=page)


@bp.get("/listings/<int:listing_id>")
def listing(listing_id: int):
    item = db.session.get(Listing, listing_id)
    if item is None or not item.active:
        abort(404)
    return render_template(
        "storefront/listing.html", listing=item, form=AddToCartForm(), teaser_cents=lending.teaser(db.session, item)
    )


@bp.get("/media/<path:filename>")
def media(filename: str):
    return send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=3600)


# --- cart -------------------------------------------------------------------


def _render_cart(status: int = 200):
    cart = carts.current_cart(db.session)
    lines = carts.lines(cart)
    return render_template(
        "storefront/cart.html",
        lines=lines,
        total_cents=carts.total_cents(lines),
        qty_form=CartQuantityForm(),
        empty_form=EmptyForm(),
        teaser_cents=_cart_teaser(lines),
    ), status


def _cart_teaser(lines) -> int | None:
    """The cart's "as low as" example: the most restrictive scene of the cart, its total."""
    from credit.offers import teaser_monthly_cents
    from shop import policies
    from shop.applications import credit_cart

    if not lines or not all(ln.listing.financing_eligible for ln in lines):
        return None
    _, policy = policies.active(db.session)
    cart = credit_cart([(ln.listing, ln.quantity) for ln in lines])
    return teaser_monthly_cents(
        cart.total_cents, policy.effective_scene(cart.scenes), policy, tuple(sorted(cart.promo_months))
    )


@bp.get("/cart")
def cart():
    return _render_cart()


@bp.post("/cart/add/<int:listing_id>")
def cart_add(listing_id: int):
    item = db.session.get(Listing, listing_id)
    if item is None or not item.active:
        abort(404)
    form = AddToCartForm()
    if not form.validate_on_submit():
        return render_template(
            "storefront/listing.html", listing=item, form=form, teaser_cents=lending.teaser(db.session, item)
        ), 400
    try:
        carts.add_item(db.session, item, form.quantity.data)
    except carts.CartError as e:
        db.session.rollback()
        form.quantity.errors.append(str(e))
        return render_template(
            "storefront/listing.html", listing=item, form=form, teaser_cents=lending.teaser(db.session, item)
        ), 409
    db.session.commit()
    flash(f"Added “{item.title}” to your cart.", "success")
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/items/<int:item_id>")
def cart_update(item_id: int):
    form = CartQuantityForm()
    if not form.validate_on_submit() or form.quantity.data is None:
        flash("Choose a quantity between 0 and 99.", "error")
        return _render_cart(400)
    try:
        carts.set_quantity(db.session, item_id, form.quantity.data)
    except LookupError:
        abort(404)
    except carts.CartError as e:
        db.session.rollback()
        flash(str(e), "error")
        return _render_cart(409)
    db.session.commit()
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/items/<int:item_id>/remove")
def cart_remove(item_id: int):
    try:
        carts.remove_item(db.session, item_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash("Removed from your cart.", "info")
    return redirect(url_for("storefront.cart"))


# --- pay-in-full checkout ---------------------------------------------------


def _checkout_lines() -> list[orders.Line]:
    return [orders.Line(ln.listing.id, ln.quantity) for ln in carts.lines(carts.current_cart(db.session))]


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    cart_lines = carts.lines(carts.current_cart(db.session))
    if not cart_lines:
        flash("Your cart is empty.", "info")
        return redirect(url_for("storefront.cart"))
    state = session.get(CHECKOUT) or {}
    form = AddressForm(data=state.get("address"))
    if form.validate_on_submit():
        address = {
            f: (getattr(form, f).data or "").strip()
            for f in ("name", "line1", "line2", "city", "region", "postal_code")
        }
        session[CHECKOUT] = {"address": address, "key": state.get("key") or secrets.token_hex(16)}
        return redirect(url_for("storefront.checkout_payment"))
    return render_template(
        "storefront/checkout_address.html", form=form, lines=cart_lines, total_cents=carts.total_cents(cart_lines)
    ), 400 if request.method == "POST" else 200


def _render_payment(error: str | None = None, status: int = 200, needs_auth: orders.NeedsAuthentication | None = None):
    state = session.get(CHECKOUT)
    cart_lines = carts.lines(carts.current_cart(db.session))
    customer_id = payments.ensure_customer(current_user)
    setup_intent_id, client_secret = payments.create_setup_intent(customer_id)
    db.session.commit()
    form = PayForm(data={"checkout_key": state["key"]})
    return render_template(
        "storefront/checkout_payment.html",
        form=form,
        lines=cart_lines,
        total_cents=carts.total_cents(cart_lines),
        address=state["address"],
        client_secret=client_secret,
        setup_intent_id=setup_intent_id,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        error=error,
        needs_auth=needs_auth,
    ), status


@bp.get("/checkout/payment")
@login_required
def checkout_payment():
    if not session.get(CHECKOUT):
        return redirect(url_for("storefront.checkout"))
    if not _checkout_lines():
        return redirect(url_for("storefront.cart"))
    try:
        return _render_payment()
    except payments.PaymentError as e:
        db.session.rollback()
        flash(e.message, "error")
        return redirect(url_for("storefront.cart"))


@bp.post("/checkout/pay")
@login_required
def checkout_pay():
    state = session.get(CHECKOUT)
    form = PayForm()
    if not state or not form.validate_on_submit() or form.checkout_key.data != state["key"]:
        # A resubmitted form of a checkout that was already placed lands on its order.
        placed = orders.find_by_key(db.session, current_user, form.checkout_key.data or "")
        if placed is not None:
            return redirect(url_for("storefront.confirmation", number=placed.number))
        flash("This checkout has expired; please start again.", "error")
        return redirect(url_for("storefront.checkout"))
    address = orders.Address(**state["address"])
    try:
        payment_method_id = None
        if not form.payment_intent_id.data:
            if not form.setup_intent_id.data:
                raise payments.PaymentError("Enter your card details.")
            customer_id = payments.ensure_customer(current_user)
            payment_method_id = payments.payment_method_of_setup_intent(form.setup_intent_id.data, customer_id)
        order = orders.place_paid_order(
            db.session,
            current_user,
            _checkout_lines(),
            address,
            key=state["key"],
            payment_method_id=payment_method_id,
            payment_intent_id=form.payment_intent_id.data or None,
        )
        cart = carts.current_cart(db.session)
        if cart is not None:
            carts.clear(db.session, cart)
        _commit_or_refund(order)
    except orders.NeedsAuthentication as e:
        db.session.rollback()
        return _render_payment(needs_auth=e, status=402)
    except (payments.PaymentError, orders.CheckoutError) as e:
        db.session.rollback()
        status = 409 if isinstance(e, orders.CheckoutError) else 402
        return _render_payment(error=e.message, status=status)
    session.pop(CHECKOUT, None)
    return redirect(url_for("storefront.confirmation", number=order.number))


def _commit_or_refund(order) -> None:
    """Commit the order; if that fails after the card was charged, refund it."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        for p in order.payments:
            payments.refund(p.stripe_payment_intent_id)
        raise


@bp.get("/checkout/done/<number>")
@login_required
def confirmation(number: str):
    order = orders.order_of(db.session, current_user, number) or abort(404)
    return render_template("storefront/confirmation.html", order=order)
