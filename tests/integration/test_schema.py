"""Migrations upgrade an empty database and match the models exactly."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from shop.extensions import db


def _empty_database(databases) -> str:
    """A brand-new empty database of the backend under test."""
    if databases.backend == "sqlite":
        path = databases.dir / f"empty-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}"
    name = "im_mig_" + uuid.uuid4().hex[:8]
    databases.admin.execute(f'CREATE DATABASE "{name}"')
    return databases._url(name)


def test_flask_db_upgrade_builds_an_empty_database_and_autogenerate_finds_nothing(databases, stripe_base, media_dir):
    from app import create_app
    from tests.support.databases import app_config

    url = _empty_database(databases)
    app = create_app(app_config(url, stripe_base, media_dir))
    try:
        with app.app_context():
            upgrade()  # what `flask db upgrade` runs
            with db.engine.connect() as conn:
                ctx = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(ctx, db.metadata)
                tables = set(inspect(conn).get_table_names())
            db.engine.dispose()
    finally:
        databases.drop(url)
    assert diff == []
    assert {
        "users",
        "merchants",
        "scenes",
        "listings",
        "carts",
        "orders",
        "payments",
        "refunds",
        "alembic_version",
    } <= tables


def test_seed_demo_is_idempotent_and_deterministic(app, media_dir):
    from pathlib import Path

    from sqlalchemy import func, select

    from seed.demo import seed_demo
    from shop.models import Listing, Merchant, Scene, User

    with app.app_context():
        again = seed_demo(db.session, media_dir)  # the template database was seeded already
        db.session.commit()
        counts = {
            m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in (Scene, Merchant, Listing, User)
        }
        roles = set(db.session.scalars(select(User.staff_role).where(User.role == "staff")))
        images = [Path(media_dir) / p for p in db.session.scalars(select(Listing.image_path))]
    assert again == {"scenes": 0, "merchants": 0, "listings": 0, "users": 0}
    assert counts["Scene"] >= 6 and counts["Merchant"] >= 3 and counts["Listing"] >= 40
    assert roles == {"reviewer", "collections", "risk", "superadmin"}
    assert all(p.exists() and p.read_text().startswith("<svg") for p in images)
