"""Merchant portal: the blueprint, its guard, onboarding and the dashboard.

Listings, orders (shipping, refunds) and settlements live in their own view
modules on this blueprint (imported in shop/merchant/__init__.py).  Every
query goes through shop.services.merchants.scoped: another merchant's id is a 404."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from shop import charts
from shop.extensions import db
from shop.merchant.forms import SignupForm
from shop.models import Merchant, Role, User
from shop.services import merchant_stats, merchants

bp = Blueprint("merchant", __name__, url_prefix="/merchant")


def merchant_required(view):
    """Merchant logins only (anonymous: to the login page; anyone else: 403)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_merchant:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def current_merchant() -> Merchant:
    return current_user.merchant


def owned_or_404(model, object_id: int):
    """The current merchant's row, or 404 (another merchant's id looks like no id at all)."""
    return merchants.owned(db.session, model, object_id, current_merchant().id) or abort(404)


@bp.get("")
@bp.get("/")
@merchant_required
def dashboard():
    merchant = current_merchant()
    stats = merchant_stats.dashboard(db.session, merchant.id)
    chart = charts.bar_chart(
        "Daily sales, last 30 days",
        [day.strftime("%m-%d") for day, _ in stats.daily],
        [cents for _, cents in stats.daily],
        money="USD",
    )
    return render_template("merchant/dashboard.html", merchant=merchant, stats=stats, chart=chart)


def _signup_page(form: SignupForm, status: int = 200):
    return render_template("merchant/signup.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated and current_user.is_merchant:
        return redirect(url_for("merchant.dashboard"))
    if current_user.is_authenticated:
        flash("Log out first: a merchant account is a separate login.", "info")
        return redirect(url_for("storefront.index"))
    form = SignupForm()
    if not form.validate_on_submit():
        return _signup_page(form, 400 if request.method == "POST" else 200)
    if _email_taken(form.email.data):
        form.email.errors.append("An account with this e-mail exists already.")
        return _signup_page(form, 409)
    merchant = _create_merchant(form)
    db.session.commit()
    flash(f"Welcome, {merchant.name}: your application is pending review.", "success")
    return redirect(url_for("merchant.dashboard"))


def _email_taken(email: str) -> bool:
    return bool(db.session.scalar(select(func.count(User.id)).where(func.lower(User.email) == email.strip().lower())))


def _create_merchant(form: SignupForm) -> Merchant:
    user = User(
        email=form.email.data.strip().lower(),
        name=form.name.data.strip(),
        password_hash=generate_password_hash(form.password.data),
        role=Role.MERCHANT,
    )
    db.session.add(user)
    db.session.flush()
    data = merchants.Signup(
        form.business_name.data,
        form.description.data or "",
        form.contact_name.data,
        form.contact_email.data,
        form.contact_phone.data,
        form.payout_details.data,
    )
    merchant = merchants.sign_up(db.session, user, data)
    login_user(user)
    return merchant
