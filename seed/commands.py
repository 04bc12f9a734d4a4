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
    from seed.demo_credit import seed_lending_demo

    created = seed_demo(db.session, current_app.config["MEDIA_DIR"])
    created |= seed_lending_demo(db.session)  # the staff portal's queue and loan list
    db.session.commit()
    click.echo("created " + ", ".join(f"{n} {k}" for k, n in created.items()))
