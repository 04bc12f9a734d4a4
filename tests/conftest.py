"""Shared fixtures: a real local Stripe server, a fresh database per test.

* `stripe_server` starts localstripe (shop/gateways/stripe_server.py) on a free
  loopback port once per session; `stripe_base` clears its store per test.
* Integration tests run once per database backend: SQLite always, and
  PostgreSQL when TEST_DATABASE_URL is set or a local server answers on
  127.0.0.1:5432.  Each backend builds a template database (schema + demo
  data) once per session; every test gets its own copy.
* Under CI=true a PostgreSQL that cannot be reached is a failure, not a skip.

Unit tests (tests/unit) use none of this.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="installmall-tests-"))
os.environ.setdefault("INSTANCE_PATH", str(_SESSION_DIR / "instance"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_admin_url() -> str:
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


_PG_PROBLEM = _pg_answers(_pg_admin_url())
BACKENDS = (
    ["sqlite", "postgresql"] if (_PG_PROBLEM is None or os.environ.get("TEST_DATABASE_URL") or IN_CI) else ["sqlite"]
)


def pytest_report_header(config):
    state = "available" if _PG_PROBLEM is None else f"NOT reachable ({_PG_PROBLEM})"
    return [f"database backends: {', '.join(BACKENDS)}; PostgreSQL at {_pg_admin_url()}: {state}"]


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line("CI=true: skipped tests are not allowed (PostgreSQL and browser tests must run).", red=True)
        session.exitstatus = 1


# --- Stripe ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 20.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def stripe_server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "shop.gateways.stripe_server", "--port", str(port)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/js.stripe.com/v3/")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def stripe_base(stripe_server):
    import requests

    requests.delete(f"{stripe_server}/_config/data", timeout=5).raise_for_status()
    return stripe_server


# --- databases -------------------------------------------------------------


def _test_config(db_url: str, stripe_base: str, media_dir: str) -> dict:
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

    app = create_app(_test_config(db_url, "http://127.0.0.1:9", media_dir))
    with app.app_context():
        db.create_all()  # installs the journal balance trigger on PostgreSQL (shop/models/journal.py)
        seed_demo(db.session, media_dir, password_hash=generate_password_hash(DEMO_PASSWORD))
        db.session.commit()
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, media_dir: str):
        self.dir = _SESSION_DIR / "sqlite"
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

        self.admin_url = _pg_admin_url()
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
    path = _SESSION_DIR / "media"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


@pytest.fixture(scope="session", params=BACKENDS)
def databases(request, media_dir):
    if request.param == "postgresql":
        if _PG_PROBLEM is not None:
            message = f"PostgreSQL not reachable at {_pg_admin_url()} ({_PG_PROBLEM}); set TEST_DATABASE_URL"
            if IN_CI:
                pytest.fail("CI=true requires PostgreSQL: " + message)
            pytest.skip(message)
        factory = PostgresDatabases(media_dir)
    else:
        factory = SqliteDatabases(media_dir)
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
def app(db_url, stripe_base, media_dir):
    from app import create_app
    from shop.extensions import db, limiter

    app = create_app(_test_config(db_url, stripe_base, media_dir))
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

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str = "shopper@example.com", password: str = "installmall-demo"):
        token = csrf_token(self.client)
        return self.client.post("/account/login", data={"email": email, "password": password, "csrf_token": token})

    def register(self, email: str, name: str = "Test Shopper", password: str = "correct-horse-battery"):
        token = csrf_token(self.client, "/account/register")
        return self.client.post(
            "/account/register",
            data={"email": email, "name": name, "password": password, "confirm": password, "csrf_token": token},
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/account/logout", data={"csrf_token": token})


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


# --- checkout helpers ----------------------------------------------------------

SECRET_RE = re.compile(r'data-client-secret="(seti_[^"]+)"')
KEY_RE = re.compile(r'name="checkout_key" type="hidden" value="([^"]+)"')

ADDRESS = {
    "name": "Sam Shopper",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}


def save_card(stripe_base: str, client_secret: str, number: str) -> dict:
    """Confirm a SetupIntent with a test card, as Stripe.js does in the browser."""
    import requests

    seti = client_secret.split("_secret_")[0]
    r = requests.post(
        f"{stripe_base}/v1/setup_intents/{seti}/confirm",
        timeout=10,
        json={
            "key": "pk_test_installmall",
            "use_stripe_sdk": True,
            "client_secret": client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            },
        },
    )
    if r.status_code == 200 and r.json().get("status") == "requires_action":
        # The shopper completes the 3-D Secure step that Stripe.js shows.
        r = requests.post(
            f"{stripe_base}/v1/setup_intents/{seti}/confirm",
            timeout=10,
            json={"key": "pk_test_installmall", "use_stripe_sdk": True, "client_secret": client_secret},
        )
    return {"status_code": r.status_code, **r.json()}


class Shopper:
    """Drives the storefront through the test client like a shopper would."""

    def __init__(self, client, stripe_base: str):
        self.client = client
        self.stripe_base = stripe_base

    def add(self, listing_id: int, quantity: int = 1):
        token = csrf_token(self.client)
        return self.client.post(f"/cart/add/{listing_id}", data={"quantity": quantity, "csrf_token": token})

    def enter_address(self, **overrides):
        token = csrf_token(self.client)
        return self.client.post("/checkout", data={**ADDRESS, **overrides, "csrf_token": token})

    def payment_page(self) -> tuple[str, str, str]:
        """(html, setup intent client secret, checkout key) of the payment step."""
        html = self.client.get("/checkout/payment").get_data(as_text=True)
        return html, SECRET_RE.search(html).group(1), KEY_RE.search(html).group(1)

    def pay(self, card: str = "4242424242424242", **form):
        """Save `card` with the page's SetupIntent and submit the pay form."""
        html, secret, key = self.payment_page()
        saved = save_card(self.stripe_base, secret, card)
        token = csrf_token(self.client)
        data = {
            "csrf_token": token,
            "checkout_key": key,
            "setup_intent_id": secret.split("_secret_")[0],
            "payment_intent_id": "",
            **form,
        }
        return self.client.post("/checkout/pay", data=data), saved, data


