"""The local Stripe server alone: how long one charge takes, and how that grows with its store.

    python bench/stripe_store.py [--sizes 0,500,1000,2000,4000] [--samples 30]

Starts ``python -m shop.gateways.stripe_server`` (the project's launcher: 127.0.0.1,
in-memory store, no pickling) on a free port, stops it at the end. With the
official ``stripe`` SDK, as the app calls it (``StripeClient``, no retries):

1. saves a 4242 card for a few customers the way the browser does (SetupIntent
   + confirm with the publishable key);
2. at each store size in ``--sizes`` (PaymentIntents created so far; the
   charges between checkpoints are filler, made the same way and not timed)
   times ``--samples`` of each call the checkout makes: PaymentIntent create
   with ``confirm=True`` (a charge: the down payment or a pay-in-full order),
   SetupIntent create (every agreement/payment page), SetupIntent retrieve
   (every accept/pay), and one list of 100 PaymentIntents (``flask credit
   reconcile`` pages through them);
3. prints p50/p95 per call per store size.

The server runs single-threaded on asyncio; the client is this process.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import HOST, Process, free_port, percentile  # noqa: E402

SECRET_KEY = "sk_test_bench_store"
PUBLISHABLE_KEY = "pk_test_bench_store"


def save_card(base: str, client: stripe.StripeClient, customer: str) -> str:
    si = client.v1.setup_intents.create(params={"customer": customer, "usage": "off_session"})
    r = requests.post(
        f"{base}/v1/setup_intents/{si.id}/confirm",
        timeout=30,
        json={
            "key": PUBLISHABLE_KEY,
            "use_stripe_sdk": True,
            "client_secret": si.client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            },
        },
    )
    r.raise_for_status()
    pm = client.v1.setup_intents.retrieve(si.id).payment_method
    return pm if isinstance(pm, str) else pm.id


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="0,500,1000,2000,4000", help="store sizes in PaymentIntents (default ...)")
    p.add_argument("--samples", type=int, default=30, help="timed calls of each kind per size (default 30)")
    p.add_argument("--customers", type=int, default=10, help="customers the charges rotate over (default 10)")
    args = p.parse_args(argv)
    args.sizes = sorted({int(x) for x in args.sizes.split(",")})
    if args.sizes[0] < 0 or args.sizes[-1] > 50_000 or not 1 <= args.samples <= 1000:
        p.error("--sizes in [0, 50000], --samples in [1, 1000]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="installmall-bench-stripe-"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    server = Process(
        [sys.executable, "-m", "shop.gateways.stripe_server", "--port", str(port)], env, tmp / "stripe.log"
    )
    rows = []
    try:
        server.wait_ready(f"{base}/js.stripe.com/v3/")
        print(
            f"machine: {os.cpu_count()} CPU core(s), Python {platform.python_version()}; "
            f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(f"local Stripe server (python -m shop.gateways.stripe_server) on {base}; stripe SDK {stripe.VERSION}")
        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": base}, max_network_retries=0)
        customers = []
        for i in range(args.customers):
            c = client.v1.customers.create(params={"email": f"store-{i}@example.com"})
            customers.append((c.id, save_card(base, client, c.id)))
        made = 0

        def charge(i: int) -> float:
            cus, pm = customers[i % len(customers)]
            t0 = time.perf_counter()
            pi = client.v1.payment_intents.create(
                params={
                    "amount": 22475,
                    "currency": "usd",
                    "customer": cus,
                    "payment_method": pm,
                    "confirm": True,
                    "off_session": True,
                    "metadata": {"checkout_key": f"k{i}", "kind": "down_payment"},
                }
            )
            dt = time.perf_counter() - t0
            if pi.status != "succeeded":
                raise RuntimeError(f"charge {pi.id}: {pi.status}")
            return dt

        def timed(fn) -> float:
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0

        for size in args.sizes:
            t_fill = time.monotonic()
            while made < size:
                charge(made)
                made += 1
            fill_s = time.monotonic() - t_fill
            charges = []
            for _ in range(args.samples):
                charges.append(charge(made))
                made += 1
            cus = customers[0][0]
            seti_create, seti_get = [], []
            for _ in range(args.samples):
                t0 = time.perf_counter()
                si = client.v1.setup_intents.create(params={"customer": cus, "usage": "off_session"})
                seti_create.append(time.perf_counter() - t0)
                seti_get.append(timed(lambda si=si: client.v1.setup_intents.retrieve(si.id)))
            listing = timed(lambda: client.v1.payment_intents.list(params={"limit": 100}))
            rows.append((size, charges, seti_create, seti_get, listing, fill_s))
            print(f"  store at {size} PaymentIntents measured (filler took {fill_s:.1f}s)", flush=True)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def q(values: list[float], f: float) -> str:
        return f"{percentile(values, f) * 1000:6.1f}"

    print()
    print(
        f"{'PaymentIntents in store':>23} | {'charge (PI create+confirm)':^26} | {'SetupIntent create':^19} | "
        f"{'SetupIntent retrieve':^20} | {'list 100 PIs':>12}"
    )
    print(
        f"{'':>23} | {'p50 ms':>8} {'p95 ms':>8} {'mean':>8} | {'p50':>9} {'p95':>9} | "
        f"{'p50':>9} {'p95':>10} | {'ms':>12}"
    )
    for size, charges, sc, sg, listing, _ in rows:
        print(
            f"{size:>23} | {q(charges, 0.5):>8} {q(charges, 0.95):>8} {statistics.fmean(charges) * 1000:>8.1f} | "
            f"{q(sc, 0.5):>9} {q(sc, 0.95):>9} | {q(sg, 0.5):>9} {q(sg, 0.95):>10} | {listing * 1000:>12.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
