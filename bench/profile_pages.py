"""Where a store page's time goes: home, a scene, a search, a listing, the cart.

    python bench/profile_pages.py [--requests 200] [--profiled 100] [--top 8] [--database-url URL]

Everything in this process, on a temporary SQLite database (or
``--database-url``, a throwaway PostgreSQL database: migrated and seeded),
torn down at the end. ``create_app()`` is driven with Flask's test client (the
whole WSGI app, its hooks and cookies; no HTTP server), one request at a time:

1. anonymous first-time visitors (no cookie) for home, ``/scenes/electronics``,
   ``/search?q=laptop`` and ``/listings/1``; the cart with a session cookie
   whose cart holds one listing (added through the form);
2. per page, ``--requests`` timed requests after 20 warm-up ones: mean wall
   time, SQL statements and their time (the SQLAlchemy dialect's
   ``do_execute*``), ``policies.as_policy`` calls and their time (the active
   policy serialised and hashed), template rendering (``flask.render_template``)
   and within it the cart badge (``cart.cart_count``), and whether the answer
   sets a cookie;
3. ``--profiled`` more requests per page under pyinstrument: the ``--top``
   functions of shop/ and credit/ by time per request (inclusive), and the
   self time by package.

Single-threaded and in-process: ms/request here is roughly CPU per request;
two gunicorn workers on two cores would do about 2000 / ms requests per
second at best.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import ROOT, run_flask  # noqa: E402

sys.path.insert(0, str(ROOT))

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Counts:
    requests: int = 0
    wall_s: float = 0.0
    sql: int = 0
    sql_s: float = 0.0
    policy: int = 0
    policy_s: float = 0.0
    render_s: float = 0.0
    badge_s: float = 0.0
    set_cookie: int = 0


class Timers:
    def __init__(self) -> None:
        self.current: Counts | None = None

    def install(self) -> None:
        import flask
        import shop.cart
        import shop.credit_checkout
        from sqlalchemy.engine.default import DefaultDialect

        import shop.storefront
        from shop import policies

        timers = self

        def timed(fn, field_s: str, field_n: str | None):
            def wrapper(*args, **kwargs):
                c = timers.current
                if c is None:
                    return fn(*args, **kwargs)
                t0 = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    setattr(c, field_s, getattr(c, field_s) + time.perf_counter() - t0)
                    if field_n:
                        setattr(c, field_n, getattr(c, field_n) + 1)

            return wrapper

        for name in ("do_execute", "do_executemany", "do_execute_no_params"):
            setattr(DefaultDialect, name, timed(getattr(DefaultDialect, name), "sql_s", "sql"))
        policies.as_policy = timed(policies.as_policy, "policy_s", "policy")
        shop.cart.cart_count = timed(shop.cart.cart_count, "badge_s", None)  # looked up at each render
        render = timed(flask.render_template, "render_s", None)
        for module in (shop.storefront, shop.credit_checkout):
            module.render_template = render


def self_time_by_package(root) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(c for c in frame.children if not c.is_synthetic)
        path = frame.file_path or ""
        if "site-packages/" in path:
            pkg = path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
        elif path.startswith(str(ROOT) + "/"):
            pkg = path[len(str(ROOT)) + 1 :].split("/", 1)[0]
        elif path.startswith("<"):
            pkg = "generated code"
        else:
            pkg = "stdlib / other"
        totals[pkg] += frame.total_self_time
    return dict(totals)


def project_functions(root) -> dict[str, float]:
    """Inclusive time per shop/, credit/ or template function (outermost call only)."""
    totals: dict[str, float] = defaultdict(float)
    prefixes = tuple(str(ROOT / d) + "/" for d in ("shop", "credit", "templates"))

    def walk(frame, seen: frozenset[str]) -> None:
        key = None
        path = frame.file_path or ""
        if not frame.is_synthetic and path.startswith(prefixes):
            key = f"{frame.function} ({path[len(str(ROOT)) + 1 :]}:{frame.line_no})"
            if key not in seen:
                totals[key] += frame.time
        for child in frame.children:
            walk(child, seen | {key} if key else seen)

    if root is not None:
        walk(root, frozenset())
    return dict(totals)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    p.add_argument("--profiled", type=int, default=100, help="requests per page under pyinstrument (default 100)")
    p.add_argument("--top", type=int, default=8, help="project functions listed per page (default 8)")
    p.add_argument("--listing-id", type=int, default=1)
    p.add_argument("--database-url", help="throwaway PostgreSQL URL (migrated and seeded); default: SQLite")
    args = p.parse_args(argv)
    if not 1 <= args.requests <= 10_000 or not 0 <= args.profiled <= 10_000:
        p.error("--requests in [1, 10000], --profiled in [0, 10000]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        raise SystemExit("needs pyinstrument: .venv/bin/pip install pyinstrument==5.1.3") from None
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-pages-"))
    try:
        settings = {
            "INSTANCE_PATH": str(tmp / "instance"),
            "MEDIA_DIR": str(tmp / "media"),
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'installmall.sqlite3'}",
            "SECRET_KEY": "bench-pages-not-a-secret",
            "STRIPE_API_BASE": "http://127.0.0.1:9",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env = {**os.environ, **settings}
        env.pop("FLASK_DEBUG", None)
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed", "demo")
        os.environ.update(settings)
        os.environ.pop("FLASK_DEBUG", None)
        from pyinstrument import Profiler

        from app import create_app

        app = create_app()
        timers = Timers()
        timers.install()

        cart_client = app.test_client()
        page = cart_client.get(f"/listings/{args.listing_id}").get_data(as_text=True)
        token = CSRF_RE.search(page).group(1)
        r = cart_client.post(f"/cart/add/{args.listing_id}", data={"quantity": 1, "csrf_token": token})
        if r.status_code != 302:
            raise SystemExit(f"adding to the cart: HTTP {r.status_code}")
        pages = [
            ("home", "/", None),
            ("scene", "/scenes/electronics", None),
            ("search", "/search?q=laptop", None),
            ("listing", f"/listings/{args.listing_id}", None),
            ("cart", "/cart", cart_client),
        ]
        print(
            f"machine: {os.cpu_count()} CPU core(s), Python {platform.python_version()}; "
            f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"database {'PostgreSQL' if args.database_url else 'SQLite'}; one run"
        )
        results: list[tuple[str, str, Counts, dict, dict, int]] = []
        for label, path, client in pages:

            def one(client=client, path=path):
                c = client or app.test_client()  # a fresh client: no cookie, a first-time visitor
                resp = c.get(path, headers={"Accept": "text/html"})
                if resp.status_code != 200:
                    raise SystemExit(f"GET {path}: HTTP {resp.status_code}")
                return resp

            for _ in range(20):
                one()
            counts = Counts()
            timers.current = counts
            for _ in range(args.requests):
                t0 = time.perf_counter()
                resp = one()
                counts.wall_s += time.perf_counter() - t0
                counts.requests += 1
                counts.set_cookie += 1 if resp.headers.getlist("Set-Cookie") else 0
            timers.current = None
            funcs: dict[str, float] = {}
            packages: dict[str, float] = {}
            if args.profiled:
                profiler = Profiler(interval=0.0005)
                profiler.start()
                for _ in range(args.profiled):
                    one()
                profiler.stop()
                root = profiler.last_session.root_frame(trim_stem=False)
                funcs = project_functions(root)
                packages = self_time_by_package(root)
            results.append((label, path, counts, funcs, packages, len(resp.get_data())))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    header = (
        f"{'page':<30} {'ms/req':>7} {'SQL':>4} {'SQL ms':>7} {'as_policy':>9} {'policy ms':>9} "
        f"{'render ms':>9} {'badge ms':>8} {'Set-Cookie':>10} {'KB':>5}"
    )
    print(header)
    print("-" * len(header))
    for label, path, c, _, _, size in results:
        n = c.requests
        print(
            f"{label + ' ' + path:<30} {c.wall_s / n * 1000:>7.2f} {c.sql / n:>4.1f} {c.sql_s / n * 1000:>7.2f} "
            f"{c.policy / n:>9.1f} {c.policy_s / n * 1000:>9.2f} {c.render_s / n * 1000:>9.2f} "
            f"{c.badge_s / n * 1000:>8.2f} "
            f"{c.set_cookie / n * 100:>9.0f}% {size / 1024:>5.1f}"
        )
    print(
        "render ms: inside render_template, the context processor included; badge ms: its cart_count() "
        "(the header's cart badge query), part of render ms."
    )
    if args.profiled:
        for label, path, _, funcs, packages, _ in results:
            print()
            print(f"{label} {path}: pyinstrument over {args.profiled} requests, ms per request")
            top = sorted(funcs.items(), key=lambda kv: -kv[1])[: args.top]
            for name, t in top:
                print(f"  {t / args.profiled * 1000:7.2f}  {name}")
            total = sum(packages.values()) or 1.0
            shares = sorted(packages.items(), key=lambda kv: -kv[1])[:6]
            print("  self time: " + ", ".join(f"{k} {v / total * 100:.0f}%" for k, v in shares))
    return 0


if __name__ == "__main__":
    sys.exit(main())
