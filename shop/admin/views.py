"""Lender staff portal: the overview page; the page groups live in their own
modules (applications, loans, policy, audit, monitoring), all on the one
`admin` blueprint (shop/admin/base.py), imported here so they register."""

from __future__ import annotations

from flask import render_template

from shop import charts, pii
from shop.admin.base import bp
from shop.extensions import db
from shop.security import staff_required
from shop.services import overview as figures

__all__ = ["bp"]


@bp.app_template_filter("initials")
def initials_filter(name: str | None) -> str:
    return pii.initials(name)


@bp.app_template_filter("mask_email")
def mask_email_filter(email: str | None) -> str:
    return pii.mask_email(email)


@bp.get("")
@bp.get("/")
@staff_required()
def dashboard():
    o = figures.overview(db.session)
    chart = charts.bar_chart(
        "Amount financed per day (last 30 days)",
        [on.strftime("%m-%d") for on, _, _ in o.originations],
        [cents for _, _, cents in o.originations],
        money="USD",
    )
    return render_template("admin/dashboard.html", o=o, chart=chart)


from shop.admin import applications, audit, loans, monitoring, policy  # noqa: E402,F401  (routes register on bp)
