"""Test databases: SQLite always, PostgreSQL when one answers (required under
CI=true).  Each backend builds a template database (schema + demo data) once
per session; every test gets its own copy."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

SESSION_DIR = Path(tempfile.mkdtemp(prefix="installmall-tests-"))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pg_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG


def _pg_answers(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
        return None
    except Exception as e:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(e).__name__}: {e}".strip()


PG_PROBLEM = _pg_answers(pg_admin_url())
BACKENDS = (
    ["sqlite", "postgresql"] if (PG_PROBLEM is None or os.environ.get("TEST_DATABASE_URL") or IN_CI) else ["sqlite"]
)


def app_config(db_url: str, stripe_base: str, media_dir: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_JS_URL": f"{stripe_base}/js.stripe.com/v3/",
        "STRIPE_SECRET_KEY": "sk_test_installmall",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_installmall",
        "STRIPE_WEBHOOK_SECRET": "whsec_test_installmall",
        "MEDIA_DIR": media_dir,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def _build_template(db_url: str, media_dir: str) -> None:
    from werkzeug.security import generate_password_hash

    from app import create_app
    from seed.demo import DEMO_PASSWORD, seed_demo
    from shop.extensions import db

    app = create_app(app_config(db_url, "http://127.0.0.1:9", media_dir))
    with app.app_context():
        db.create_all()  # installs the journal balance trigger on PostgreSQL (shop/models/journal.py)
        seed_demo(db.session, media_dir, password_hash=generate_password_hash(DEMO_PASSWORD))
        db.session.commit()
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, media_dir: str):
        self.dir = SESSION_DIR / "sqlite"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.template = self.dir / "template.sqlite3"
        _build_template(f"sqlite:///{self.template}", media_dir)

    def create(self) -> str:
        path = self.dir / f"t-{uuid.uuid4().hex[:10]}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, media_dir: str):
        import psycopg

        self.admin_url = pg_admin_url()
        self.admin = psycopg.connect(self.admin_url, autocommit=True)
        self.template = f"im_tmpl_{uuid.uuid4().hex[:10]}"
        self.admin.execute(f'CREATE DATABASE "{self.template}"')
        _build_template(self._url(self.template), media_dir)

    def _url(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return (
            make_url(self.admin_url)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )

    def create(self) -> str:
        name = f"im_t_{uuid.uuid4().hex[:10]}"
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.close()
