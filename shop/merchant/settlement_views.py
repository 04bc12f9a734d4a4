"""Merchant settlements: closed periods, a statement per batch and its CSV."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template

from shop.extensions import db
from shop.merchant.views import bp, current_merchant, merchant_required, owned_or_404
from shop.models import SettlementBatch, utcnow
from shop.services import settlements
from shop.services.merchants import scoped


@bp.get("/settlements")
@merchant_required
def settlements_page():
    merchant = current_merchant()
    batches = db.session.scalars(scoped(SettlementBatch, merchant.id).order_by(SettlementBatch.period_end.desc())).all()
    return render_template(
        "merchant/settlements.html",
        batches=batches,
        open_lines=settlements.open_lines(db.session, merchant.id, _today()),
    )


def _today():
    return utcnow().date()


@bp.get("/settlements/<int:batch_id>")
@merchant_required
def settlement_page(batch_id: int):
    batch = owned_or_404(SettlementBatch, batch_id)
    numbers = settlements.order_numbers(db.session, batch)
    return render_template("merchant/settlement.html", batch=batch, numbers=numbers)


@bp.get("/settlements/<int:batch_id>.csv")
@merchant_required
def settlement_csv(batch_id: int):
    batch = owned_or_404(SettlementBatch, batch_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(settlements.STATEMENT_HEADER)
    writer.writerows(settlements.statement_rows(db.session, batch))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=settlement-{batch.id}.csv"},
    )
