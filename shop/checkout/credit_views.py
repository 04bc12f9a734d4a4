"""Pay over time at checkout: apply (with consent), instant decision, offers
with disclosures, the loan agreement, card + down payment, booking."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from shop import charts
from shop.card_payments import commit_or_refund, resolve_card
from shop.cart_session import current_cart, current_lines
from shop.checkout import state
from shop.checkout.forms import AcceptOfferForm, CreditApplicationForm
from shop.extensions import db
from shop.gateways import stripe as payments
from shop.models import DecisionOutcome, Loan, Order, utcnow
from shop.services import applications, carts, holds, loans, offers, orders
from shop.services.credit_accounts import account_of, available_credit_cents

bp = Blueprint("credit_checkout", __name__, url_prefix="/checkout/credit")
DEVICE_COOKIE = "im_device"


def _meta() -> applications.RequestMeta:
    return applications.RequestMeta(
        ip=request.remote_addr or "",
        user_agent=request.user_agent.string or "",
        device_id=request.cookies.get(DEVICE_COOKIE),
    )


@bp.after_request
def _device_cookie(response):
    """A long-lived random device id, one of the fraud rules' velocity keys."""
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=2 * 365 * 86400, httponly=True, samesite="Lax"
        )
    return response


def _cart_lines() -> list[tuple]:
    return [(ln.listing, ln.quantity) for ln in current_lines(db.session)]


def _held() -> Order | None:
    return holds.held_order_of(db.session, current_user)


def _held_lines(held: Order) -> list[tuple]:
    return [(ln.listing, ln.quantity) for ln in held.lines]


@bp.get("")
@login_required
def start():
    held = _held()
    decision = applications.latest_decision(db.session, current_user)
    if held is None and not state.current():
        return redirect(url_for("checkout.address"))
    lines = _held_lines(held) if held else _cart_lines()
    if not lines:
        return redirect(url_for("storefront.cart"))
    if decision is None and held is None:
        return _apply_page(CreditApplicationForm())
    if decision is None or decision.outcome == DecisionOutcome.REFERRED:
        application_id = held.credit_application_id if held else decision.application_id  # type: ignore[union-attr]
        return render_template("checkout/credit_referred.html", order=held, application_id=application_id)
    if decision.outcome == DecisionOutcome.DECLINED:
        return render_template("checkout/credit_declined.html", decision=decision)
    return _offers_page(lines, held_order=held)


def _apply_page(form: CreditApplicationForm, status: int = 200):
    lines = current_lines(db.session)
    return render_template(
        "checkout/credit_apply.html",
        form=form,
        lines=lines,
        total_cents=carts.total_cents(lines),
        consent_text=applications.CONSENT_TEXT,
        correcting=applications.correctable_decline(db.session, current_user),
    ), status


def _offers_page(lines, held_order=None, status: int = 200):
    account = account_of(db.session, current_user)
    return render_template(
        "checkout/credit_offers.html",
        groups=offers.plan_groups(offers.offers_for(db.session, current_user, lines, utcnow().date())),
        account=account,
        held_order=held_order,
        available_cents=available_credit_cents(db.session, account) if account else 0,
        total_cents=sum(listing.price_cents * q for listing, q in lines),
    ), status


@bp.post("/apply")
@login_required
def apply():
    current, lines = state.current(), _cart_lines()
    if not current or not lines:
        return redirect(url_for("checkout.address"))
    if applications.latest_decision(db.session, current_user) is not None or _held() is not None:
        # One application per 30 days: a resubmitted (or edited) form reuses the decision.
        flash("We already have a recent decision on your application; it is used for this order.", "info")
        return redirect(url_for("credit_checkout.start"))
    form = CreditApplicationForm()
    if not form.validate_on_submit():
        return _apply_page(form, 400)
    application, decision = applications.submit_application(
        db.session, current_user, form.application_data(), _meta(), lines, current["address"]["region"]
    )
    if decision.outcome == DecisionOutcome.REFERRED:
        try:
            _hold_for_review(current, lines, application.id)
        except orders.CheckoutError as e:
            db.session.rollback()
            flash(e.message, "error")
            return redirect(url_for("storefront.cart"))
    db.session.commit()
    return redirect(url_for("credit_checkout.start"))


