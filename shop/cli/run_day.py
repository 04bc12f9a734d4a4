"""`flask credit run-day [--date D]`: the daily close of business.

Processes business dates in order (catching up skipped ones; a date already
run changes nothing; a future date is refused).  Each step is one service
call and one commit; autopay commits per loan (the card was charged)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date, datetime

import click
from tqdm import tqdm

from credit.delinquency import ServicingPolicy
from shop.cli.credit import _fail, credit_cli
from shop.extensions import db
from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.models import utcnow
from shop.models.base import DbSession
from shop.services import autopay, collections, credit_signals, daily_run, delinquency, relief, servicing_policies
from shop.services.daily_run import StepResult
from shop.services.errors import CreditError


def _autopay(s: DbSession, on: date, policy: ServicingPolicy, bar: tqdm) -> StepResult:
    result = StepResult("autopay")
    ids = autopay.due_loan_ids(s, on)
    bar.total += len(ids)
    for loan_id in ids:
        try:
            paid = autopay.charge_due(s, loan_id, on)
            s.commit()
        except (payments.PaymentError, CreditError) as e:
            s.rollback()
            paid = autopay.record_failure(s, loan_id, on, policy, e.message)
            s.commit()
        bar.update(1)
        if paid is not None:
            result.loans += 1
            key = "paid" if paid.ok else "failed"
            result.detail[key] = result.detail.get(key, 0) + 1
            result.cents += paid.amount_cents if paid.ok else 0
    return result


def run_date(s: DbSession, on: date, bar: tqdm) -> list[StepResult]:
    """Every step of one business date, in order, committing after each."""
    policy = servicing_policies.active(s)
    daily_run.begin_day(s, on, policy.version)
    s.commit()
    steps: list[Callable[[], StepResult | list[StepResult]]] = [
        lambda: daily_run.open_servicing_rows(s, on),
        lambda: _autopay(s, on, policy, bar),
        lambda: relief.apply_programs(s, on),
        lambda: daily_run.send_reminders(s, on, policy.reminder_days_before),
        lambda: _delinquency(s, on, policy),
        lambda: delinquency.assess_late_fees(s, on, policy),
        lambda: delinquency.charge_off(s, on, policy),
        lambda: collections.settle_promises(s, on),
        lambda: credit_signals.raise_lines(s, on, policy),
    ]
    results: list[StepResult] = []
    for step in steps:
        started = time.perf_counter()
        outcome = step()
        s.commit()
        outcome = outcome if isinstance(outcome, list) else [outcome]
        outcome[-1].detail["ms"] = round((time.perf_counter() - started) * 1000)
        results += outcome
        bar.update(1)
    daily_run.finish_day(s, on, results)
    s.commit()
    return results


def _delinquency(s: DbSession, on: date, policy: ServicingPolicy) -> list[StepResult]:
    result, late, cured = delinquency.update_delinquency(s, on, policy)
    return [result, credit_signals.freeze_and_thaw(s, on, late, cured)]


def run_dates(s: DbSession, target: date, today: date, progress: bool = False) -> dict[date, list[StepResult]]:
    """Bring the books to `target` (raises daily_run.FutureDate for a future date)."""
    dates = daily_run.dates_to_run(s, target, today)
    done = {}
    with tqdm(total=len(dates) * 9, desc="run-day", unit="step", file=sys.stderr, disable=not progress) as bar:
        for on in dates:
            bar.set_postfix_str(on.isoformat())
            done[on] = run_date(s, on, bar)
    return done


@credit_cli.command("run-day")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Business date (default: today).")
def run_day(on: datetime | None) -> None:
    """Close of business for a date: autopay, relief, reminders, days past due and
    stages, late fees, charge-off, promises to pay, credit-line signals."""
    today = utcnow().date()
    try:
        done = run_dates(db.session, on.date() if on else today, today, progress=True)
    except daily_run.FutureDate as e:
        _fail(str(e), 2)
    if not done:
        click.echo(f"{(on.date() if on else today)} has been run already: nothing to do.")
    for business_on, results in done.items():
        click.echo(f"Business date {business_on}:")
        for r in results:
            extra = ", ".join(f"{k} {v}" for k, v in r.detail.items())
            click.echo(
                f"  {r.step:<12} {r.loans:>8} loans  {format_money(r.cents):>14}" + (f"  ({extra})" if extra else "")
            )
