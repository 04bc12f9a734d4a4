"""Pay over time at checkout: apply (with consent), instant decision, offers
with disclosures, the loan agreement, card + down payment, booking."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from credit.money import to_minor_units
from shop import applications, lending, orders, payments
from shop import cart as carts
from shop.extensions import db
from shop.forms import AcceptOfferForm, CreditApplicationForm
from shop.storefront import CHECKOUT

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


def _state():
    return session.get(CHECKOUT)


def _cart_lines() -> list[tuple]:
    return [(ln.listing, ln.quantity) for ln in carts.lines(carts.current_cart(db.session))]


def _held():
    return lending.held_order_of(db.session, current_user)


@bp.get("")
@login_required
def start():
    held = _held()
    decision = applications.latest_decision(db.session, current_user)
    if held is not None:
        application = held.credit_application_id
        if decision is None or decision.outcome == "referred":
            return render_template("credit/referred.html", order=held, application_id=application)
        if decision.outcome == "declined":
            return render_template("credit/declined.html", decision=decision)
        return _offers_page([(ln.listing, ln.quantity) for ln in held.lines], held_order=held)
    if not _state():
        return redirect(url_for("storefront.checkout"))
    lines = _cart_lines()
    if not lines:
        return redirect(url_for("storefront.cart"))
    if decision is None:
        return _apply_page(CreditApplicationForm())
    if decision.outcome == "declined":
        return render_template("credit/declined.html", decision=decision)
    if decision.outcome == "referred":
        return render_template("credit/referred.html", order=None, application_id=decision.application_id)
    return _offers_page(lines)


def _apply_page(form: CreditApplicationForm, status: int = 200):
    lines = carts.lines(carts.current_cart(db.session))
    return render_template(
        "credit/apply.html",
        form=form,
        lines=lines,
        total_cents=carts.total_cents(lines),
        consent_text=applications.CONSENT_TEXT,
    ), status


def _offers_page(lines, held_order=None, status: int = 200):
    today = lending.utcnow().date()
    offers = lending.offers_for(db.session, current_user, lines, today)
    account = lending.account_of(db.session, current_user)
    return render_template(
        "credit/offers.html",
        offers=offers,
        account=account,
        held_order=held_order,
        available_cents=lending.available_credit_cents(db.session, account) if account else 0,
        total_cents=sum(listing.price_cents * q for listing, q in lines),
    ), status


@bp.post("/apply")
@login_required
def apply():
    state = _state()
    lines = _cart_lines()
    if not state or not lines:
        return redirect(url_for("storefront.checkout"))
    if applications.latest_decision(db.session, current_user) is not None or _held() is not None:
        # One application per 30 days: a resubmitted (or edited) form reuses the decision.
        flash("We already have a recent decision on your application; it is used for this order.", "info")
        return redirect(url_for("credit_checkout.start"))
    form = CreditApplicationForm()
    if not form.validate_on_submit():
        return _apply_page(form, 400)
    data = applications.ApplicationData(
        legal_name=form.legal_name.data.strip(),
        date_of_birth=form.date_of_birth.data,
        national_id=form.national_id.data,
        monthly_income_cents=to_minor_units(form.monthly_income.data),
        income_source=form.income_source.data,
        employment_months=form.employment_months.data,
        housing=form.housing.data,
        other_installment_plans=form.other_installment_plans.data,
        savings_band=form.savings_band.data,
        residence_years=form.residence_years.data,
        billing_region=form.billing_region.data,
        existing_monthly_debt_cents=to_minor_units(form.existing_monthly_debt.data or 0),
        consent=form.consent.data,
    )
    application, decision = applications.submit_application(
        db.session, current_user, data, _meta(), lines, state["address"]["region"]
    )
    if decision.outcome == "referred":
        try:
            lending.hold_order_for_review(
                db.session,
                current_user,
                _order_lines(lines),
                orders.Address(**state["address"]),
                state["key"],
                application.id,
                current_app.config.get("CREDIT_HOLD_HOURS", lending.HOLD_HOURS),
            )
            cart = carts.current_cart(db.session)
            carts.clear(db.session, cart)
        except orders.CheckoutError as e:
            db.session.rollback()
            flash(e.message, "error")
            return redirect(url_for("storefront.cart"))
        session.pop(CHECKOUT, None)
    db.session.commit()
    return redirect(url_for("credit_checkout.start"))


def _order_lines(lines) -> list[orders.Line]:
    return [orders.Line(listing.id, q) for listing, q in lines]


def _agreement_page(product: str, form: AcceptOfferForm | None = None, error: str | None = None, status: int = 200):
    held = _held()
    lines = [(ln.listing, ln.quantity) for ln in held.lines] if held else _cart_lines()
    today = lending.utcnow().date()
    offer = next((o for o in lending.offers_for(db.session, current_user, lines, today) if o.product == product), None)
    if offer is None:
        if error is None:
            abort(404)
        # The offer no longer fits (another checkout used the credit, or emptied the cart): say why.
        flash(error, "error")
        return _offers_page(lines, held_order=held, status=status)
    key = held.idempotency_key + ":credit" if held else _state()["key"]
    try:
        _, client_secret = payments.create_setup_intent(payments.ensure_customer(current_user))
    except payments.PaymentError as e:  # Stripe is down: show the message, not a 500
        client_secret, error, status = "", error or e.message, status if error else 402
    db.session.commit()
    form = form or AcceptOfferForm(data={"checkout_key": key, "product": product})
    decision = db.session.get(applications.CreditDecision, lending.account_of(db.session, current_user).decision_id)
    return render_template(
        "credit/agreement_page.html",
        offer=offer,
        form=form,
        error=error,
        client_secret=client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        legal_name=decision.application.legal_name,
        version=lending.AGREEMENT_VERSION,
        total_cents=sum(listing.price_cents * q for listing, q in lines),
    ), status


@bp.get("/offers/<product>")
@login_required
def choose(product: str):
    if not _held() and not _state():
        return redirect(url_for("storefront.checkout"))
    return _agreement_page(product)


@bp.post("/accept")
@login_required
def accept():
    form = AcceptOfferForm()
    held, state = _held(), _state()
    if not held and not state:
        placed = orders.find_by_key(db.session, current_user, form.checkout_key.data or "")
        if placed is not None:
            return _to_loan(placed)
        return redirect(url_for("storefront.checkout"))
    if not form.validate_on_submit():
        return _agreement_page(form.product.data or "", form=form, status=400)
    decision = db.session.get(applications.CreditDecision, lending.account_of(db.session, current_user).decision_id)
    if " ".join(form.signature.data.split()).casefold() != " ".join(decision.application.legal_name.split()).casefold():
        form.signature.errors.append("Type your legal name exactly as on your application.")
        return _agreement_page(form.product.data, form=form, status=400)
    try:
        if not form.setup_intent_id.data:
            raise payments.PaymentError("Enter your card details.")
        pm = payments.payment_method_of_setup_intent(form.setup_intent_id.data, payments.ensure_customer(current_user))
        address = orders.Address(**state["address"]) if state else None
        lines = [] if held else _order_lines(_cart_lines())
        order, loan = lending.place_credit_order(
            db.session,
            current_user,
            lines,
            address,
            key=form.checkout_key.data,
            product=form.product.data,
            payment_method_id=pm,
            held_order=held,
            acceptance=lending.Acceptance(
                form.signature.data.strip(), request.remote_addr or "", request.user_agent.string or ""
            ),
        )
        cart = carts.current_cart(db.session)
        if cart is not None and not held:
            carts.clear(db.session, cart)
        _commit_or_refund(order, loan)
    except (payments.PaymentError, orders.CheckoutError) as e:
        db.session.rollback()
        return _agreement_page(
            form.product.data, error=e.message, status=409 if isinstance(e, orders.CheckoutError) else 402
        )
    session.pop(CHECKOUT, None)
    flash(f"Order {order.number} is confirmed and your loan {loan.number} is set up.", "success")
    return _to_loan(order)


def _to_loan(order):
    loan = db.session.scalars(db.select(lending.Loan).filter_by(order_id=order.id)).first()
    if loan is None:
        return redirect(url_for("account.order_detail", number=order.number))
    return redirect(url_for("account.loan", number=loan.number))


def _commit_or_refund(order, loan) -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        for p in loan.payments:
            if p.stripe_payment_intent_id:
                payments.refund(p.stripe_payment_intent_id)
        raise
