"""End-to-end pay-over-time checkouts per second under gunicorn with PostgreSQL.

    python bench/checkout.py [--checkouts 60] [--concurrency 4] [--warmup 4]
                             [--workers 2] [--threads 4] [--sku VC-PHN-01] [--product pay_in_4]
                             [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

What it does, all on 127.0.0.1 and all of it torn down at the end (finally:
process groups killed, database dropped, temp dir removed):

1. creates a throwaway PostgreSQL database (CREATE DATABASE through
   ``--admin-url``), runs ``flask db upgrade`` and ``flask seed demo`` into it,
   and raises the benchmarked listing's stock so it never sells out;
2. starts the local Stripe server (``python -m shop.gateways.stripe_server``) and
   ``gunicorn "app:create_app()"`` (``--workers`` x gthread ``--threads``);
3. registers ``--warmup + --checkouts`` new shoppers (not timed), each with its
   own ``requests.Session`` and its own loopback source address (127.0.x.y), so
   the fraud rules' per-IP velocity sees one shopper per address, as in real
   life; every shopper has a distinct national ID;
4. runs the checkouts with ``--concurrency`` threads (virtual shoppers): add the
   listing to the cart, enter the address, open the application, apply, open
   the offers, open the offer's agreement page, save the card with the page's
   SetupIntent as Stripe.js does (a call to Stripe, not to the server: NOT
   timed), accept (down payment charged, loan booked), open the loan page.
   The first ``--warmup`` checkouts are run but not counted;
5. prints checkouts/s over the measured phase's wall time, p50/p95/max latency
   of a whole checkout (server requests only) and of the accept step alone, and
   the errors (a checkout that did not end on its loan page) with samples.

Client and server share the machine's cores; the numbers understate what the
server would do alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg
import requests
from _support import Process, free_port, percentile, run_flask  # noqa: E402
from requests.adapters import HTTPAdapter

HOST = "127.0.0.1"
STEP_RE = re.compile(r"(?<=/)(\d+|L-[0-9A-F]+|IM-[0-9A-F]+)(?=/|$)")
SECRET_KEY = "sk_test_bench_checkout"
PUBLISHABLE_KEY = "pk_test_bench_checkout"
CSRF_RE = re.compile(r'name="csrf[-_]token"[^>]*?(?:content|value)="([^"]+)"')
SECRET_RE = re.compile(r'data-client-secret="(seti_[^"]+)"')
KEY_RE = re.compile(r'name="checkout_key" type="hidden" value="([^"]+)"')
ADDRESS = {
    "name": "Bench Shopper",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}
APPLICANT = {
    "legal_name": "Bench Shopper",
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


# --- processes ------------------------------------------------------------------------


def db_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


# --- virtual shoppers ----------------------------------------------------------------------


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source_ip: str):
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


class StepFailed(Exception):
    pass


@dataclass
class Shopper:
    number: int
    base: str
    stripe: str
    session: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""
    server_seconds: float = 0.0  # time spent waiting on the app, this checkout
    requests_made: int = 0
    accept_seconds: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)  # (request, seconds) of the last checkout

    def __post_init__(self) -> None:
        i = self.number
        self.session.mount("http://", SourceAddressAdapter(f"127.0.{1 + i // 250}.{2 + i % 250}"))

    def _request(self, method: str, path: str, expect: int = 200, **kw) -> requests.Response:
        t0 = time.perf_counter()
        r = self.session.request(method, self.base + path, timeout=60, allow_redirects=False, **kw)
        dt = time.perf_counter() - t0
        self.server_seconds += dt
        self.steps.append((f"{method} {STEP_RE.sub('[id]', path.split('?')[0])}", dt))
        self.requests_made += 1
        m = CSRF_RE.search(r.text)
        if m:
            self.csrf = m.group(1)
        if r.status_code != expect:
            raise StepFailed(f"{method} {path}: HTTP {r.status_code} (expected {expect})")
        return r

    def get(self, path: str, expect: int = 200) -> requests.Response:
        return self._request("GET", path, expect)

    def post(self, path: str, data: dict, expect: int = 302) -> requests.Response:
        return self._request("POST", path, expect, data={**data, "csrf_token": self.csrf})

    def follow(self, r: requests.Response) -> requests.Response:
        return self.get(r.headers["Location"].removeprefix(self.base))

    def register(self, tag: str) -> None:
        self.get("/account/register")
        self.follow(
            self.post(
                "/account/register",
                {
                    "email": f"bench-{tag}-{self.number}@example.com",
                    "name": "Bench Shopper",
                    "password": "correct-horse-battery",
                    "confirm": "correct-horse-battery",
                },
            )
        )

    def checkout(self, listing_id: int, product: str, national_id: str) -> None:
        self.server_seconds, self.requests_made, self.steps = 0.0, 0, []
        self.get(f"/listings/{listing_id}")
        self.follow(self.post(f"/cart/add/{listing_id}", {"quantity": 1}))
        self.get("/checkout")
        self.follow(self.post("/checkout", ADDRESS))
        page = self.get("/checkout/credit")
        if "Get my decision" not in page.text:
            raise StepFailed("no application form on /checkout/credit")
        offers = self.follow(self.post("/checkout/credit/apply", {**APPLICANT, "national_id": national_id}))
        if f'data-testid="offer-{product}"' not in offers.text:
            raise StepFailed(f"no {product} offer (not approved?)")
        page = self.get(f"/checkout/credit/offers/{product}")
        secret, key = SECRET_RE.search(page.text).group(1), KEY_RE.search(page.text).group(1)
        self.save_card(secret)  # Stripe.js in the browser: not the app, not timed
        before = self.server_seconds
        accepted = self.post(
            "/checkout/credit/accept",
            {
                "checkout_key": key,
                "product": product,
                "setup_intent_id": secret.split("_secret_")[0],
                "accept": "y",
                "signature": "Bench Shopper",
            },
        )
        self.accept_seconds = self.server_seconds - before
        if "/account/credit/loans/" not in accepted.headers.get("Location", ""):
            raise StepFailed(f"accept redirected to {accepted.headers.get('Location')}")
        self.follow(accepted)

    def save_card(self, client_secret: str) -> None:
        seti = client_secret.split("_secret_")[0]
        r = requests.post(
            f"{self.stripe}/v1/setup_intents/{seti}/confirm",
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
        if r.status_code != 200 or r.json().get("status") != "succeeded":
            raise StepFailed(f"saving the card: HTTP {r.status_code} {r.text[:200]}")


@dataclass
class Outcome:
    ok: bool
    total_s: float
    accept_s: float
    requests: int = 0
    error: str = ""


# --- main -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--checkouts", type=int, default=60, help="measured checkouts (default 60)")
    p.add_argument("--concurrency", type=int, default=4, help="concurrent virtual shoppers (default 4)")
    p.add_argument("--warmup", type=int, default=4, help="checkouts run first and not counted (default 4)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--threads", type=int, default=4, help="gthread threads per worker (default 4)")
    p.add_argument("--sku", default="VC-PHN-01", help="listing bought (default VC-PHN-01, the $899 phone)")
    p.add_argument(
        "--product", default="pay_in_4", help="offer accepted (default pay_in_4: a down payment is charged at checkout)"
    )
    p.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL URL allowed to CREATE/DROP DATABASE",
    )
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (logs)")
    args = p.parse_args(argv)
    for name in ("checkouts", "concurrency", "workers", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    if not 0 <= args.warmup <= 100 or args.checkouts > 5000:
        p.error("--warmup must be in [0, 100] and --checkouts at most 5000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-checkout-"))
    dbname = f"im_bench_checkout_{uuid.uuid4().hex[:8]}"
    procs: list[Process] = []
    admin = None
    outcomes: list[Outcome] = []
    measured: list[Shopper] = []
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
            SECRET_KEY="bench-checkout-not-a-secret",
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
            f"server: gunicorn --workers {args.workers} --threads {args.threads} --worker-class gthread; "
            f"PostgreSQL database {dbname}; local Stripe server"
        )
        print(
            f"load: {args.checkouts} checkouts (+{args.warmup} warm-up) of {args.sku} with {args.product}, "
            f"{args.concurrency} concurrent shoppers",
            flush=True,
        )
        t0 = time.monotonic()
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed", "demo")
        total = args.warmup + args.checkouts
        with psycopg.connect(db_url(args.admin_url, dbname), autocommit=True) as conn:
            row = conn.execute(
                "UPDATE listings SET stock = stock + %s WHERE sku = %s RETURNING id", (total + 10, args.sku)
            ).fetchone()
            if row is None:
                raise SystemExit(f"no listing with SKU {args.sku}")
            listing_id = row[0]
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
                    "5",  # as bench/web.py and bench/load.py: a shopper's next request never races the idle close
                    "--log-level",
                    "warning",
                    "app:create_app()",
                ],
                env,
                tmp / "gunicorn.log",
            )
        )
        procs[-1].wait_ready(f"{base}/")

        tag = uuid.uuid4().hex[:6]
        shoppers = [Shopper(i, base, stripe) for i in range(total)]
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(lambda s: s.register(tag), shoppers))
        run_id = int(tag, 16) % 500

        def one(shopper: Shopper) -> Outcome:
            # A distinct, well-formed national ID per shopper (the fraud rules match on it).
            national_id = f"{100 + run_id:03d}-{10 + shopper.number // 9000:02d}-{1000 + shopper.number % 9000:04d}"
            try:
                shopper.checkout(listing_id, args.product, national_id)
                return Outcome(True, shopper.server_seconds, shopper.accept_seconds, shopper.requests_made)
            except (StepFailed, requests.RequestException, AttributeError) as e:
                return Outcome(False, shopper.server_seconds, 0.0, error=f"{type(e).__name__}: {e}")

        with ThreadPoolExecutor(args.concurrency) as pool:
            warm = list(pool.map(one, shoppers[: args.warmup]))
            started = time.monotonic()
            measured = shoppers[args.warmup :]
            outcomes = list(pool.map(one, measured))
            wall = time.monotonic() - started
        if any(not w.ok for w in warm):
            print(f"warm-up errors: {[w.error for w in warm if not w.ok][:3]}")
        if any(not o.ok for o in outcomes):
            print(f"server log tail:\n{procs[-1].log_tail(15)}")
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

    ok = [o for o in outcomes if o.ok]
    errors = [o for o in outcomes if not o.ok]
    totals, accepts = [o.total_s * 1000 for o in ok], [o.accept_s * 1000 for o in ok]
    print()
    print(f"checkouts: {len(ok)} ok, {len(errors)} errors in {wall:.2f}s -> {len(ok) / wall:.2f} checkouts/s")
    print(f"{'latency (ms, server requests only)':<38} {'p50':>8} {'p95':>8} {'max':>8} {'mean':>8}")
    per = sorted({o.requests for o in ok})
    for name, values in (
        (f"whole checkout ({'/'.join(map(str, per))} requests)", totals),
        ("accept step (charge + booking)", accepts),
    ):
        if values:
            print(
                f"{name:<38} {percentile(values, 0.50):>8.0f} {percentile(values, 0.95):>8.0f} "
                f"{max(values):>8.0f} {statistics.fmean(values):>8.0f}"
            )
    by_step: dict[str, list[float]] = {}
    for shopper in measured:
        if shopper.steps and "/account/credit/loans/" in shopper.steps[-1][0]:
            for label, dt in shopper.steps:
                by_step.setdefault(label, []).append(dt * 1000)
    if by_step:
        print(f"{'per request of a checkout (ms)':<38} {'p50':>8} {'p95':>8} {'max':>8} {'mean':>8}")
        for label, values in by_step.items():
            print(
                f"  {label:<36} {percentile(values, 0.50):>8.0f} {percentile(values, 0.95):>8.0f} "
                f"{max(values):>8.0f} {statistics.fmean(values):>8.0f}"
            )
    for e in errors[:3]:
        print(f"  error: {e.error}")
    return 1 if errors or not ok else 0


if __name__ == "__main__":
    sys.exit(main())
