"""The one `admin` blueprint every page module registers on, the roles of
each page group, and the record of staff views of one customer's data."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from shop.extensions import db
from shop.services import monitoring

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Who may use each page group (superadmin may use every page).
REVIEW = ("reviewer", "risk")  # the queue, an application, the search of past applications
DECIDE = ("reviewer",)  # reveal a field, approve or decline
LOANS = ("collections", "reviewer", "risk")  # the loan list and a loan's page
SERVICE = ("collections",)  # waive, defer, offline payment, reverse, note
POLICY = ("risk",)  # policy pages, drafts, simulation, activation
AUDIT = ("risk",)  # the audit log and its export
MONITORING = ("superadmin",)  # staff-activity monitoring


def viewed_customer(customer_id: int, subject: str) -> None:
    """Note that this page shows one customer's data; recorded once the page was served."""
    g.setdefault("customer_views", []).append((customer_id, subject))


@bp.after_request
def record_customer_views(response):
    """Staff views are an access log, written in their own transaction (never the
    request's unit of work), and only for pages actually shown."""
    views = g.pop("customer_views", [])
    if views and response.status_code == 200 and current_user.is_authenticated:
        with Session(db.engine) as s:
            monitoring.record_views(s, current_user.id, request.endpoint or "", views)
            s.commit()
    return response


@bp.context_processor
def page_roles():
    view = current_app.view_functions.get(request.endpoint or "")
    return {"page_roles": getattr(view, "staff_roles", ())}
