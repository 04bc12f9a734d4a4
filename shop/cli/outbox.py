"""`flask outbox send`: deliver pending notices over SMTP (SMTP_URL).

Safe to run in several processes at once: each claims a batch with row locks
that skip rows another sender holds (PostgreSQL), sends and commits."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from shop.extensions import db
from shop.gateways.mail import Mailer
from shop.models import utcnow
from shop.services import outbox

outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


def send_pending(s, smtp_url: str, batch: int = 100) -> tuple[int, int]:
    """Send until nothing is due; returns (sent, failed attempts)."""
    sent = failed = 0
    while True:
        now = utcnow()
        messages = outbox.claim(s, now, batch)
        if not messages:
            s.rollback()
            return sent, failed
        try:
            with Mailer(smtp_url) as mailer:
                for message in messages:
                    ok = outbox.deliver(s, message, mailer.send, now)
                    sent, failed = sent + ok, failed + (not ok)
        except OSError as e:  # the SMTP server is unreachable: every message of the batch waits and retries
            for message in messages:
                outbox.deliver(s, message, _raise(e), now)
                failed += 1
        s.commit()


def _raise(error: Exception):
    def send(_notice):
        raise error

    return send


@outbox_cli.command("send")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(min=1))
def send(batch: int) -> None:
    """Deliver every due notice; failures are retried later with backoff."""
    sent, failed = send_pending(db.session, current_app.config["SMTP_URL"], batch)
    click.echo(f"Outbox: {sent} sent, {failed} failed (will retry with backoff).")
