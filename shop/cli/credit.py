"""`flask credit ...`: staff and operations commands for pay over time.

    flask credit review APPLICATION_ID --approve|--decline --reason TEXT [--reviewer NAME]
    flask credit check-ledger
    flask credit reconcile [--min-age-minutes N] [--dry-run]
    flask credit release-holds
    flask credit policy list | activate VERSION | add FILE.json [--activate]

Each command does one service call and commits once.  Expected failures
print a clear message and exit non-zero (1, or 2 for bad input).
"""

from __future__ import annotations

import json
from datetime import date
from typing import NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, NoResultFound

from credit.policy import PolicyError
from shop.extensions import db
from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.models import Loan, Order, OrderStatus, PolicyVersion, utcnow
from shop.models.base import DbSession
from shop.services import holds, policies
from shop.services.autopay import AutopayResult, autopay_loan_ids, collect_one, due_cents
from shop.services.errors import CreditError
from shop.services.ledger import ledger_problems
from shop.services.reconcile import reconcile_orphans

__all__ = ["credit_cli", "ledger_problems"]

credit_cli = AppGroup("credit", help="Pay over time: reviews, ledger checks, reconciliation, holds, policies.")


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


# --- review -------------------------------------------------------------------


@credit_cli.command("review")
@click.argument("application_id", type=int)
@click.option("--approve/--decline", "approve", default=None, help="The reviewer's decision (one is required).")
@click.option("--reason", required=True, help="Why; stored with the decision (and on a decline's notice).")
@click.option("--reviewer", default="cli", show_default=True, help="Who decided.")
def review(application_id: int, approve: bool | None, reason: str, reviewer: str) -> None:
    """Decide a referred application: approve (the shopper then chooses an offer
    for the held order) or decline (the held order is cancelled and its stock released)."""
    if approve is None:
        _fail("say --approve or --decline.", 2)
    if not reason.strip():
        _fail("--reason must not be empty.", 2)
    try:
        decision = holds.finish_review(db.session, application_id, approve, reason.strip(), reviewer)
        held = db.session.scalars(
            select(Order).filter_by(credit_application_id=application_id).order_by(Order.id)
        ).all()
        db.session.commit()
    except LookupError:
        db.session.rollback()
        _fail(f"there is no credit application {application_id}.")
    except ValueError as e:
        db.session.rollback()
        _fail(str(e) + ".")
    if approve:
        click.echo(
            f"Application {application_id} approved by {reviewer}: credit line "
            f"{format_money(decision.credit_line_cents)}, tier {decision.tier}."
        )
    else:
        click.echo(f"Application {application_id} declined by {reviewer}.")
    for order in held:
        if order.status == OrderStatus.AWAITING_CREDIT_REVIEW:
            click.echo(f"Order {order.number} is waiting for the shopper to choose an offer.")
        elif order.status == OrderStatus.CANCELLED:
            click.echo(f"Order {order.number} cancelled; its stock is released.")


# --- check-ledger -------------------------------------------------------------


@credit_cli.command("check-ledger")
def check_ledger() -> None:
    """Verify the journal against the loans and credit accounts; exit 1 on any mismatch."""
    problems = ledger_problems(db.session)
    db.session.rollback()
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"Ledger check FAILED: {len(problems)} problem(s).")
        raise SystemExit(1)
    click.echo("Ledger check passed: every transaction balances and every loan matches its installments.")


# --- reconcile ----------------------------------------------------------------


@credit_cli.command("reconcile")
@click.option(
    "--min-age-minutes",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    help="Leave payments younger than this alone (a checkout may still be recording them).",
)
@click.option("--dry-run", is_flag=True, help="List what would be refunded; refund nothing.")
def reconcile(min_age_minutes: int, dry_run: bool) -> None:
    """Refund Stripe payments that succeeded but have no order, loan or repayment here."""
    try:
        lines = reconcile_orphans(db.session, min_age_seconds=min_age_minutes * 60, dry_run=dry_run)
    except payments.PaymentError as e:
        db.session.rollback()
        _fail(f"Stripe: {e.message}")
    db.session.rollback()
    for line in lines:
        click.echo(line)
    verb = "to refund" if dry_run else "refunded"
    click.echo(f"{len(lines)} orphan payment(s) {verb}.")


