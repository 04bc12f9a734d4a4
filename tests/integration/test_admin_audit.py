"""The audit log page: staff logins and actions are recorded, filters, the CSV
export (itself audited), and the table refuses UPDATE and DELETE."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from shop.models import AuditEntry, StaffView
from tests.support.staff import login_as, post_form, seed_lending_book


def test_staff_logins_are_audited_and_shopper_logins_are_not(app, session):
    login_as(app, "reviewer")
    login_as(app, "shopper")
    entries = session.scalars(select(AuditEntry).filter_by(action="staff.login")).all()
    assert [e.actor_role for e in entries] == ["reviewer"]


def test_the_log_filters_by_actor_action_subject_and_date(app, session):
    seed_lending_book(app)
    login_as(app, "reviewer")
    risk = login_as(app, "risk")

    by_actor = risk.get("/admin/audit?actor=reviewer@example.com").get_data(as_text=True)
    by_action = risk.get("/admin/audit?action=loan.").get_data(as_text=True)
    by_subject = risk.get("/admin/audit?subject=user").get_data(as_text=True)
    past = risk.get("/admin/audit?until=2001-01-01").get_data(as_text=True)

    assert by_actor.count('data-testid="audit-row"') == 1 and "staff.login" in by_actor
    assert "loan.offline_payment" in by_action and "staff.login" not in by_action  # the demo payoff
    assert by_subject.count('data-testid="audit-row"') == 2
    assert "No entries match." in past
    assert risk.get("/admin/audit?since=yesterday").status_code == 400


def test_the_csv_export_is_audited(app, session):
    seed_lending_book(app)
    risk = login_as(app, "risk")

    response = post_form(risk, "/admin/audit/export", {"action": "loan."}, token_from="/admin/audit")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["loan.offline_payment"]
    export = session.scalars(select(AuditEntry).filter_by(action="audit.export")).one()
    assert export.detail["rows"] == 1 and export.actor_role == "risk"


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET reason = 'edited'", "DELETE FROM audit_entries"])
def test_the_audit_table_refuses_update_and_delete(app, session, statement):
    login_as(app, "reviewer")  # one entry to change
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
        session.flush()
    session.rollback()
    assert session.scalars(select(AuditEntry)).one().reason == ""


def test_monitoring_lists_staff_views_and_flags_over_the_limits(app, session):
    seed_lending_book(app)
    app.config.update(ADMIN_MONITOR_VIEWS_PER_HOUR=1, ADMIN_MONITOR_REVEALS_PER_DAY=0)
    reviewer = login_as(app, "reviewer")
    ids = [r for (r,) in session.execute(text("select id from credit_applications order by id"))]
    for application_id in ids[:3]:
        assert reviewer.get(f"/admin/applications/{application_id}").status_code == 200
    assert (
        post_form(
            reviewer, f"/admin/applications/{ids[0]}/reveal", {"field": "email", "reason": "Verify caller"}
        ).status_code
        == 200
    )

    html = login_as(app, "superadmin").get("/admin/monitoring").get_data(as_text=True)

    views = session.scalars(select(StaffView)).all()
    assert len(views) == 4 and len({v.customer_id for v in views}) == 3
    assert 'data-testid="flag-views_per_hour"' in html and 'data-testid="flag-reveals_per_day"' in html
    assert "Rita Reviewer" in html
    staff_id = views[0].staff_id
    listed = login_as(app, "superadmin").get(f"/admin/monitoring/views?staff={staff_id}").get_data(as_text=True)
    assert listed.count('data-testid="staff-view"') == 4
