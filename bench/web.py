"""Requests per second of Installmall's store pages under gunicorn, next to a one-route Flask app.

    python bench/web.py [--duration 15] [--warmup 2] [--connections 20] [--wrk-threads 2]
                        [--workers 2] [--threads 4] [--listing-id 1] [--scene electronics]
                        [--search laptop] [--database-url URL] [--keep-tmp]

What it does, all of it on 127.0.0.1 and all of it torn down at the end:

1. makes a temporary directory for INSTANCE_PATH, MEDIA_DIR and a SQLite
   database (or uses ``--database-url``, which must be a throwaway PostgreSQL
   database: it is migrated and seeded), then runs ``flask db upgrade`` and
   ``flask seed demo`` against it;
2. serves ``app:create_app()`` with gunicorn (``--workers`` x gthread
   ``--threads``) on a free port and checks every page once with ``requests``
   (HTTP 200, and the search has results);
3. builds a shopper with a cart: GET the listing, POST ``/cart/add/<id>`` with
   the page's CSRF token, and keeps the signed session cookie that carries the
   cart's token; ``GET /cart`` is then sent with that ``Cookie`` header;
4. drives each page with wrk (``--wrk-threads`` threads, ``--connections``
   keep-alive connections): ``--warmup`` seconds not counted, then
   ``--duration`` seconds measured: home, a scene, a search with results, a
   listing and the cart;
5. serves ``bench/hello_app.py`` (one route returning a short HTML string) with
   the same gunicorn settings and measures ``GET /`` the same way;
6. prints, per page, requests, non-200 answers and socket errors, req/s,
   p50/p99 latency, the CPU the load generator used, and req/s as a ratio of the
   hello-world app's.

wrk is C (a Lua hook counts the status codes: wrk itself counts a 3xx as a
success); it uses a small fraction of a core where the former Python client
used a third, so the server gets nearly all of the machine's cores. Requests
other than the cart's carry no cookies: each is a first-time anonymous visitor.
wrk comes from Debian: ``apt-get install -y wrk`` (the script does it, as root,
when wrk is missing).

Exit status 1 if any measured answer was not a 200.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import HOST, ROOT, Process, free_port, run_flask  # noqa: E402

BENCH = ROOT / "bench"
CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

# Counts status codes per thread (wrk's own summary counts 3xx as success) and
# prints one JSON line the script parses. __HEADERS__ is replaced per page.
LUA = r"""
wrk.headers["Accept"] = "text/html"
__HEADERS__
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.mean, table.concat(parts, ", ")))
end
"""


# --- wrk ----------------------------------------------------------------------------


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: apt-get install -y wrk (as root)")
    print("wrk is missing: apt-get install -y wrk ...", flush=True)
    cmd = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(cmd, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False)
        subprocess.run(cmd, capture_output=True, check=True)
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk could not be installed")
    return path


@dataclass
class Row:
    target: str
    requests: int = 0
    non_200: int = 0
    socket_errors: int = 0
    rps: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    kb_per_response: float = 0.0
    client_cores: float = 0.0  # CPU cores wrk kept busy, on average
    statuses: dict[str, int] = field(default_factory=dict)


def run_wrk(wrk: str, url: str, seconds: float, args: argparse.Namespace, script: Path) -> tuple[dict, float]:
    """One wrk run; returns its JSON summary and the CPU cores wrk used."""
    cmd = [
        wrk,
        "--threads",
        str(args.wrk_threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        url,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(line.removeprefix("WRK_JSON ")), cpu / wall if wall > 0 else 0.0


def measure(wrk: str, label: str, url: str, args: argparse.Namespace, tmp: Path, cookie: str | None = None) -> Row:
    headers = f'wrk.headers["Cookie"] = "{cookie}"' if cookie else ""
    script = tmp / f"wrk-{abs(hash(label))}.lua"
    script.write_text(LUA.replace("__HEADERS__", headers))
    if args.warmup > 0:
        run_wrk(wrk, url, args.warmup, args, script)
    res, cores = run_wrk(wrk, url, args.duration, args, script)
    seconds = res["duration_us"] / 1e6
    n = res["requests"]
    ok = res["statuses"].get("200", 0)
    return Row(
        target=label,
        requests=n,
        non_200=n - ok,
        socket_errors=res["connect"] + res["read"] + res["write"] + res["timeout"],
        rps=ok / seconds if seconds else 0.0,
        p50_ms=res["p50_us"] / 1000,
        p99_ms=res["p99_us"] / 1000,
        kb_per_response=res["bytes"] / n / 1024 if n else 0.0,
        client_cores=cores,
        statuses=res["statuses"],
    )


# --- servers ------------------------------------------------------------------------


class Gunicorn(Process):
    """gunicorn serving `app_spec` on a free loopback port."""

    def __init__(
        self,
        app_spec: str,
        args: argparse.Namespace,
        env: dict[str, str],
        log_path: Path,
        extra: list[str] | None = None,
    ) -> None:
        self.port = free_port()
        worker_class = "gthread" if args.threads > 1 else "sync"
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *(extra or []),
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                worker_class,
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
                app_spec,
            ],
            env,
            log_path,
        )
        self.base = f"http://{HOST}:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:  # type: ignore[override]
        super().wait_ready(f"{self.base}{path}", timeout)


def cart_cookie(base: str, listing_id: int) -> str:
    """A session cookie whose cart holds one of the listing (added through the form, CSRF and all)."""
    s = requests.Session()
    page = s.get(f"{base}/listings/{listing_id}", timeout=30)
    page.raise_for_status()
    m = CSRF_RE.search(page.text)
    if m is None:
        raise RuntimeError("no CSRF token on the listing page")
    r = s.post(
        f"{base}/cart/add/{listing_id}",
        data={"quantity": 1, "csrf_token": m.group(1)},
        timeout=30,
        allow_redirects=False,
    )
    if r.status_code != 302:
        raise RuntimeError(f"adding to the cart: HTTP {r.status_code}")
    cart = s.get(f"{base}/cart", timeout=30)
    if cart.status_code != 200 or 'data-testid="cart-total"' not in cart.text:
        raise RuntimeError("the cart page does not show the item added")
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies if c.name == "session")


def check_pages(base: str, pages: list[tuple[str, str]], cookie: str) -> None:
    """Every page answers 200 once before it is measured; the search finds something."""
    for label, path in pages:
        headers = {"Accept": "text/html", **({"Cookie": cookie} if label == "cart" else {})}
        r = requests.get(base + path, headers=headers, timeout=30, allow_redirects=False)
        if r.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {r.status_code}")
        if label == "search" and 'class="card"' not in r.text:
            raise RuntimeError(f"GET {path}: no results")


# --- main ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--duration", "--seconds", type=float, default=15, help="measured seconds per page (default 15)")
    p.add_argument("--warmup", type=float, default=2, help="uncounted warm-up seconds per page (default 2; 0: none)")
    p.add_argument(
        "--connections", "--concurrency", type=int, default=20, help="wrk keep-alive connections (default 20)"
    )
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker; >1 uses the gthread worker (default 4)"
    )
    p.add_argument("--listing-id", type=int, default=1, help="listing for the detail page and the cart (default 1)")
    p.add_argument("--scene", default="electronics", help="scene page (default electronics)")
    p.add_argument("--search", default="laptop", help="search words, must find something (default laptop)")
    p.add_argument(
        "--database-url", help="throwaway PostgreSQL URL (migrated and seeded); default: SQLite in the temp dir"
    )
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (logs, database)")
    args = p.parse_args(argv)
    if not 1 <= args.duration <= 600:
        p.error("--duration must be in [1, 600] seconds")
    if not 0 <= args.warmup <= 60:
        p.error("--warmup must be in [0, 60]")
    for name in ("connections", "wrk_threads", "workers", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    args.wrk_threads = min(args.wrk_threads, args.connections)
    return args


def print_table(rows: list[Row], hello: Row) -> None:
    header = (
        f"{'page':<44} {'requests':>9} {'non-200':>8} {'sock err':>8} {'req/s':>8} {'x hello':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'KB/resp':>8} {'wrk CPU':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in [*rows, hello]:
        ratio = r.rps / hello.rps if hello.rps else float("nan")
        print(
            f"{r.target:<44} {r.requests:>9} {r.non_200:>8} {r.socket_errors:>8} {r.rps:>8.1f} {ratio:>8.3f} "
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.kb_per_response:>8.1f} {r.client_cores:>8.2f}"
        )
    for r in [*rows, hello]:
        if r.non_200 or r.socket_errors:
            print(f"  {r.target}: status counts {r.statuses}, {r.socket_errors} socket errors/timeouts")
    print(
        "x hello: req/s as a fraction of the one-route Flask app's; wrk CPU: cores the load generator used "
        f"(of the machine's {os.cpu_count() or 1})."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk()
    ncpu = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-web-"))
    servers: list[Gunicorn] = []
    rows: list[Row] = []
    pages = [
        ("home", "/"),
        (f"scene {args.scene}", f"/scenes/{args.scene}"),
        ("search", f"/search?q={requests.utils.quote(args.search)}"),
        ("listing", f"/listings/{args.listing_id}"),
        ("cart", "/cart"),
    ]
    try:
        env = dict(os.environ)
        env.update(
            INSTANCE_PATH=str(tmp / "instance"),
            MEDIA_DIR=str(tmp / "media"),
            DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'installmall.sqlite3'}",
            SECRET_KEY="bench-web-not-a-secret",
            STRIPE_API_BASE="http://127.0.0.1:9",  # never contacted by these pages
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.pop("FLASK_DEBUG", None)
        db_kind = "PostgreSQL" if args.database_url else "SQLite"
        wclass = "gthread" if args.threads > 1 else "sync"
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
        print(f"machine: {ncpu} CPU core(s), Python {platform.python_version()}, {platform.system()}")
        print(
            f"server: gunicorn --workers {args.workers} --threads {args.threads} "
            f"--worker-class {wclass}; database {db_kind}"
        )
        print(
            f"client: {' '.join(version) or 'wrk'}: {args.wrk_threads} threads, {args.connections} connections, "
            f"{args.warmup:g}s warm-up + {args.duration:g}s per page, one run"
        )
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average before the run: {load} (anything else running skews the numbers)")
        print(f"setting up {tmp} (db upgrade, seed demo) ...", flush=True)
        t0 = time.monotonic()
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed", "demo")
        print(f"  done in {time.monotonic() - t0:.1f}s", flush=True)

        srv = Gunicorn("app:create_app()", args, env, tmp / "gunicorn-installmall.log")
        servers.append(srv)
        srv.wait_ready("/")
        cookie = cart_cookie(srv.base, args.listing_id)
        check_pages(srv.base, pages, cookie)
        for label, path in pages:
            print(f"measuring installmall GET {path} ...", flush=True)
            rows.append(
                measure(wrk, f"{label}: GET {path}", srv.base + path, args, tmp, cookie if label == "cart" else None)
            )
        srv.stop()
        servers.remove(srv)

        # One-route baseline, same gunicorn settings, same load.
        srv = Gunicorn("hello_app:app", args, env, tmp / "gunicorn-hello.log", extra=["--pythonpath", str(BENCH)])
        servers.append(srv)
        srv.wait_ready("/")
        print("measuring hello-world GET / ...", flush=True)
        hello = measure(wrk, "hello-world: GET /", srv.base + "/", args, tmp)
        srv.stop()
        servers.remove(srv)
    finally:
        for srv in servers:
            srv.stop()
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print_table(rows, hello)
    return 1 if any(r.non_200 or r.socket_errors for r in [*rows, hello]) else 0


if __name__ == "__main__":
    sys.exit(main())