# --- holds --------------------------------------------------------------------


@credit_cli.command("autopay")
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Business date (default: today, UTC)."
)
def autopay(on) -> None:
    """Charge the card on file of every autopay loan with money due (daily job)."""
    results = collect_autopay(db.session, on.date() if on else None)
    for r in results:
        outcome = "paid" if r.ok else f"FAILED ({r.message})"
        click.echo(f"{r.loan_number}: {format_money(r.amount_cents)} {outcome}")
    click.echo(f"{sum(r.ok for r in results)} paid, {sum(not r.ok for r in results)} failed.")


@credit_cli.command("release-holds")
def release_holds() -> None:
    """Cancel orders whose credit-review hold expired and put their stock back."""
    count = holds.release_expired_holds(db.session)
    db.session.commit()
    click.echo(f"Released {count} expired hold(s).")


def collect_autopay(s: DbSession, today: date | None = None) -> list[AutopayResult]:
    """The daily autopay job.  Each loan is its own unit of work (committed, or
    rolled back when its card fails), so one declined card does not stop the others."""
    today = today or utcnow().date()
    results = []
    for loan_id in autopay_loan_ids(s):
        loan = s.get(Loan, loan_id)
        number, due = (loan.number, due_cents(loan, today)) if loan else ("", 0)
        try:
            result = collect_one(s, loan_id, today)
            s.commit()
        except (payments.PaymentError, CreditError) as e:
            s.rollback()
            result = AutopayResult(number, due, False, e.message)
        if result is not None:
            results.append(result)
    return results


# --- policies -----------------------------------------------------------------

policy_cli = AppGroup("policy", help="Credit policy versions (old versions are kept for replay).")
credit_cli.add_command(policy_cli)


@policy_cli.command("list")
def policy_list() -> None:
    """Every stored policy version; the active one is marked with *."""
    policies.ensure_default(db.session)
    db.session.commit()
    for row in db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.created_at, PolicyVersion.id)):
        mark = "*" if row.active else " "
        description = row.document.get("description", "") if isinstance(row.document, dict) else ""
        click.echo(f"{mark} {row.version}  {description}".rstrip())


@policy_cli.command("activate")
@click.argument("version")
def policy_activate(version: str) -> None:
    """Make VERSION the active policy (new decisions use it)."""
    try:
        policies.activate_version(db.session, version)
        db.session.commit()
    except NoResultFound:
        db.session.rollback()
        _fail(f"there is no policy version {version!r} (see `flask credit policy list`).", 2)
    click.echo(f"Policy {version} is now active.")


@policy_cli.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--activate", is_flag=True, help="Also make it the active policy.")
def policy_add(file: str, activate: bool) -> None:
    """Store a new policy version from a JSON document (validated first)."""
    try:
        with open(file, encoding="utf-8") as fh:
            document = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        _fail(f"{file} is not a readable JSON document: {e}", 2)
    if not isinstance(document, dict):
        _fail(f"{file}: a policy must be a JSON object.", 2)
    policies.ensure_default(db.session)  # the launch policy stays stored beside the new one
    try:
        row = policies.add_version(db.session, document, activate=activate)
        db.session.commit()
    except PolicyError as e:
        db.session.rollback()
        _fail(f"invalid policy in {file}: {e}", 2)
    except IntegrityError:
        db.session.rollback()
        _fail(f"policy version {document.get('version')!r} exists already; versions are never overwritten.", 2)
    state = "stored and active" if activate else "stored (not active; `flask credit policy activate` it)"
    click.echo(f"Policy {row.version} {state}.")
