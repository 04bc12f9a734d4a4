"""The audit log: filter by actor, action, subject and date; CSV export (itself audited)."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask_login import current_user

from shop.admin.base import AUDIT, bp
from shop.admin.forms import AuditFilterForm
from shop.extensions import db
from shop.security import staff_required
from shop.services import audit as audit_log


def _filter(form: AuditFilterForm) -> audit_log.AuditFilter:
    return audit_log.AuditFilter(
        form.actor.data or "", form.action.data or "", form.subject.data or "", form.since.data, form.until.data
    )


@bp.get("/audit")
@staff_required(*AUDIT)
def audit():
    form = AuditFilterForm(request.args)
    valid = form.validate()
    rows = audit_log.search(db.session, _filter(form), limit=500) if valid else []
    return render_template("admin/audit.html", form=form, rows=rows), 200 if valid else 400


@bp.post("/audit/export")
@staff_required(*AUDIT)
def audit_export():
    form = AuditFilterForm(request.form)
    if not form.validate():
        abort(400)
    chosen = _filter(form)
    rows = audit_log.search(db.session, chosen, limit=100_000)
    audit_log.record(
        db.session, current_user, "audit.export", "audit", "csv", detail={"filter": repr(chosen), "rows": len(rows)}
    )
    db.session.commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(audit_log.CSV_HEADER)
    writer.writerows(audit_log.csv_rows(rows))
    headers = {"Content-Disposition": "attachment; filename=audit-log.csv"}
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)
