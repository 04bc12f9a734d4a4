"""Benchmark the daily close of business on PostgreSQL.

Seeds N active loans (default 100,000; 6 monthly installments each, 5 % of
them past due by 1-150 days) with set-based INSERT ... SELECT generate_series
in chunks (progress bar), then times `run-day` for two consecutive business
dates: the first run (opens every loan's servicing row and catches up fees on
the old delinquent loans) and a steady-state day.  Autopay is off in the seed:
an autopay charge is a Stripe round trip per loan, measured by bench/checkout.py.

    .venv/bin/python bench/servicing.py [--loans 1000000] [--keep]

Uses TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
to create (and drop) its own database."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import text
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TODAY = date.today() - timedelta(days=1)
CHUNK = 50_000

USERS = """INSERT INTO users (id, email, name, password_hash, role, created_at)
SELECT 1000000 + g, 'bench' || g || '@example.com', 'Bench Shopper', 'x', 'shopper', now()
FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"""
ACCOUNTS = """INSERT INTO credit_accounts (user_id, credit_line_cents, tier, lock_version, updated_at)
SELECT 1000000 + g, 200000, 'B', 0, now() FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"""
ORDERS = """INSERT INTO orders (id, number, user_id, status, payment_kind, idempotency_key, currency, total_cents,
  ship_name, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country, created_at)
SELECT 1000000 + g, 'B' || g, 1000000 + g, 'financed', 'credit', 'bench-' || g, 'USD', 60000,
  'Bench', '1 Main', '', 'Springfield', 'IL', '62701', 'US', now()
FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"""
LOANS = """INSERT INTO loans (id, number, user_id, order_id, decision_id, product, months, rate_bps, disclosed_apr_bps,
  day_count, currency, cash_price_cents, down_payment_cents, financed_cents, finance_charge_cents,
  total_of_payments_cents, merchant_discount_cents, promo_subsidy_cents, start_on, status, autopay, disclosure,
  agreement_version, agreement_html, accepted_name, accepted_at, accepted_ip, accepted_user_agent, created_at)
SELECT 1000000 + g, 'BL' || g, 1000000 + g, 1000000 + g, :decision, 'monthly_6', 6, 1499, 1499, 'actual/365', 'USD',
  60000, 0, 60000, 3000, 63000, 0, 0, CAST(:today AS date) - (g % 150) - CASE WHEN g % 20 = 0 THEN 60 ELSE 0 END,
  'active', false, '{}', 'bench', '', 'Bench', now(), '127.0.0.1', 'bench', now()
FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"""
INSTALLMENTS = """INSERT INTO loan_installments (loan_id, number, kind, due_on, principal_cents, interest_cents,
  fee_cents, paid_principal_cents, paid_interest_cents, paid_fee_cents, paid_at)
SELECT l.id, n, 'installment', l.start_on + 30 * n, 10000, 500, 0,
  CASE WHEN paid THEN 10000 ELSE 0 END, CASE WHEN paid THEN 500 ELSE 0 END, 0, CASE WHEN paid THEN now() END
FROM loans l CROSS JOIN generate_series(1, 6) n
CROSS JOIN LATERAL (SELECT (l.start_on + 30 * n < CAST(:today AS date)) AND (l.id % 20 <> 0) AS paid) p
WHERE l.id BETWEEN 1000000 + CAST(:a AS int)
  AND 1000000 + CAST(:b AS int)"""
JOURNAL = """WITH t AS (INSERT INTO journal_transactions (kind, memo, posted_on, created_at)
  VALUES ('bench_booking', 'bench seed', :today, now()) RETURNING id)
INSERT INTO journal_entries (transaction_id, account, loan_id, user_id, merchant_id, debit_cents, credit_cents)
SELECT t.id, 'loan_receivable', i.loan_id, i.loan_id, CAST(NULL AS int),
  SUM(i.principal_cents - i.paid_principal_cents), 0
FROM t, loan_installments i WHERE i.loan_id BETWEEN 1000000 + CAST(:a AS int)
  AND 1000000 + CAST(:b AS int)
GROUP BY t.id, i.loan_id HAVING SUM(i.principal_cents - i.paid_principal_cents) > 0
UNION ALL
SELECT t.id, 'merchant_payable', NULL, NULL, NULL, 0, SUM(i.principal_cents - i.paid_principal_cents)
FROM t, loan_installments i WHERE i.loan_id BETWEEN 1000000 + CAST(:a AS int)
  AND 1000000 + CAST(:b AS int) GROUP BY t.id"""


def _template_decision(s) -> int:
    from tests.support.builders import approved_shopper

    approved_shopper(s, today=TODAY)
    return int(s.scalar(text("SELECT max(id) FROM credit_decisions")))


def seed(app, n: int) -> None:
    from shop.extensions import db

    with app.app_context():
        s = db.session
        decision = _template_decision(s)
        s.commit()
        s.execute(text("ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_balanced"))  # seed is balanced
        for a in tqdm(range(1, n + 1, CHUNK), desc="seeding", unit="chunk", file=sys.stderr):
            params = {"a": a, "b": min(a + CHUNK - 1, n), "today": TODAY, "decision": decision}
            for statement in (USERS, ACCOUNTS, ORDERS, LOANS, INSTALLMENTS, JOURNAL):
                s.execute(text(statement), params)
            s.commit()
        s.execute(text("ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_balanced"))
        s.commit()
        s.execute(text("ANALYZE"))
        s.commit()


def time_run(app, on: date) -> float:
    from shop.cli.run_day import run_dates
    from shop.extensions import db

    with app.app_context():
        started = time.perf_counter()
        done = run_dates(db.session, on, today=on, progress=True)
        elapsed = time.perf_counter() - started
        for r in done[on]:
            print(f"    {r.step:<12} {r.loans:>9} loans {r.cents / 100:>14,.2f} USD {r.detail or ''}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    from app import create_app
    from shop.extensions import db
    from tests.support.databases import app_config

    name = f"im_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(ADMIN, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    try:
        app = create_app(app_config(url, "http://127.0.0.1:9", "/tmp/bench-media"))
        with app.app_context():
            db.create_all()
            from seed.demo import seed_demo

            seed_demo(db.session, "/tmp/bench-media", password_hash="x")
            db.session.commit()
        started = time.perf_counter()
        seed(app, args.loans)
        print(f"seeded {args.loans:,} active loans in {time.perf_counter() - started:.1f} s")
        for label, on in (("first run", TODAY - timedelta(days=1)), ("steady-state day", TODAY)):
            elapsed = time_run(app, on)
            print(f"run-day {on} ({label}): {elapsed:.1f} s, {args.loans / elapsed:,.0f} loans/second")
        with app.app_context():
            db.engine.dispose()
    finally:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
