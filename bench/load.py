"""Mixed shopper load on Installmall (gunicorn + PostgreSQL + local Stripe) with locust, then consistency checks.

    python bench/load.py [--users 50] [--seconds 60] [--spawn-rate 10] [--workers 2] [--threads 4]
                         [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--keep-tmp]

What it does, all on 127.0.0.1 and all of it torn down at the end (finally:
process groups killed, database dropped, temp dir removed):

1. creates a throwaway PostgreSQL database (CREATE DATABASE through
   ``--admin-url``), runs ``flask db upgrade`` and ``flask seed demo``, raises
   the stock of the listings the buyers take so they never sell out, except one
   *scarce* listing left at ``--scarce-stock`` so that card buyers race for it;
2. starts the local Stripe server (``python -m shop.gateways.stripe_server``) and
   ``gunicorn "app:create_app()"`` (``--workers`` x gthread ``--threads``);
3. runs locust as a library (headless, one local runner, ``--users`` users
   started at ``--spawn-rate`` per second, ``--seconds`` of load, then every
   user finishes the request it is in and stops at its next pause, within
   ``--stop-timeout`` seconds). Every user pauses 0.5-2 s between pages. The
   user mix, by weight:

   * browsing shopper (3): a first-time anonymous visitor each round: home, a
     scene, a listing, a search (half the rounds), add to cart and the cart
     page (a third of the rounds);
   * card buyer (1): registers once, then round after round: listing, add to
     cart, cart, address, payment page (a SetupIntent), saves the card as
     Stripe.js does (a call to the Stripe server, reported apart as
     ``STRIPE``), pays in full, confirmation page. One round in five buys the
     scarce listing: sold out (HTTP 409 on add or pay) is an expected outcome,
     not an error;
   * pay-over-time buyer (1): a new shopper each round (own session, own
     loopback source address 127.0.x.y for the per-IP fraud velocity, own
     national ID): register, listing, add to cart, address, application,
     decision, offers, agreement page, saves the card, accepts ``pay_in_4``
     (down payment charged, loan booked), loan page;

4. prints the app's requests per second, p50/p95/max per page and errors,
   the checkouts completed, and the load generator's own CPU;
5. checks consistency afterwards: every paid or financed order has exactly
   one succeeded charge on the Stripe server and every succeeded charge is
   recorded against an order (orders = successful charges), no listing has
   negative stock and the scarce listing was not oversold, and
   ``flask credit check-ledger`` passes.

Exit status 1 if a request failed, a checkout ended in an error, or a
consistency check failed. Client and server share the machine's cores.
"""

from __future__ import annotations

# locust runs on gevent: patch the standard library before anything opens a socket.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psycopg  # noqa: E402
import requests  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.clients import HttpSession  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.log import setup_logging  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import HOST, ROOT, Process, free_port  # noqa: E402

SECRET_KEY = "sk_test_bench_load"
PUBLISHABLE_KEY = "pk_test_bench_load"
CSRF_RE = re.compile(r'name="csrf[-_]token"[^>]*?(?:content|value)="([^"]+)"')
SECRET_RE = re.compile(r'data-client-secret="(seti_[^"]+)"')
KEY_RE = re.compile(r'name="checkout_key" type="hidden" value="([^"]+)"')
ADDRESS = {
    "name": "Load Shopper",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}
APPLICANT = {
    "legal_name": "Load Shopper",
    "date_of_birth": "1985-04-12",
    "monthly_income": "6500.00",
    "income_source": "employed",
    "employment_months": "60",
    "housing": "own",
    "other_installment_plans": "none",
    "existing_monthly_debt": "0",
    "savings_band": "2500_plus",
    "checking_band": "480_plus",
    "residence_years": "6",
    "billing_region": "IL",
    "consent": "y",
}
SEARCHES = ("laptop", "sofa", "smartphone", "course", "television", "espresso", "queen bed", "kayak")
CREDIT_SKU = "VC-PHN-01"  # the $899 phone, as bench/checkout.py
CARD_SKUS = ("VC-PHN-02", "VC-AUD-01", "VC-TAB-01", "HH-CHR-01", "WL-TRV-03", "WL-HB-01", "WL-EDU-04")
SCARCE_SKU = "VC-GAM-01"
PRODUCT = "pay_in_4"


