"""`flask merchant ...`: merchant operations.

    flask merchant settle --period-end YYYY-MM-DD

Closes the period into one settlement batch per merchant and commits once;
running it again for the same period changes nothing."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from shop.extensions import db
from shop.formatting import format_money
from shop.services import settlements
from shop.services.ledger import ledger_problems

merchant_cli = AppGroup("merchant", help="Merchant operations: settlements.")


@merchant_cli.command("settle")
@click.option("--period-end", "period_end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC).")
def settle(period_end) -> None:
    """Close every merchant's sales and refunds up to PERIOD_END into settlement batches."""
    end: date = period_end.date()
    batches = settlements.settle(db.session, end)
    problems = ledger_problems(db.session)
    if problems:
        db.session.rollback()
        click.echo("Error: the journal would not tie out; nothing settled:\n" + "\n".join(problems), err=True)
        raise SystemExit(1)
    db.session.commit()
    for batch in batches:
        click.echo(
            f"merchant {batch.merchant_id}: {batch.period_start}..{batch.period_end} "
            f"{len(batch.lines)} line(s), net {format_money(batch.net_cents, 'USD')}"
        )
    click.echo(f"{len(batches)} settlement batch(es) closed for the period ending {end}.")