@pytest.fixture
def shopper(client, stripe_base):
    return Shopper(client, stripe_base)


@pytest.fixture
def live_server_url(app):
    """Serve `app` over HTTP on a free loopback port in a thread (for Stripe webhooks and browsers)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = __import__("threading").Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


GOOD_APPLICANT = {
    "legal_name": "Sam Shopper",
    "date_of_birth": "1985-04-12",
    "national_id": "123-45-6789",
    "monthly_income": "6500.00",
    "income_source": "employed",
    "employment_months": "60",
    "housing": "own",
    "other_installment_plans": "none",
    "existing_monthly_debt": "0",
    "savings_band": "2500_plus",
    "residence_years": "6",
    "billing_region": "IL",
    "consent": "y",
}


def apply_for_credit(client, **overrides):
    """Submit the pay-over-time application form (the shopper has an address in checkout)."""
    data = {**GOOD_APPLICANT, **overrides, "csrf_token": csrf_token(client)}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/checkout/credit/apply", data=data)


def accept_offer(client, stripe_base: str, product: str, card: str = "4242424242424242", name: str = "Sam Shopper"):
    """Open an offer's agreement page, save `card`, sign and submit."""
    page = client.get(f"/checkout/credit/offers/{product}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    secret = SECRET_RE.search(html).group(1)
    key = KEY_RE.search(html).group(1)
    save_card(stripe_base, secret, card)
    data = {
        "csrf_token": csrf_token(client),
        "checkout_key": key,
        "product": product,
        "setup_intent_id": secret.split("_secret_")[0],
        "accept": "y",
        "signature": name,
    }
    return client.post("/checkout/credit/accept", data=data), data