class Shared:
    """Filled in by main() before the users start: the users' view of the setup."""

    stripe: str = ""
    run_id: int = 0
    scenes: list[str] = []
    listing_ids: list[int] = []
    sku_ids: dict[str, int] = {}
    shopper_numbers = itertools.count()
    outcomes: Counter[str] = Counter()
    error_samples: list[str] = []


class StepFailed(Exception):
    pass


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source_ip: str):
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


def _source_ip(n: int) -> str:
    return f"127.0.{1 + n // 250}.{2 + n % 250}"


def _record_error(kind: str, e: BaseException) -> None:
    Shared.outcomes[f"{kind} error"] += 1
    if len(Shared.error_samples) < 8:
        Shared.error_samples.append(f"{kind}: {type(e).__name__}: {e}")


# --- locust users ------------------------------------------------------------------------


class Shopper(HttpUser):
    """Helpers shared by the three kinds of shopper: checked requests, CSRF, the card."""

    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.session: HttpSession = self.client
        self.csrf = ""

    def new_session(self) -> None:
        """A fresh browser: no cookies, its own source address."""
        n = next(Shared.shopper_numbers)
        self.number = n
        self.session = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        self.session.mount("http://", SourceAddressAdapter(_source_ip(n)))
        self.csrf = ""

    def request(self, method: str, path: str, name: str, expect: tuple[int, ...] = (200,), **kw) -> requests.Response:
        with self.session.request(
            method, path, name=name, catch_response=True, allow_redirects=False, timeout=60, **kw
        ) as r:
            if r.status_code not in expect:
                why = f"HTTP {r.status_code}" if r.status_code else f"{type(r.error).__name__}: {r.error}"
                r.failure(f"{why}, expected {'/'.join(map(str, expect))}")
                raise StepFailed(f"{method} {path}: {why}")
            r.success()
        if r.text:
            m = CSRF_RE.search(r.text)
            if m:
                self.csrf = m.group(1)
        return r

    def get(self, path: str, name: str | None = None, expect: tuple[int, ...] = (200,)) -> requests.Response:
        return self.request("GET", path, name or path, expect)

    def post(self, path: str, data: dict, name: str | None = None, expect: tuple[int, ...] = (302,)):
        return self.request("POST", path, name or path, expect, data={**data, "csrf_token": self.csrf})

    def follow(self, r: requests.Response, name: str) -> requests.Response:
        return self.get(r.headers["Location"].removeprefix(self.host), name)

    def register(self, tag: str) -> None:
        self.get("/account/register")
        self.post(
            "/account/register",
            {
                "email": f"load-{tag}-{Shared.run_id}-{self.number}@example.com",
                "name": "Load Shopper",
                "password": "correct-horse-battery",
                "confirm": "correct-horse-battery",
            },
        )

    def add_to_cart(self, listing_id: int, expect: tuple[int, ...] = (302,)) -> requests.Response:
        self.get(f"/listings/{listing_id}", "/listings/[id]")
        self.wait()
        return self.post(f"/cart/add/{listing_id}", {"quantity": 1}, "/cart/add/[id]", expect)

    def enter_address(self) -> None:
        self.get("/cart")
        self.wait()
        self.get("/checkout")
        self.wait()
        self.post("/checkout", ADDRESS, "/checkout (address)")

    def save_card(self, client_secret: str) -> None:
        """What Stripe.js does in the browser: a call to the Stripe server, not to the app."""
        seti = client_secret.split("_secret_")[0]
        t0 = time.perf_counter()
        exc: Exception | None = None
        status = 0
        try:
            r = requests.post(
                f"{Shared.stripe}/v1/setup_intents/{seti}/confirm",
                timeout=30,
                json={
                    "key": PUBLISHABLE_KEY,
                    "use_stripe_sdk": True,
                    "client_secret": client_secret,
                    "payment_method_data": {
                        "type": "card",
                        "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"},
                    },
                },
            )
            status = r.status_code
            if status != 200 or r.json().get("status") != "succeeded":
                exc = StepFailed(f"saving the card: HTTP {status} {r.text[:200]}")
        except requests.RequestException as e:
            exc = e
        self.environment.events.request.fire(
            request_type="STRIPE",
            name="confirm SetupIntent (browser)",
            response_time=(time.perf_counter() - t0) * 1000,
            response_length=0,
            exception=exc,
            context={},
        )
        if exc is not None:
            raise exc


