"""Benchmark of the pure credit math.

Run from the repo root: ``python bench/credit_math.py``.  Prints the median
and p99 wall time of

* one 36-month level-payment schedule + its disclosure (which solves the
  Appendix J APR), target < 0.5 ms;
* all offers for one cart: pay-in-4, monthly 3/6/12/24/36 and 0 % promo
  6/12 (8 schedules, each with its disclosure and APR).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from credit.disclosure import Disclosure, build_disclosure  # noqa: E402
from credit.schedule import level_payment_schedule, pay_in_4_schedule, promo_schedule  # noqa: E402

CHECKOUT = date(2024, 1, 31)
PRICE_CENTS = 129_999
RATE = Decimal("0.1899")
TARGET_MS = 0.5


def one_36_month_offer() -> Disclosure:
    schedule = level_payment_schedule(PRICE_CENTS, RATE, 36, CHECKOUT, down_payment_percent=10)
    return build_disclosure(schedule, CHECKOUT, cash_price_cents=PRICE_CENTS)


def all_offers_for_one_cart() -> list[Disclosure]:
    schedules = [pay_in_4_schedule(PRICE_CENTS, CHECKOUT)]
    schedules += [level_payment_schedule(PRICE_CENTS, RATE, months, CHECKOUT) for months in (3, 6, 12, 24, 36)]
    schedules += [promo_schedule(PRICE_CENTS, months, CHECKOUT) for months in (6, 12)]
    return [build_disclosure(schedule, CHECKOUT, cash_price_cents=PRICE_CENTS) for schedule in schedules]


def measure(case: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p99 in milliseconds over ``runs`` calls (after a warm-up)."""
    for _ in range(runs // 10):
        case()
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        case()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> int:
    print(f"python {sys.version.split()[0]}, price {PRICE_CENTS / 100:.2f}, rate {RATE}")
    median, p99 = measure(one_36_month_offer, 3000)
    print(
        f"36-month schedule + APR + disclosure: median {median:.3f} ms, p99 {p99:.3f} ms "
        f"(target < {TARGET_MS} ms: {'ok' if median < TARGET_MS else 'MISSED'})"
    )
    median, p99 = measure(all_offers_for_one_cart, 1000)
    print(f"all 8 offers for one cart (schedules + APRs + disclosures): median {median:.3f} ms, p99 {p99:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
