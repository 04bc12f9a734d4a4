"""Requests per second of Installmall under gunicorn, next to a one-route Flask app.

    python bench/web.py [--seconds 10] [--concurrency 16] [--workers 2] [--threads 4]
                        [--clients 1] [--database-url URL] [--max-requests 500000]

What it does, all of it on 127.0.0.1 and all of it torn down at the end:

1. makes a temporary directory for INSTANCE_PATH, MEDIA_DIR and a SQLite
   database (or uses ``--database-url``, which must be a throwaway PostgreSQL
   database: it is migrated and seeded), then runs ``flask db upgrade`` and
   ``flask seed demo`` against it;
2. serves ``app:create_app()`` with gunicorn on a free port and measures
   ``GET /`` and ``GET /listings/1``; stops it;
3. serves ``bench/hello_app.py`` (one route returning a short HTML string) with
   the same gunicorn settings and measures ``GET /``; stops it;
4. prints requests, errors (anything but a 200, or a broken connection),
   req/s, p50 and p99 latency per target, and the Installmall/hello ratios.

The load generator is plain Python: ``--concurrency`` threads, each with its own
keep-alive ``http.client`` connection, spread over ``--clients`` processes.
Every target gets ``--warmup`` seconds of the same load (not counted) and then
``--seconds`` of measurement, capped at ``--max-requests`` requests.  Requests
carry no cookies, so each one is a first-time anonymous visitor.

The client shares the machine's cores with the server, so absolute numbers
understate what the server would do alone; the ratio between the two apps,
measured the same way, is the number to read.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import HOST, ROOT, Process, free_port, percentile, run_flask  # noqa: E402

BENCH = ROOT / "bench"


# --- load generator -----------------------------------------------------------------


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    last_done: float = 0.0  # monotonic time of the last measured completion
    cpu_seconds: float = 0.0  # CPU used by the load-generator process during the run
    wall_seconds: float = 0.0


def _worker_thread(
    port: int, path: str, t_measure: float, t_end: float, cap: int, out: LoadResult, lock: threading.Lock
) -> None:
    """One keep-alive connection, requests back to back until t_end or cap."""
    latencies: list[float] = []
    errors = 0
    samples: list[str] = []
    last_done = 0.0
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    clock = time.monotonic
    while True:
        start = clock()
        if start >= t_end or len(latencies) + errors >= cap:
            break
        ok = False
        try:
            conn.request("GET", path, headers={"Accept": "text/html"})
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
            if not ok and len(samples) < 3:
                samples.append(f"HTTP {resp.status}")
            if resp.will_close:
                conn.close()  # http.client reopens on the next request
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            if len(samples) < 3:
                samples.append(f"{type(exc).__name__}: {exc}")
        done = clock()
        if start < t_measure:  # warm-up: exercised, not counted
            continue
        last_done = done
        if ok:
            latencies.append(done - start)
        else:
            errors += 1
    conn.close()
    with lock:
        out.latencies.extend(latencies)
        out.errors += errors
        out.error_samples.extend(samples[: max(0, 3 - len(out.error_samples))])
        out.last_done = max(out.last_done, last_done)


def run_load(port: int, path: str, threads: int, t_measure: float, t_end: float, cap: int) -> LoadResult:
    """Run in one process (the caller's or a pool worker's); times are time.monotonic()."""
    out = LoadResult()
    lock = threading.Lock()
    cpu0, wall0 = time.process_time(), time.monotonic()
    per_thread = max(1, cap // threads)
    pool = [
        threading.Thread(target=_worker_thread, daemon=True, args=(port, path, t_measure, t_end, per_thread, out, lock))
        for _ in range(threads)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=max(0.0, t_end - time.monotonic()) + 15)
    out.cpu_seconds = time.process_time() - cpu0
    out.wall_seconds = time.monotonic() - wall0
    return out


@dataclass
class Row:
    target: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    client_cores: float  # CPU cores the load generator kept busy, on average
    error_samples: list[str]


def measure(label: str, port: int, path: str, args: argparse.Namespace, executor: ProcessPoolExecutor | None) -> Row:
    clients = args.clients
    # Thread counts per client process, summing to --concurrency.
    shares = [args.concurrency // clients + (1 if i < args.concurrency % clients else 0) for i in range(clients)]
    shares = [s for s in shares if s > 0]
    # CLOCK_MONOTONIC is system-wide on Linux, so child processes share these deadlines.
    t_measure = time.monotonic() + 0.3 + args.warmup  # 0.3 s for the pool to get going
    t_end = t_measure + args.seconds
    caps = [max(1, args.max_requests * s // args.concurrency) for s in shares]
    if executor is None:
        results = [run_load(port, path, shares[0], t_measure, t_end, caps[0])]
    else:
        futures = [
            executor.submit(run_load, port, path, s, t_measure, t_end, c) for s, c in zip(shares, caps, strict=True)
        ]
        results = [f.result() for f in futures]
    latencies = sorted(x for r in results for x in r.latencies)
    errors = sum(r.errors for r in results)
    samples = [s for r in results for s in r.error_samples][:3]
    done = max((r.last_done for r in results), default=t_measure)
    window = max(done - t_measure, 1e-9)
    total = len(latencies) + errors
    client_cores = sum(r.cpu_seconds / r.wall_seconds for r in results if r.wall_seconds > 0)
    return Row(
        label,
        total,
        errors,
        len(latencies) / window if total else 0.0,
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.99) * 1000,
        client_cores,
        samples,
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

    def wait_ready(self, path: str, timeout: float = 60) -> None:  # type: ignore[override]
        super().wait_ready(f"http://{HOST}:{self.port}{path}", timeout)


# --- main ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=float, default=10, help="measurement per target (default 10)")
    p.add_argument("--warmup", type=float, default=1.5, help="uncounted warm-up per target (default 1.5)")
    p.add_argument("--concurrency", type=int, default=16, help="concurrent connections (default 16)")
    p.add_argument("--clients", type=int, default=1, help="load-generator processes sharing --concurrency (default 1)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker; >1 uses the gthread worker (default 4)"
    )
    p.add_argument(
        "--max-requests", type=int, default=500_000, help="cap on measured requests per target (default 500000)"
    )
    p.add_argument("--listing-id", type=int, default=1, help="listing for the detail page (default 1)")
    p.add_argument(
        "--database-url", help="throwaway PostgreSQL URL (migrated and seeded); default: SQLite in the temp dir"
    )
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (logs, database)")
    args = p.parse_args(argv)
    if not 0 < args.seconds <= 600:
        p.error("--seconds must be in (0, 600]")
    if not 0 <= args.warmup <= 60:
        p.error("--warmup must be in [0, 60]")
    for name in ("concurrency", "clients", "workers", "threads", "max_requests"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    args.clients = min(args.clients, args.concurrency)
    return args


def print_table(rows: list[Row]) -> None:
    header = f"{'target':<30} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'client CPU':>11}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.target:<30} {r.requests:>9} {r.errors:>7} {r.rps:>9.1f} {r.p50_ms:>8.2f} "
            f"{r.p99_ms:>8.2f} {r.client_cores:>5.2f} cores"
        )
    for r in rows:
        if r.errors:
            print(f"  {r.target}: {r.errors} errors, e.g. {'; '.join(r.error_samples)}")
    print(
        "client CPU: cores the load generator itself used (of the machine's "
        f"{os.cpu_count() or 1}); what is left is the server's."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ncpu = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-web-"))
    servers: list[Gunicorn] = []
    executor: ProcessPoolExecutor | None = None
    rows: list[Row] = []
    listing_path = f"/listings/{args.listing_id}"
    try:
        env = dict(os.environ)
        env.update(
            INSTANCE_PATH=str(tmp / "instance"),
            MEDIA_DIR=str(tmp / "media"),
            DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'installmall.sqlite3'}",
            SECRET_KEY="bench-web-not-a-secret",
            STRIPE_API_BASE="http://127.0.0.1:9",  # never contacted by GET / or a listing page
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.pop("FLASK_DEBUG", None)
        db_kind = "PostgreSQL" if args.database_url else "SQLite"
        wclass = "gthread" if args.threads > 1 else "sync"
        print(f"machine: {ncpu} CPU core(s), Python {platform.python_version()}, {platform.system()}")
        print(
            f"server: gunicorn --workers {args.workers} --threads {args.threads} "
            f"--worker-class {wclass}; database {db_kind}"
        )
        print(
            f"client: {args.concurrency} keep-alive connections in {args.clients} process(es), "
            f"{args.warmup:g}s warm-up + {args.seconds:g}s per target, cap {args.max_requests} requests"
        )
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average before the run: {load} (anything else running skews the numbers)")
        print(
            f"note: client and server share the same {ncpu} core(s); absolute req/s are "
            f"lower than the server alone would do, the ratio is comparable."
        )
        print(f"setting up {tmp} (db upgrade, seed demo) ...", flush=True)
        t0 = time.monotonic()
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed", "demo")
        print(f"  done in {time.monotonic() - t0:.1f}s", flush=True)

        if args.clients > 1:
            executor = ProcessPoolExecutor(max_workers=args.clients)
            list(executor.map(abs, range(args.clients)))  # start the processes now

        # Installmall
        srv = Gunicorn("app:create_app()", args, env, tmp / "gunicorn-installmall.log")
        servers.append(srv)
        srv.wait_ready("/")
        srv.wait_ready(listing_path, timeout=10)
        for path in ("/", listing_path):
            print(f"measuring installmall GET {path} ...", flush=True)
            rows.append(measure(f"installmall GET {path}", srv.port, path, args, executor))
        srv.stop()
        servers.remove(srv)

        # One-route baseline, same gunicorn settings, same load.
        srv = Gunicorn("hello_app:app", args, env, tmp / "gunicorn-hello.log", extra=["--pythonpath", str(BENCH)])
        servers.append(srv)
        srv.wait_ready("/")
        print("measuring hello-world GET / ...", flush=True)
        rows.append(measure("hello-world GET /", srv.port, "/", args, executor))
        srv.stop()
        servers.remove(srv)
    finally:
        for srv in servers:
            srv.stop()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print_table(rows)
    hello = rows[-1]
    print()
    print("installmall / hello-world (req/s ratio; p50 latency ratio):")
    for r in rows[:-1]:
        ratio = r.rps / hello.rps if hello.rps else float("nan")
        lat = r.p50_ms / hello.p50_ms if hello.p50_ms else float("nan")
        print(
            f"  {r.target:<30} {ratio:6.3f}  ({1 / ratio if ratio else float('nan'):.1f}x fewer req/s; p50 {lat:.1f}x)"
        )
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