class BrowsingShopper(Shopper):
    weight = 3

    @task
    def browse(self) -> None:
        self.new_session()
        try:
            self.get("/")
            self.wait()
            self.get(f"/scenes/{random.choice(Shared.scenes)}", "/scenes/[slug]")
            self.wait()
            listing = random.choice(Shared.listing_ids)
            self.get(f"/listings/{listing}", "/listings/[id]")
            if random.random() < 0.5:
                self.wait()
                self.get(f"/search?q={random.choice(SEARCHES)}", "/search?q=[words]")
            if random.random() < 1 / 3:
                self.wait()
                listing = Shared.sku_ids[random.choice(CARD_SKUS)]
                self.add_to_cart(listing)
                self.wait()
                self.get("/cart")
            Shared.outcomes["browse ok"] += 1
        except (StepFailed, requests.RequestException) as e:
            _record_error("browse", e)


class CardBuyer(Shopper):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.signed_up = False

    def sign_up(self) -> None:
        self.new_session()
        self.register("card")
        self.signed_up = True

    @task
    def buy(self) -> None:
        try:
            if not self.signed_up:
                self.sign_up()
                self.wait()
            scarce = random.random() < 0.2
            listing = Shared.sku_ids[SCARCE_SKU if scarce else random.choice(CARD_SKUS)]
            added = self.add_to_cart(listing, expect=(302, 409) if scarce else (302,))
            if added.status_code == 409:
                Shared.outcomes["card sold out (add)"] += 1
                return
            self.wait()
            self.enter_address()
            self.wait()
            page = self.get("/checkout/payment")
            secret, key = SECRET_RE.search(page.text), KEY_RE.search(page.text)
            if secret is None or key is None:
                raise StepFailed("no SetupIntent or checkout key on /checkout/payment")
            self.save_card(secret.group(1))
            self.wait()
            paid = self.post(
                "/checkout/pay",
                {"checkout_key": key.group(1), "setup_intent_id": secret.group(1).split("_secret_")[0]},
                expect=(302, 409) if scarce else (302,),
            )
            if paid.status_code == 409:
                Shared.outcomes["card sold out (pay)"] += 1
                self.signed_up = False  # its cart still holds the sold-out item: next round, a new shopper
                return
            if "/checkout/done/" not in paid.headers.get("Location", ""):
                raise StepFailed(f"pay redirected to {paid.headers.get('Location')}")
            self.follow(paid, "/checkout/done/[number]")
            Shared.outcomes["card checkout ok"] += 1
        except (StepFailed, requests.RequestException, AttributeError) as e:
            _record_error("card checkout", e)
            self.signed_up = False