def _hold_for_review(current: dict, lines: list[tuple], application_id: int) -> None:
    """A referred application: the order waits for a reviewer, its stock taken, the cart emptied."""
    hours = current_app.config.get("CREDIT_HOLD_HOURS", holds.HOLD_HOURS)
    order_lines = [orders.Line(listing.id, q) for listing, q in lines]
    address = orders.Address(**current["address"])
    holds.hold_order_for_review(db.session, current_user, order_lines, address, current["key"], application_id, hours)
    carts.clear(db.session, current_cart(db.session))
    state.finish()


def _agreement_page(product: str, form: AcceptOfferForm | None = None, error: str | None = None, status: int = 200):
    held = _held()
    lines = _held_lines(held) if held else _cart_lines()
    offer = next(
        (o for o in offers.offers_for(db.session, current_user, lines, utcnow().date()) if o.product == product), None
    )
    if offer is None:
        if error is None:
            abort(404)
        # The offer no longer fits (another checkout used the credit, or emptied the cart): say why.
        flash(error, "error")
        return _offers_page(lines, held_order=held, status=status)
    key = held.idempotency_key + ":credit" if held else (state.current() or {}).get("key", "")
    try:
        _, client_secret = payments.create_setup_intent(payments.customer_of(current_user))
    except payments.PaymentError as e:  # Stripe is down: show the message, not a 500
        client_secret, error, status = "", error or e.message, status if error else 402
    return render_template(
        "checkout/credit_agreement_page.html",
        offer=offer,
        chart=charts.bar_chart(
            "Your payments",
            [str(r.due_on) for r in offer.schedule],
            [r.total_cents for r in offer.schedule],
            money="USD",
            height=240,
        ),
        form=form or AcceptOfferForm(data={"checkout_key": key, "product": product}),
        error=error,
        client_secret=client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        legal_name=loans.applicant_legal_name(db.session, current_user),
        version=loans.AGREEMENT_VERSION,
        total_cents=sum(listing.price_cents * q for listing, q in lines),
    ), status


@bp.get("/offers/<product>")
@login_required
def choose(product: str):
    if not _held() and not state.current():
        return redirect(url_for("checkout.address"))
    return _agreement_page(product)


@bp.post("/accept")
@login_required
def accept():
    form, held, current = AcceptOfferForm(), _held(), state.current()
    if not held and not current:
        placed = orders.find_by_key(db.session, current_user, form.checkout_key.data or "")
        return _to_loan(placed) if placed is not None else redirect(url_for("checkout.address"))
    if not form.validate_on_submit():
        return _agreement_page(form.product.data or "", form=form, status=400)
    if not loans.signature_matches(loans.applicant_legal_name(db.session, current_user), form.signature.data):
        form.signature.errors.append("Type your legal name exactly as on your application.")
        return _agreement_page(form.product.data, form=form, status=400)
    try:
        order_number, loan_number = _place_credit_order(form, held, current)
    except (payments.PaymentError, orders.CheckoutError) as e:
        db.session.rollback()
        status = 409 if isinstance(e, orders.CheckoutError) else 402
        return _agreement_page(form.product.data, error=e.message, status=status)
    state.finish()
    flash(f"Order {order_number} is confirmed and your loan {loan_number} is set up.", "success")
    return redirect(url_for("account.loan", number=loan_number))


def _place_credit_order(form: AcceptOfferForm, held: Order | None, current: dict | None) -> tuple[str, str]:
    """Charge the down payment and book the loan; commit, or refund if the commit
    fails. Returns the order's and the loan's numbers (read before the commit
    expires them, so the redirect needs no query)."""
    cart = None if held else current_cart(db.session)
    order, loan = loans.place_credit_order(
        db.session,
        current_user,
        [] if held else [orders.Line(ln.listing.id, ln.quantity) for ln in carts.lines(cart)],
        orders.Address(**current["address"]) if current else None,
        key=form.checkout_key.data,
        product=form.product.data,
        payment_method_id=resolve_card(current_user, form.setup_intent_id.data),
        held_order=held,
        acceptance=loans.Acceptance(
            form.signature.data.strip(), request.remote_addr or "", request.user_agent.string or ""
        ),
    )
    if cart is not None:
        carts.empty(db.session, cart)
    numbers = order.number, loan.number
    commit_or_refund(db.session, [p.stripe_payment_intent_id for p in loan.payments])
    return numbers


def _to_loan(order: Order):
    loan = db.session.scalars(db.select(Loan).filter_by(order_id=order.id)).first()
    if loan is None:
        return redirect(url_for("account.order_detail", number=order.number))
    return redirect(url_for("account.loan", number=loan.number))
