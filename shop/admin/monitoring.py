"""Staff-activity monitoring (superadmin): flags drawn from the record of staff
views and reveals, each linking to the views behind it."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, request

from shop.admin.base import MONITORING, bp
from shop.admin.forms import ViewsFilterForm
from shop.extensions import db
from shop.security import staff_required
from shop.services import monitoring as staff_activity


def _limits() -> staff_activity.Limits:
    start, _, end = current_app.config["ADMIN_MONITOR_WORK_HOURS"].partition("-")
    return staff_activity.Limits(
        views_per_hour=current_app.config["ADMIN_MONITOR_VIEWS_PER_HOUR"],
        reveals_per_day=current_app.config["ADMIN_MONITOR_REVEALS_PER_DAY"],
        work_start_hour=int(start),
        work_end_hour=int(end),
    )


@bp.get("/monitoring")
@staff_required(*MONITORING)
def monitoring():
    limits = _limits()
    flags = staff_activity.flags(db.session, limits)
    activity = staff_activity.activity(db.session)
    recent = staff_activity.views(db.session)[:100]
    return render_template("admin/monitoring.html", flags=flags, activity=activity, recent=recent, limits=limits)


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/monitoring/views")
@staff_required(*MONITORING)
def monitoring_views():
    form = ViewsFilterForm(request.args)
    form.validate()
    since, until = _moment(form.since.data), _moment(form.until.data)
    rows = staff_activity.views(db.session, form.staff.data, since, until)
    return render_template("admin/monitoring_views.html", form=form, rows=rows)
