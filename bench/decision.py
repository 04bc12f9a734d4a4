"""Benchmark the pure decision pipeline on synthetic applicants.

    python bench/decision.py [--n 10000] [--seed 2026] [--policy 2026.3|2026.2|2026.1]

Prints p50/p90/p99/max latency of ``credit.engine.decide`` (target: p99 under
2 ms) and the approval / refer / decline rates, overall and per risk tier
(the tier the score maps to, whatever the outcome). Deterministic: the same
seed gives the same applicants and the same rates. ``--policy`` picks a
shipped policy version (default: the current one, 2026.3 on scorecard v2;
2026.2 is the last on the launch card), so the two models compare on the
same applicants.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credit.behaviour import RepaymentRecord  # noqa: E402
from credit.engine import ApplicantInput, decide  # noqa: E402
from credit.fraud import FraudContext  # noqa: E402
from credit.offers import Cart, CartLine  # noqa: E402
from credit.policy import DEFAULT_POLICY, POLICY_2026_1, POLICY_2026_2, Policy  # noqa: E402

TODAY = date(2026, 3, 1)
SCENES = ["electronics", "home-appliances", "furniture", "travel", "education", "health-beauty"]
REGIONS = ["CA", "TX", "NY", "FL", "IL", "WA", "GA", "IA"]  # IA is not served
POLICIES = {d["version"]: d for d in (DEFAULT_POLICY, POLICY_2026_2, POLICY_2026_1)}


def synthetic_applicant(rng: random.Random) -> tuple[ApplicantInput, FraudContext, RepaymentRecord | None, Cart]:
    lines = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        amount = int(min(max(rng.lognormvariate(11.2, 0.9), 2_000), 900_000))  # cents, median ~$730
        promo = tuple(m for m in (3, 6, 12) if rng.random() < 0.2)
        lines.append(CartLine(rng.choice(SCENES), amount, promo))
    cart = Cart(tuple(lines))
    region = rng.choice(REGIONS)
    source = rng.choices(["employed", "self_employed", "retired", "benefits", "other", "none"], [70, 10, 8, 5, 4, 3])[0]
    applicant = ApplicantInput(
        requested_amount_cents=cart.total_cents,
        date_of_birth=TODAY - timedelta(days=int(rng.uniform(16.5, 80) * 365.25)),
        monthly_income_cents=int(rng.lognormvariate(12.9, 0.5)),  # median ~$4,000
        income_source=source,
        employment_months=int(rng.expovariate(1 / 50)),
        housing=rng.choices(["own", "rent", "free"], [55, 35, 10])[0],
        other_installment_plans=rng.choices(["none", "bank", "stores"], [80, 13, 7])[0],
        savings_band=rng.choices(
            ["none", "under_250", "250_to_1250", "1250_to_2500", "2500_plus"], [25, 30, 20, 10, 15]
        )[0],
        residence_years=rng.randint(0, 15),
        billing_region=region,
        shipping_region=region if rng.random() < 0.93 else rng.choice(REGIONS),
        email="shopper@" + rng.choices(["example.com", "mailinator.com"], [99, 1])[0],
        national_id_hash=f"{rng.getrandbits(64):016x}",
        consent_version="consent-2026.1" if rng.random() < 0.99 else None,
        requested_term_months=rng.choice([2, 3, 6, 12, 12, 24, 36]),
        existing_monthly_debt_cents=rng.choice([0, 0, 0, 15_000, 40_000, 90_000]),
        checking_band=rng.choices(["480_plus", "under_480", "overdrawn", "none"], [40, 45, 10, 5])[0],
    )
    fraud = FraudContext(
        account_applications=rng.choices([0, 1, 2, 3], [85, 10, 3, 2])[0],
        device_applications=rng.choices([0, 1, 4], [90, 8, 2])[0],
        ip_applications=rng.choices([0, 2, 12], [95, 4, 1])[0],
        id_hash_applications=rng.choices([0, 1, 3], [95, 4, 1])[0],
        accounts_sharing_id_hash=rng.choices([1, 2], [99, 1])[0],
        recent_declines=rng.choices([0, 1, 3], [90, 8, 2])[0],
    )
    record = None
    if rng.random() < 0.3:
        dpd = rng.choices([0, 10, 45], [90, 7, 3])[0]
        record = RepaymentRecord(
            on_time_payments=rng.randint(0, 24),
            late_payments_12m=rng.choice([0, 0, 0, 1, 2]),
            current_days_past_due=dpd,
            max_days_past_due_12m=max(dpd, rng.choices([0, 5, 35], [85, 10, 5])[0]),
            outstanding_balance_cents=rng.choice([0, 20_000, 80_000, 250_000]),
            monthly_installments_cents=rng.choice([0, 5_000, 15_000]),
        )
    return applicant, fraud, record, cart


def percentile(sorted_values: list[int], q: float) -> int:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="decision pipeline benchmark")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--policy", choices=list(POLICIES), default=DEFAULT_POLICY["version"])
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    policy = Policy.from_dict(POLICIES[args.policy])
    cases = [synthetic_applicant(rng) for _ in range(args.n)]
    for applicant, fraud, record, cart in cases[:50]:  # warm-up: load the scorecard
        decide(applicant, fraud, record, policy, cart, TODAY)

    latencies, outcomes, by_tier = [], Counter(), defaultdict(Counter)
    started = time.perf_counter()
    for applicant, fraud, record, cart in cases:
        t0 = time.perf_counter_ns()
        decision = decide(applicant, fraud, record, policy, cart, TODAY)
        latencies.append((time.perf_counter_ns() - t0) // 1000)
        outcomes[decision.outcome] += 1
        stage = decision.stage("policy")
        tier = (stage.details["tier"] or "none") if stage else "not scored"
        by_tier[tier][decision.outcome] += 1
    wall = time.perf_counter() - started

    latencies.sort()
    model = decision.model_version if cases else "-"
    print(f"decisions: {args.n} (seed {args.seed}, policy {policy.version}, model {model}), wall {wall:.2f} s")
    print(
        f"latency us: p50 {percentile(latencies, 0.5)}  p90 {percentile(latencies, 0.9)}  "
        f"p99 {percentile(latencies, 0.99)}  max {latencies[-1]}  mean {statistics.fmean(latencies):.0f}"
    )
    names = ["approved", "referred", "declined", "incomplete"]
    print("outcomes: " + "  ".join(f"{o} {100 * outcomes[o] / args.n:.1f}%" for o in names))
    print(f"{'tier':<11}{'n':>6}" + "".join(f"{o:>12}" for o in names))
    for tier in sorted(by_tier, key=lambda t: (len(t) > 1, t)):
        counts, n = by_tier[tier], sum(by_tier[tier].values())
        print(f"{tier:<11}{n:>6}" + "".join(f"{100 * counts[o] / n:>11.1f}%" for o in names))
    p99_ok = percentile(latencies, 0.99) < 2000
    print(f"p99 target (< 2000 us): {'met' if p99_ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
