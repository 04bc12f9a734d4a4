"""`flask seed ...` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from shop.extensions import db

seed_cli = AppGroup("seed", help="Demo and synthetic data.")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when listings already exist.")
def demo(if_empty: bool) -> None:
    """Create the demo merchants, scenes, listings, logins, referred applications and loans (idempotent)."""
    from seed.demo import seed_demo
    from shop.models import Listing

    if if_empty and db.session.scalar(select(func.count(Listing.id))):
        click.echo("demo data already present")
        return
    from werkzeug.security import generate_password_hash

    from seed.demo import DEMO_PASSWORD
    from seed.demo_credit import seed_lending_demo
    from seed.merchant_demo import seed_merchant_activity

    created = seed_demo(db.session, current_app.config["MEDIA_DIR"])
    created |= seed_lending_demo(db.session)  # the staff portal's queue and loan list
    created["merchant demo orders"] = seed_merchant_activity(db.session, generate_password_hash(DEMO_PASSWORD))
    db.session.commit()
    click.echo("created " + ", ".join(f"{n} {k}" for k, n in created.items()))
