"""Where one pay-over-time accept (POST /checkout/credit/accept) spends its time.

    python bench/profile_accept.py [--accepts 15] [--warmup 2] [--profiled 5] [--show-sql]
                                   [--sku VC-PHN-01] [--product pay_in_4]
                                   [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--profile-out FILE] [--profile-lines 70]

What it does, all on 127.0.0.1 and all of it torn down at the end (database
dropped, Stripe server stopped, temp dir removed):

1. creates a throwaway PostgreSQL database, runs ``flask db upgrade`` and
   ``flask seed demo``, starts the local Stripe server
   (``python -m shop.gateways.stripe_server``);
2. builds ``create_app()`` in this process and drives it with Flask's test
   client (the whole WSGI app, its hooks and cookies: everything but the HTTP
   server's socket): for each shopper register, add the listing to the cart,
   enter the address, apply, open the offers and the agreement page, save the
   card with the page's SetupIntent as Stripe.js does (not timed), then accept;
3. the first ``--warmup`` accepts are not counted (templates compiled, policy
   parsed, connections opened); the next ``--accepts`` are timed, each split
   into: Stripe calls (the SDK's HTTP round trips, by wrapping
   ``stripe._http_client.HTTPClient.request_with_retries``), SQL (the DB-API
   calls, by wrapping the SQLAlchemy dialect's ``do_execute*``, ``do_commit``
   and ``do_rollback``: statements and commits, round trips included),
   rendering the agreement (``jinja2.Template.render`` of
   ``documents/agreement.html``) and the rest (Python: Flask, WTForms, the ORM's
   own work, the credit module, the journal);
   ``--show-sql`` lists the statements of the median accept;
4. ``--profiled`` more accepts run under pyinstrument (wall clock, 0.5 ms
   interval): their self time is summed per package and the call tree is
   printed (``--profile-lines``) and optionally written whole to
   ``--profile-out``.

Numbers are wall-clock on a shared machine: read the split, not the absolute.
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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import HOST, ROOT, Process, free_port, run_flask  # noqa: E402

sys.path.insert(0, str(ROOT))

SECRET_KEY = "sk_test_bench_profile"
PUBLISHABLE_KEY = "pk_test_bench_profile"
CSRF_RE = re.compile(r'name="csrf[-_]token"[^>]*?(?:content|value)="([^"]+)"')
SECRET_RE = re.compile(r'data-client-secret="(seti_[^"]+)"')
KEY_RE = re.compile(r'name="checkout_key" type="hidden" value="([^"]+)"')
ADDRESS = {
    "name": "Profile Shopper",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}
APPLICANT = {
    "legal_name": "Profile Shopper",
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


# --- timers --------------------------------------------------------------------------


@dataclass
class Split:
    stripe_s: float = 0.0
    stripe_calls: list[str] = field(default_factory=list)
    sql_s: float = 0.0
    sql_statements: int = 0
    sql_commits: int = 0
    sql_list: list[tuple[str, float]] = field(default_factory=list)
    render_s: float = 0.0
    renders: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    total_s: float = 0.0

    @property
    def other_s(self) -> float:
        return self.total_s - self.stripe_s - self.sql_s - self.render_s


class Timers:
    """Wraps the Stripe SDK's HTTP client, the SQLAlchemy dialect and Jinja's render."""

    def __init__(self) -> None:
        self.current: Split | None = None

    def install(self) -> None:
        import jinja2
        import stripe._http_client as http_client
        from sqlalchemy.engine.default import DefaultDialect

        timers = self

        def timed(fn, on_done):
            def wrapper(*args, **kwargs):
                split = timers.current
                if split is None:
                    return fn(*args, **kwargs)
                t0 = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    on_done(split, time.perf_counter() - t0, args)

            return wrapper

        def stripe_done(split: Split, dt: float, args) -> None:
            split.stripe_s += dt
            _, method, url = args[:3]
            split.stripe_calls.append(f"{method.upper()} {url.split('/v1/', 1)[-1].split('?')[0]} {dt * 1000:.1f} ms")

        def sql_done(split: Split, dt: float, args) -> None:
            split.sql_s += dt
            split.sql_statements += 1
            split.sql_list.append((" ".join(str(args[2]).split())[:110], dt))

        def commit_done(split: Split, dt: float, args) -> None:
            split.sql_s += dt
            split.sql_commits += 1
            split.sql_list.append(("COMMIT/ROLLBACK", dt))

        def render_done(split: Split, dt: float, args) -> None:
            name = args[0].name or "?"
            if name == "documents/agreement.html":
                split.render_s += dt
            split.renders[name] += dt

        http_client.HTTPClient.request_with_retries = timed(http_client.HTTPClient.request_with_retries, stripe_done)
        for name in ("do_execute", "do_executemany", "do_execute_no_params"):
            setattr(DefaultDialect, name, timed(getattr(DefaultDialect, name), sql_done))
        for name in ("do_commit", "do_rollback"):
            setattr(DefaultDialect, name, timed(getattr(DefaultDialect, name), commit_done))
        jinja2.Template.render = timed(jinja2.Template.render, render_done)


# --- a shopper on the test client ------------------------------------------------------


class StepFailed(Exception):
    pass


class Shopper:
    def __init__(self, app, number: int, stripe: str, run_id: int):
        self.client = app.test_client()
        self.number = number
        self.stripe = stripe
        self.ip = f"127.0.{1 + number // 250}.{2 + number % 250}"
        self.national_id = f"{100 + run_id:03d}-{10 + number // 9000:02d}-{1000 + number % 9000:04d}"
        self.csrf = ""

    def _request(self, method: str, path: str, expect: int, data: dict | None = None):
        r = self.client.open(path, method=method, data=data, environ_base={"REMOTE_ADDR": self.ip})
        text = r.get_data(as_text=True)
        m = CSRF_RE.search(text)
        if m:
            self.csrf = m.group(1)
        if r.status_code != expect:
            raise StepFailed(f"{method} {path}: HTTP {r.status_code} (expected {expect})")
        return r, text

    def get(self, path: str, expect: int = 200):
        return self._request("GET", path, expect)

    def post(self, path: str, data: dict, expect: int = 302):
        return self._request("POST", path, expect, {**data, "csrf_token": self.csrf})

    def until_accept(self, listing_id: int, product: str) -> dict:
        """Everything before the accept; returns the accept form."""
        self.get("/account/register")
        self.post(
            "/account/register",
            {
                "email": f"profile-{self.number}-{uuid.uuid4().hex[:6]}@example.com",
                "name": "Profile Shopper",
                "password": "correct-horse-battery",
                "confirm": "correct-horse-battery",
            },
        )
        self.get(f"/listings/{listing_id}")
        self.post(f"/cart/add/{listing_id}", {"quantity": 1})
        self.get("/checkout")
        self.post("/checkout", ADDRESS)
        self.get("/checkout/credit")
        self.post("/checkout/credit/apply", {**APPLICANT, "national_id": self.national_id})
        _, offers = self.get("/checkout/credit")
        if f'data-testid="offer-{product}"' not in offers:
            raise StepFailed(f"no {product} offer (not approved?)")
        _, page = self.get(f"/checkout/credit/offers/{product}")
        secret, key = SECRET_RE.search(page).group(1), KEY_RE.search(page).group(1)
        self.save_card(secret)
        return {
            "checkout_key": key,
            "product": product,
            "setup_intent_id": secret.split("_secret_")[0],
            "accept": "y",
            "signature": APPLICANT["legal_name"],
        }

    def accept(self, form: dict) -> None:
        r, _ = self.post("/checkout/credit/accept", form)
        if "/account/credit/loans/" not in r.headers.get("Location", ""):
            raise StepFailed(f"accept redirected to {r.headers.get('Location')}")

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


# --- main -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--accepts", type=int, default=15, help="timed accepts (default 15)")
    p.add_argument("--warmup", type=int, default=2, help="accepts run first, not counted (default 2)")
    p.add_argument("--sku", default="VC-PHN-01", help="listing bought (default VC-PHN-01, the $899 phone)")
    p.add_argument("--product", default="pay_in_4", help="offer accepted (default pay_in_4)")
    p.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL URL allowed to CREATE/DROP DATABASE",
    )
    p.add_argument("--profiled", type=int, default=5, help="accepts run under pyinstrument (default 5; 0: none)")
    p.add_argument("--profile-out", help="write the whole pyinstrument text tree here")
    p.add_argument("--profile-lines", type=int, default=70, help="lines of the tree to print (default 70)")
    p.add_argument("--show-sql", action="store_true", help="list the SQL statements of the median accept")
    p.add_argument("--keep-tmp", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.accepts <= 200 or not 0 <= args.warmup <= 20 or not 0 <= args.profiled <= 100:
        p.error("--accepts must be in [1, 200], --warmup in [0, 20], --profiled in [0, 100]")
    return args


def self_time_by_package(root) -> dict[str, float]:
    """Sum pyinstrument self time per top-level package (site-packages name, shop, credit, templates, stdlib)."""
    totals: dict[str, float] = defaultdict(float)
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(c for c in frame.children if not c.is_synthetic)
        totals[_package(frame.file_path or "")] += frame.total_self_time
    return dict(totals)


def _package(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    root = str(ROOT) + "/"
    if path.startswith(root):
        first = path[len(root) :].split("/", 1)[0]
        return f"{first} (Jinja)" if first == "templates" else first
    if path.startswith("<"):
        return "generated code (SQLAlchemy, ...)"
    return "stdlib / other" if path else "?"


def ms(x: float) -> str:
    return f"{x * 1000:7.1f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        raise SystemExit("needs pyinstrument: .venv/bin/pip install pyinstrument==5.1.3") from None
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-profile-"))
    dbname = f"im_bench_profile_{uuid.uuid4().hex[:8]}"
    base, _, _ = args.admin_url.rpartition("/")
    url = f"{base}/{dbname}"
    procs: list[Process] = []
    admin = None
    splits: list[Split] = []
    try:
        admin = psycopg.connect(args.admin_url, autocommit=True, connect_timeout=5)
        admin.execute(f'CREATE DATABASE "{dbname}"')
        stripe_port = free_port()
        stripe = f"http://{HOST}:{stripe_port}"
        settings = {
            "INSTANCE_PATH": str(tmp / "instance"),
            "MEDIA_DIR": str(tmp / "media"),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-profile-not-a-secret",
            "STRIPE_API_BASE": stripe,
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env = {**os.environ, **settings}
        env.pop("FLASK_DEBUG", None)
        print(
            f"machine: {os.cpu_count()} CPU core(s), Python {platform.python_version()}; "
            f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed", "demo")
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "UPDATE listings SET stock = stock + 1000 WHERE sku = %s RETURNING id", (args.sku,)
            ).fetchone()
            if row is None:
                raise SystemExit(f"no listing with SKU {args.sku}")
            listing_id = row[0]
        procs.append(
            Process(
                [sys.executable, "-m", "shop.gateways.stripe_server", "--port", str(stripe_port)],
                env,
                tmp / "stripe.log",
            )
        )
        procs[-1].wait_ready(f"{stripe}/js.stripe.com/v3/")

        os.environ.update(settings)
        os.environ.pop("FLASK_DEBUG", None)
        from app import create_app

        app = create_app()
        timers = Timers()
        timers.install()
        run_id = int(uuid.uuid4().hex[:6], 16) % 500
        n = 0
        print(
            f"accepts: {args.warmup} warm-up + {args.accepts} timed + {args.profiled} profiled, "
            f"{args.sku} with {args.product}"
        )
        for i in range(args.warmup + args.accepts):
            shopper = Shopper(app, n, stripe, run_id)
            n += 1
            form = shopper.until_accept(listing_id, args.product)
            split = Split()
            timers.current = split
            t0 = time.perf_counter()
            shopper.accept(form)
            split.total_s = time.perf_counter() - t0
            timers.current = None
            if i >= args.warmup:
                splits.append(split)

        from pyinstrument import Profiler

        tree, by_package, profiled_s, profiled_cpu = "", {}, 0.0, 0.0
        if args.profiled:
            profiler = Profiler(interval=0.0005)
            for _ in range(args.profiled):
                shopper = Shopper(app, n, stripe, run_id)
                n += 1
                form = shopper.until_accept(listing_id, args.product)
                profiler.start()  # a restarted profiler adds to the same session
                shopper.accept(form)
                profiler.stop()
            tree = profiler.output_text(unicode=False, color=False, show_all=False)
            by_package = self_time_by_package(profiler.last_session.root_frame(trim_stem=False))
            profiled_s = profiler.last_session.duration
            profiled_cpu = profiler.last_session.cpu_time
            if args.profile_out:
                Path(args.profile_out).write_text(tree)
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

    print()
    print(
        f"{'accept':<8} {'total ms':>8} {'Stripe':>8} {'SQL':>8} {'render':>8} {'other':>8}  "
        "Stripe calls / SQL statements + commits"
    )
    for i, s in enumerate(splits, 1):
        print(
            f"{i:<8} {ms(s.total_s):>8} {ms(s.stripe_s):>8} {ms(s.sql_s):>8} {ms(s.render_s):>8} {ms(s.other_s):>8}  "
            f"{len(s.stripe_calls)} / {s.sql_statements} + {s.sql_commits}"
        )
    med = {k: statistics.median(getattr(s, k) for s in splits) for k in ("total_s", "stripe_s", "sql_s", "render_s")}
    med["other_s"] = statistics.median(s.other_s for s in splits)
    mean_total = statistics.fmean(s.total_s for s in splits)
    print(
        f"{'median':<8} {ms(med['total_s']):>8} {ms(med['stripe_s']):>8} {ms(med['sql_s']):>8} "
        f"{ms(med['render_s']):>8} {ms(med['other_s']):>8}"
    )
    print("share of the mean accept:")
    for label, key in (
        ("Stripe calls", "stripe_s"),
        ("SQL", "sql_s"),
        ("rendering the agreement", "render_s"),
        ("other (Python)", "other_s"),
    ):
        mean = statistics.fmean(getattr(s, key) for s in splits)
        print(f"  {label:<26} {mean * 1000:7.1f} ms  {mean / mean_total * 100:5.1f}%")
    print(f"Stripe calls of one accept: {'; '.join(splits[-1].stripe_calls)}")
    renders = ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in splits[-1].renders.items())
    print(f"templates rendered in one accept: {renders or 'none'}")
    if args.show_sql:
        median_split = sorted(splits, key=lambda s: s.total_s)[len(splits) // 2]
        print(f"SQL of the median accept ({median_split.total_s * 1000:.0f} ms total):")
        for text, dt in median_split.sql_list:
            print(f"  {dt * 1000:6.1f} ms  {text}")
    if not args.profiled:
        return 0
    print()
    print(
        f"pyinstrument over {args.profiled} more accepts: {profiled_s * 1000:.0f} ms wall, "
        f"{profiled_cpu * 1000:.0f} ms CPU; self time by package (I/O waits land in the caller: "
        "psycopg for SQL, stdlib socket/http for Stripe):"
    )
    total_self = sum(by_package.values()) or 1.0
    for pkg, t in sorted(by_package.items(), key=lambda kv: -kv[1])[:14]:
        print(f"  {pkg:<28} {t * 1000 / args.profiled:7.1f} ms/accept  {t / total_self * 100:5.1f}%")
    print()
    print(f"pyinstrument tree ({args.profiled} accepts, first {args.profile_lines} lines):")
    print("\n".join(tree.splitlines()[: args.profile_lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