class CreditBuyer(Shopper):
    weight = 1

    @task
    def buy(self) -> None:
        self.new_session()
        n = self.number
        national_id = f"{100 + Shared.run_id:03d}-{10 + n // 9000:02d}-{1000 + n % 9000:04d}"
        try:
            self.register("credit")
            self.wait()
            self.add_to_cart(Shared.sku_ids[CREDIT_SKU])
            self.wait()
            self.enter_address()
            self.wait()
            page = self.get("/checkout/credit")
            if "Get my decision" not in page.text:
                raise StepFailed("no application form on /checkout/credit")
            self.wait()
            decided = self.post("/checkout/credit/apply", {**APPLICANT, "national_id": national_id})
            offers = self.follow(decided, "/checkout/credit (decision)")
            if f'data-testid="offer-{PRODUCT}"' not in offers.text:
                Shared.outcomes["credit not approved"] += 1
                return
            self.wait()
            page = self.get(f"/checkout/credit/offers/{PRODUCT}", "/checkout/credit/offers/[product]")
            secret, key = SECRET_RE.search(page.text), KEY_RE.search(page.text)
            if secret is None or key is None:
                raise StepFailed("no SetupIntent or checkout key on the agreement page")
            self.save_card(secret.group(1))
            self.wait()
            accepted = self.post(
                "/checkout/credit/accept",
                {
                    "checkout_key": key.group(1),
                    "product": PRODUCT,
                    "setup_intent_id": secret.group(1).split("_secret_")[0],
                    "accept": "y",
                    "signature": APPLICANT["legal_name"],
                },
            )
            if "/account/credit/loans/" not in accepted.headers.get("Location", ""):
                raise StepFailed(f"accept redirected to {accepted.headers.get('Location')}")
            self.follow(accepted, "/account/credit/loans/[number]")
            Shared.outcomes["credit checkout ok"] += 1
        except (StepFailed, requests.RequestException, AttributeError) as e:
            _record_error("credit checkout", e)


# --- setup and checks ------------------------------------------------------------------


def db_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def flask_cli(env: dict[str, str], *cli: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "flask", "--app", "app", *cli]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def stripe_succeeded_intents(stripe: str) -> list[str]:
    """Ids of the succeeded PaymentIntents on the Stripe server (paged)."""
    ids: list[str] = []
    after: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 100}
        if after:
            params["starting_after"] = after
        r = requests.get(
            f"{stripe}/v1/payment_intents",
            params=params,
            headers={"Authorization": f"Bearer {SECRET_KEY}"},
            timeout=60,
        )
        r.raise_for_status()
        page = r.json()
        data = page.get("data", [])
        ids += [pi["id"] for pi in data if pi.get("status") == "succeeded"]
        if not page.get("has_more") or not data:
            return ids
        after = data[-1]["id"]


