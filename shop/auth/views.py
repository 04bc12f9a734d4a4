"""Register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from shop.auth.forms import LoginForm, RegisterForm
from shop.cart_session import merge_at_login
from shop.extensions import db, limiter
from shop.forms import EmptyForm
from shop.models import Role, User
from shop.services import audit

bp = Blueprint("auth", __name__, url_prefix="/account")

# Werkzeug's scrypt hash: salted, memory-hard, no extra dependency.
hash_password = generate_password_hash


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("storefront.index")


def _failed(response) -> bool:
    return response.status_code != 302


def _login_email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_failed)
@limiter.limit("5 per minute", methods=["POST"], deduct_when=_failed, key_func=_login_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("storefront.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(func.lower(User.email) == email)).first()
        if user and check_password_hash(user.password_hash, form.password.data):
            login_user(user, remember=form.remember.data)
            merge_at_login(db.session, user.id)
            if user.is_staff:
                audit.record(db.session, user, "staff.login", "user", user.id)
            db.session.commit()
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong e-mail or password.")
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("storefront.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalars(select(User).where(func.lower(User.email) == email)).first():
            form.email.errors.append("An account with this e-mail already exists. Log in instead.")
        else:
            user = User(
                email=email,
                name=form.name.data.strip(),
                role=Role.SHOPPER.value,
                password_hash=hash_password(form.password.data),
            )
            db.session.add(user)
            db.session.flush()
            login_user(user)
            merge_at_login(db.session, user.id)
            db.session.commit()
            flash("Your account is ready.", "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("storefront.index"))
