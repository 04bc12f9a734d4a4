"""Shared fixtures: a real local Stripe server, a fresh database per test.

* `stripe_server` starts localstripe (shop/gateways/stripe_server.py) on a free
  loopback port once per session; `stripe_base` clears its store for the tests
  that use Stripe (only they ask for it).
* Integration tests run once per database backend: SQLite always, and
  PostgreSQL when TEST_DATABASE_URL is set or a local server answers on
  127.0.0.1:5432.  Each backend builds a template database (schema + demo
  data) once per session; every test gets its own copy.
* Under CI=true a PostgreSQL that cannot be reached is a failure, not a skip.

The helpers live in tests/support/ as plain modules; this file holds fixtures
only.  Unit tests (tests/unit) use none of this.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.support import databases as dbs
from tests.support import mail, servers
from tests.support.web import AuthActions, Shopper, csrf_token


def pytest_report_header(config):
    state = "available" if dbs.PG_PROBLEM is None else f"NOT reachable ({dbs.PG_PROBLEM})"
    return [f"database backends: {', '.join(dbs.BACKENDS)}; PostgreSQL at {dbs.pg_admin_url()}: {state}"]


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(dbs.SESSION_DIR, ignore_errors=True)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if dbs.IN_CI and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line("CI=true: skipped tests are not allowed (PostgreSQL and browser tests must run).", red=True)
        session.exitstatus = 1


# --- Stripe ----------------------------------------------------------------


@pytest.fixture(scope="session")
def stripe_server():
    with servers.stripe_server() as base:
        yield base


@pytest.fixture
def stripe_base(stripe_server):
    """The local Stripe server, emptied for this test (tests that use Stripe ask for it)."""
    servers.reset_stripe(stripe_server)
    return stripe_server


@pytest.fixture
def smtp_inbox():
    """A real SMTP server (aiosmtpd) on a free loopback port; its received messages."""
    with mail.smtp_server() as inbox:
        yield inbox


# --- databases -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _push_request_context():
    """Override pytest-flask's: requests made by several test clients in one
    test must not share one pushed context (and its `g`, where Flask-WTF keeps
    the CSRF token).  Tests push a context explicitly when they need one."""
    yield


@pytest.fixture
def client(app):
    """Override pytest-flask's, which keeps the last request's context pushed
    (`with app.test_client()`) and so shares `g` with every other client."""
    return app.test_client()


@pytest.fixture(scope="session")
def media_dir():
    path = dbs.SESSION_DIR / "media"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


@pytest.fixture(scope="session", params=dbs.BACKENDS)
def databases(request, media_dir):
    if request.param == "postgresql":
        if dbs.PG_PROBLEM is not None:
            message = f"PostgreSQL not reachable at {dbs.pg_admin_url()} ({dbs.PG_PROBLEM}); set TEST_DATABASE_URL"
            if dbs.IN_CI:
                pytest.fail("CI=true requires PostgreSQL: " + message)
            pytest.skip(message)
        factory = dbs.PostgresDatabases(media_dir)
    else:
        factory = dbs.SqliteDatabases(media_dir)
    factory.backend = request.param
    yield factory
    factory.close()


@pytest.fixture
def db_url(databases):
    url = databases.create()
    yield url
    databases.drop(url)


@pytest.fixture
def backend(databases) -> str:
    return databases.backend


@pytest.fixture
def app(db_url, stripe_server, media_dir):
    from app import create_app
    from shop.extensions import db, limiter

    app = create_app(dbs.app_config(db_url, stripe_server, media_dir))
    limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app):
    """A plain SQLAlchemy session on the test database, for arranging and asserting.

    It is deliberately not the request's scoped session and pushes no app
    context, so requests made by test clients stay independent."""
    from sqlalchemy.orm import Session

    from shop.extensions import db

    with app.app_context():
        engine = db.engine
    with Session(engine) as s:
        yield s


# --- HTTP helpers ------------------------------------------------------------


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def post(client):
    """POST with a valid CSRF token taken from the session's own page."""

    def _post(path: str, data: dict | None = None, token_from: str = "/", **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(client, token_from))
        return client.post(path, data=payload, **kwargs)

    return _post


@pytest.fixture
def shopper(client, stripe_base):
    return Shopper(client, stripe_base)


@pytest.fixture
def live_server_url(app):
    """Serve `app` over HTTP on a free loopback port in a thread (for Stripe webhooks and browsers)."""
    server = make_server("127.0.0.1", servers.free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