def consistency_checks(
    conn: psycopg.Connection, stripe: str, env: dict[str, str], scarce_stock: int, first_order_id: int
) -> list[str]:
    """Print the checks; return the failures. Only this run's orders (id >= `first_order_id`)
    count: the demo seed has merchant orders of its own, with made-up payment ids."""
    failures: list[str] = []
    first = (first_order_id,)
    statuses = dict(
        conn.execute("SELECT status, count(*) FROM orders WHERE id >= %s GROUP BY status", first).fetchall()
    )
    charged_orders = statuses.get("paid", 0) + statuses.get("financed", 0)
    order_charges = conn.execute(
        """SELECT o.id, count(p.pi) FROM orders o
           LEFT JOIN (SELECT order_id, stripe_payment_intent_id AS pi FROM payments
                      UNION ALL
                      SELECT l.order_id, lp.stripe_payment_intent_id FROM loan_payments lp
                      JOIN loans l ON l.id = lp.loan_id
                      WHERE lp.kind = 'down_payment' AND lp.stripe_payment_intent_id IS NOT NULL) p
                 ON p.order_id = o.id
           WHERE o.status IN ('paid', 'financed') AND o.id >= %s GROUP BY o.id""",
        first,
    ).fetchall()
    not_one = [(oid, n) for oid, n in order_charges if n != 1]
    recorded = {
        r[0]
        for r in conn.execute(
            "SELECT stripe_payment_intent_id FROM payments WHERE order_id >= %s UNION "
            "SELECT lp.stripe_payment_intent_id FROM loan_payments lp JOIN loans l ON l.id = lp.loan_id "
            "WHERE lp.stripe_payment_intent_id IS NOT NULL AND l.order_id >= %s",
            (first_order_id, first_order_id),
        ).fetchall()
    }
    succeeded = set(stripe_succeeded_intents(stripe))
    print(
        f"orders by status: {statuses or '{}'}; paid + financed = {charged_orders}; "
        f"succeeded charges on the Stripe server = {len(succeeded)}; recorded in the database = {len(recorded)}"
    )
    if charged_orders != len(succeeded) or not_one or succeeded != recorded:
        failures.append(
            f"orders != successful charges: {charged_orders} orders, {len(succeeded)} charges; "
            f"{len(not_one)} order(s) without exactly one charge {not_one[:5]}; "
            f"charged but not recorded {sorted(succeeded - recorded)[:5]}; "
            f"recorded but not succeeded {sorted(recorded - succeeded)[:5]}"
        )
        print(f"  FAILED: {failures[-1]}")
    else:
        print("  ok: orders = successful charges, one charge per order, every charge recorded")

    negative = conn.execute("SELECT sku, stock FROM listings WHERE stock < 0").fetchall()
    sold_scarce = conn.execute(
        """SELECT coalesce(sum(ol.quantity), 0) FROM order_lines ol
           JOIN orders o ON o.id = ol.order_id JOIN listings li ON li.id = ol.listing_id
           WHERE li.sku = %s AND o.status <> 'cancelled' AND o.id >= %s""",
        (SCARCE_SKU, first_order_id),
    ).fetchone()[0]
    left_scarce = conn.execute("SELECT stock FROM listings WHERE sku = %s", (SCARCE_SKU,)).fetchone()[0]
    print(
        f"stock: {len(negative)} listing(s) below zero; scarce {SCARCE_SKU}: "
        f"{sold_scarce} sold of {scarce_stock}, {left_scarce} left"
    )
    stock_failures = []
    if negative:
        stock_failures.append(f"negative stock: {negative}")
    if sold_scarce + left_scarce != scarce_stock:
        stock_failures.append(f"scarce listing: sold {sold_scarce} + left {left_scarce} != stock {scarce_stock}")
    for f in stock_failures:
        print(f"  FAILED: {f}")
    if not stock_failures:
        print("  ok: no negative stock, the scarce listing not oversold")
    failures += stock_failures

    ledger = flask_cli(env, "credit", "check-ledger")
    last = (ledger.stdout.strip().splitlines() or [ledger.stderr.strip()[-300:]])[-1]
    print(f"flask credit check-ledger: exit {ledger.returncode}: {last}")
    if ledger.returncode != 0:
        failures.append(f"check-ledger exit {ledger.returncode}:\n{ledger.stdout[-2000:]}\n{ledger.stderr[-2000:]}")
    return failures


