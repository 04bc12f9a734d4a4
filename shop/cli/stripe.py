"""`flask stripe ...` commands for the local Stripe server."""

from __future__ import annotations

import click
import requests
from flask import current_app
from flask.cli import AppGroup

stripe_cli = AppGroup("stripe", help="Local Stripe server helpers.")


@stripe_cli.command("register-webhook")
@click.option("--url", default="http://127.0.0.1:5000/stripe/webhook", show_default=True)
def register_webhook(url: str) -> None:
    """Tell localstripe to deliver signed events to this app."""
    base = current_app.config["STRIPE_API_BASE"]
    r = requests.post(
        f"{base}/_config/webhooks/installmall",
        json={"url": url, "secret": current_app.config["STRIPE_WEBHOOK_SECRET"]},
        timeout=5,
    )
    r.raise_for_status()
    click.echo(f"webhook registered: {url}")


@stripe_cli.command("serve")
@click.option("--port", default=8420, show_default=True)
def serve(port: int) -> None:
    """Run localstripe bound to 127.0.0.1 with an in-memory store."""
    from shop.gateways.stripe_server import serve as run  # noqa: PLC0415 - localstripe loads only when asked

    run(port)
