"""Installmall: the Flask application factory.

`create_app()` reads as a list: configuration, extensions, blueprints, error
pages, CLI commands.  Run it with `flask --app app run` (see the README).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask, render_template, request

from shop.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent


def _instance_secret(instance_path: Path, name: str, make) -> str:
    """Read a development secret kept in instance/, generating it once."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app: Flask) -> None:
    """Configuration from environment variables with safe development defaults."""
    instance = Path(app.instance_path)
    env = os.environ
    stripe_base = env.get("STRIPE_API_BASE", "http://127.0.0.1:8420").rstrip("/")
    app.config.update(
        SECRET_KEY=env.get("SECRET_KEY") or _instance_secret(instance, "secret_key", lambda: secrets.token_hex(32)),
        SQLALCHEMY_DATABASE_URI=_normalise_db_url(
            env.get("DATABASE_URL", f"sqlite:///{instance / 'installmall.sqlite3'}")
        ),
        STRIPE_SECRET_KEY=env.get("STRIPE_SECRET_KEY", "sk_test_localstripe"),
        STRIPE_PUBLISHABLE_KEY=env.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe"),
        STRIPE_API_BASE=stripe_base,
        STRIPE_JS_URL=env.get("STRIPE_JS_URL", f"{stripe_base}/js.stripe.com/v3/"),
        STRIPE_WEBHOOK_SECRET=env.get("STRIPE_WEBHOOK_SECRET")
        or _instance_secret(instance, "stripe_webhook_secret", lambda: "whsec_" + secrets.token_hex(24)),
        PII_ENCRYPTION_KEY=env.get("PII_ENCRYPTION_KEY")
        or _instance_secret(instance, "pii_encryption_key", lambda: Fernet.generate_key().decode()),
        PII_HASH_KEY=env.get("PII_HASH_KEY")
        or _instance_secret(instance, "pii_hash_key", lambda: secrets.token_hex(32)),
        RATELIMIT_STORAGE_URI=env.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=True,
        MEDIA_DIR=env.get("MEDIA_DIR", str(instance / "media")),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        LISTINGS_PER_PAGE=12,
        CREDIT_HOLD_HOURS=int(env.get("CREDIT_HOLD_HOURS", "48")),
        # Staff portal: the review SLA in working hours (Mon-Fri, the workday's UTC hours), and the
        # monitoring limits (distinct customers viewed per hour, reveals per day, working hours).
        ADMIN_REVIEW_SLA_HOURS=float(env.get("ADMIN_REVIEW_SLA_HOURS", "4")),
        ADMIN_WORKDAY_START_HOUR=int(env.get("ADMIN_WORKDAY_START_HOUR", "9")),
        ADMIN_WORKDAY_END_HOUR=int(env.get("ADMIN_WORKDAY_END_HOUR", "17")),
        ADMIN_MONITOR_VIEWS_PER_HOUR=int(env.get("ADMIN_MONITOR_VIEWS_PER_HOUR", "20")),
        ADMIN_MONITOR_REVEALS_PER_DAY=int(env.get("ADMIN_MONITOR_REVEALS_PER_DAY", "5")),
        ADMIN_MONITOR_WORK_HOURS=env.get("ADMIN_MONITOR_WORK_HOURS", "7-19"),
        BABEL_LOCALE="en_US",
        SMTP_URL=env.get("SMTP_URL", "smtp://127.0.0.1:8025"),
        DEV_MAIL_DIR=env.get("DEV_MAIL_DIR"),  # set by `make run`: /dev/mail shows the local SMTP sink's mail
    )


def _normalise_db_url(url: str) -> str:
    # Heroku-style URLs and plain "postgresql://" both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app)
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from shop import pii
    from shop.gateways import stripe as payments

    payments.init_app(app)
    pii.init_app(app)


def register_models() -> None:
    import shop.models  # noqa: F401 - every table on db.metadata


def register_blueprints(app: Flask) -> None:
    from shop.account.views import bp as account_bp
    from shop.admin.views import bp as admin_bp
    from shop.auth.views import bp as auth_bp
    from shop.checkout.credit_views import bp as credit_checkout_bp
    from shop.checkout.views import bp as checkout_bp
    from shop.collections.views import bp as collections_bp
    from shop.merchant.views import bp as merchant_bp
    from shop.storefront.views import bp as storefront_bp
    from shop.webhooks.views import bp as webhooks_bp

    app.register_blueprint(storefront_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(credit_checkout_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(merchant_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(collections_bp)
    if app.config.get("DEV_MAIL_DIR") and not app.config.get("TESTING"):
        from shop.devmail.views import bp as dev_mail_bp

        app.register_blueprint(dev_mail_bp)
    app.register_blueprint(webhooks_bp)


ERROR_TEXT = {
    400: (
        "Bad request",
        "The request could not be understood. If you submitted a form, reload the page and try again.",
    ),
    403: ("Forbidden", "You do not have access to this page."),
    404: ("Page not found", "We could not find what you were looking for."),
    405: ("Method not allowed", "That action is not available here."),
    429: ("Too many attempts", "Too many attempts. Please wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error occurred. Nothing was charged twice; please try again."),
}


def register_errorhandlers(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
        if isinstance(error, CSRFError):
            text = (
                "Your session expired or the form was not sent from this site (CSRF check failed). "
                "Reload the page and try again."
            )
        if request.path.startswith("/stripe/") or request.accept_mimetypes.best == "application/json":
            return {"error": title}, code
        return render_template("errors/error.html", code=code, title=title, text=text), code

    for code in ERROR_TEXT:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_error)


def register_template_helpers(app: Flask) -> None:
    from shop import formatting
    from shop.formatting import format_money, payment_kind, product_name

    formatting.configure(app.config["BABEL_LOCALE"])

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["product_name"] = product_name
    app.jinja_env.filters["payment_kind"] = payment_kind

    @app.context_processor
    def inject_globals():
        from shop.cart_session import cart_count

        return {"cart_count": cart_count(), "stripe_js_url": app.config["STRIPE_JS_URL"]}


def register_security_headers(app: Flask) -> None:
    from urllib.parse import urlsplit

    js = urlsplit(app.config["STRIPE_JS_URL"])
    api = urlsplit(app.config["STRIPE_API_BASE"])
    stripe_origins = " ".join(sorted({f"{js.scheme}://{js.netloc}", f"{api.scheme}://{api.netloc}"}))
    csp = (
        "default-src 'self'; "
        f"script-src 'self' {stripe_origins}; "
        f"connect-src 'self' {stripe_origins}; "
        f"frame-src 'self' {stripe_origins}; "
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def register_commands(app: Flask) -> None:
    from seed.commands import seed_cli
    from shop.cli.stripe import stripe_cli

    app.cli.add_command(seed_cli)
    app.cli.add_command(stripe_cli)
    import shop.cli.run_day  # noqa: F401 - adds `flask credit run-day`
    from shop.cli.credit import credit_cli
    from shop.cli.merchant import merchant_cli
    from shop.cli.outbox import outbox_cli

    app.cli.add_command(credit_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(merchant_cli)