# --- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--users", type=int, default=50, help="locust users (default 50)")
    p.add_argument("--seconds", type=float, default=60, help="seconds of load once spawning starts (default 60)")
    p.add_argument("--spawn-rate", type=float, default=10, help="users started per second (default 10)")
    p.add_argument(
        "--stop-timeout", type=float, default=30, help="seconds users get to reach a pause at the end (default 30)"
    )
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--threads", type=int, default=4, help="gthread threads per worker (default 4)")
    p.add_argument(
        "--keep-alive",
        type=int,
        default=5,
        help="gunicorn --keep-alive seconds (default 5, above the 2 s longest pause: with gunicorn's "
        "default of 2 s a shopper's next request races the server closing the idle connection)",
    )
    p.add_argument("--scarce-stock", type=int, default=5, help=f"stock of {SCARCE_SKU}, raced for (default 5)")
    p.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL URL allowed to CREATE/DROP DATABASE",
    )
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (logs)")
    args = p.parse_args(argv)
    if not 1 <= args.users <= 1000:
        p.error("--users must be in [1, 1000]")
    if not 1 <= args.seconds <= 1800:
        p.error("--seconds must be in [1, 1800]")
    if not 0 <= args.stop_timeout <= 120 or args.spawn_rate <= 0:
        p.error("--stop-timeout must be in [0, 120] and --spawn-rate positive")
    for name in ("workers", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    return args


def print_stats(env: Environment, seconds: float) -> bool:
    """Per-page table; True if any app request failed."""
    entries = sorted(env.stats.entries.values(), key=lambda e: (e.method == "STRIPE", e.name))
    app = [e for e in entries if e.method != "STRIPE"]
    total = sum(e.num_requests for e in app)
    failed = sum(e.num_failures for e in app)
    header = f"{'page':<40} {'requests':>8} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    print(header)
    print("-" * len(header))
    for e in entries:
        label = f"{e.method} {e.name}"
        print(
            f"{label:<40} {e.num_requests:>8} {e.num_failures:>6} {e.num_requests / seconds:>7.2f} "
            f"{e.get_response_time_percentile(0.5):>7.0f} {e.get_response_time_percentile(0.95):>7.0f} "
            f"{e.max_response_time or 0:>7.0f}"
        )
    t = env.stats.total
    print("-" * len(header))
    print(
        f"{'all app requests (STRIPE excluded)':<40} {total:>8} {failed:>6} {total / seconds:>7.2f} "
        f"{'':>7} {'':>7} {'':>7}"
    )
    print(
        f"(all incl. STRIPE: p50 {t.get_response_time_percentile(0.5):.0f} ms, "
        f"p95 {t.get_response_time_percentile(0.95):.0f} ms)"
    )
    errors = sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)
    for err in errors[:5]:
        print(f"  failure x{err.occurrences}: {err.method} {err.name}: {err.error}")
    return failed > 0 or any(e.num_failures for e in entries)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_logging("WARNING")
    logging.getLogger("locust").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-load-"))
    dbname = f"im_bench_load_{uuid.uuid4().hex[:8]}"
    procs: list[Process] = []
    admin = None
    failures: list[str] = []
    request_failed = False
    try:
        admin = psycopg.connect(args.admin_url, autocommit=True, connect_timeout=5)
        admin.execute(f'CREATE DATABASE "{dbname}"')
        stripe_port = free_port()
        stripe = f"http://{HOST}:{stripe_port}"
        env = dict(os.environ)
        env.pop("FLASK_DEBUG", None)
        env.update(
            INSTANCE_PATH=str(tmp / "instance"),
            MEDIA_DIR=str(tmp / "media"),
            DATABASE_URL=db_url(args.admin_url, dbname),
            SECRET_KEY="bench-load-not-a-secret",
            STRIPE_API_BASE=stripe,
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
            PYTHONDONTWRITEBYTECODE="1",
        )
        print(
            f"machine: {os.cpu_count()} CPU core(s), Python {platform.python_version()}, {platform.system()}; "
            f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(
            f"server: gunicorn --workers {args.workers} --threads {args.threads} --worker-class gthread "
            f"--keep-alive {args.keep_alive}; "
            f"PostgreSQL database {dbname}; local Stripe server"
        )
        print(
            f"load: locust {args.users} users (browsing 3 : card 1 : pay over time 1), spawn {args.spawn_rate:g}/s, "
            f"{args.seconds:g}s, pauses 0.5-2 s between pages; one run",
            flush=True,
        )
        t0 = time.monotonic()
        for cli in (("db", "upgrade"), ("seed", "demo")):
            done = flask_cli(env, *cli)
            if done.returncode != 0:
                raise RuntimeError(f"flask {' '.join(cli)} failed:\n{done.stdout}\n{done.stderr}")
        with psycopg.connect(db_url(args.admin_url, dbname), autocommit=True) as conn:
            conn.execute("UPDATE listings SET stock = stock + 100000 WHERE sku = ANY(%s)", ([CREDIT_SKU, *CARD_SKUS],))
            conn.execute("UPDATE listings SET stock = %s WHERE sku = %s", (args.scarce_stock, SCARCE_SKU))
            Shared.sku_ids = dict(conn.execute("SELECT sku, id FROM listings").fetchall())
            Shared.listing_ids = [r[0] for r in conn.execute("SELECT id FROM listings WHERE active").fetchall()]
            Shared.scenes = [r[0] for r in conn.execute("SELECT slug FROM scenes").fetchall()]
            first_order_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM orders").fetchone()[0]
        print(f"database ready in {time.monotonic() - t0:.1f}s", flush=True)

        procs.append(
            Process(
                [sys.executable, "-m", "shop.gateways.stripe_server", "--port", str(stripe_port)],
                env,
                tmp / "stripe.log",
            )
        )
        procs[-1].wait_ready(f"{stripe}/js.stripe.com/v3/")
        port = free_port()
        base = f"http://{HOST}:{port}"
        procs.append(
            Process(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"{HOST}:{port}",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--worker-class",
                    "gthread",
                    "--keep-alive",
                    str(args.keep_alive),
                    "--log-level",
                    "warning",
                    "app:create_app()",
                ],
                env,
                tmp / "gunicorn.log",
            )
        )
        procs[-1].wait_ready(f"{base}/")
        Shared.stripe = stripe
        Shared.run_id = int(uuid.uuid4().hex[:6], 16) % 500

        for cls in (BrowsingShopper, CardBuyer, CreditBuyer):
            cls.host = base
        lenv = Environment(user_classes=[BrowsingShopper, CardBuyer, CreditBuyer], stop_timeout=args.stop_timeout)
        runner = lenv.create_local_runner()
        cpu0, started = time.process_time(), time.monotonic()
        runner.start(args.users, spawn_rate=args.spawn_rate)
        with gevent.Timeout(args.seconds + args.stop_timeout + 60):
            gevent.sleep(args.seconds)
            runner.quit()  # users finish their request and stop at their next pause
            runner.greenlet.join()
        wall = time.monotonic() - started
        client_cores = (time.process_time() - cpu0) / wall
        gevent.sleep(0.5)

        print()
        print(f"{wall:.1f}s of load ({args.seconds:g}s + stopping); per page (req/s over {wall:.1f}s):")
        request_failed = print_stats(lenv, wall)
        oc = Shared.outcomes
        print(
            f"checkouts: card {oc['card checkout ok']} ok ({oc['card checkout ok'] / wall:.2f}/s), "
            f"sold out {oc['card sold out (add)']} at add + {oc['card sold out (pay)']} at pay, "
            f"{oc['card checkout error']} errors; pay over time {oc['credit checkout ok']} ok "
            f"({oc['credit checkout ok'] / wall:.2f}/s), {oc['credit not approved']} not approved, "
            f"{oc['credit checkout error']} errors; browsing rounds {oc['browse ok']} ok, {oc['browse error']} errors"
        )
        for sample in Shared.error_samples:
            print(f"  error: {sample}")
        print(f"load generator (locust, one process): {client_cores:.2f} cores of {os.cpu_count()}")
        if request_failed or Shared.error_samples:
            print(f"server log tail:\n{procs[-1].log_tail(15)}")

        print()
        print("consistency checks:")
        with psycopg.connect(db_url(args.admin_url, dbname), autocommit=True) as conn:
            failures = consistency_checks(conn, stripe, env, args.scarce_stock, first_order_id)
        placed = oc["card checkout ok"] + oc["credit checkout ok"]
        print(f"(checkouts the clients saw complete: {placed})")
    finally:
        for proc in reversed(procs):
            proc.stop()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            admin.close()
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures or request_failed or Shared.error_samples else 0


if __name__ == "__main__":
    sys.exit(main())
