"""The review queue: oldest first with an SLA badge, masked applicant data,
reveal with a reason (audited), approve/decline through the same service as
the CLI, and two reviewers deciding at once."""

from __future__ import annotations

import threading

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shop.models import AuditEntry, CreditApplication, CreditDecision, Order, StaffView
from shop.services import holds
from shop.services.errors import AlreadyDecided
from tests.support.staff import login_as, post_form, seed_lending_book


def _referred_ids(session) -> list[int]:
    return list(
        session.scalars(
            select(CreditApplication.id).filter_by(status="referred").order_by(CreditApplication.created_at)
        )
    )


def test_the_queue_lists_referred_applications_oldest_first_with_age_and_sla(app, session):
    seed_lending_book(app)
    reviewer = login_as(app, "reviewer")

    html = reviewer.get("/admin/applications").get_data(as_text=True)

    ids = _referred_ids(session)
    positions = [html.index(f'/admin/applications/{i}"') for i in ids]
    assert len(ids) == 3 and positions == sorted(positions)
    assert html.count('data-testid="sla"') == 3 and "P. Q." in html and "Pat Quinn" not in html


def test_the_application_page_shows_the_trace_and_masked_data(app, session):
    seed_lending_book(app)
    application_id = _referred_ids(session)[0]
    reviewer = login_as(app, "reviewer")

    html = reviewer.get(f"/admin/applications/{application_id}").get_data(as_text=True)

    for stage in ("gates", "fraud", "score", "policy", "limit"):
        assert f'data-testid="stage-{stage}"' in html
    assert "region_mismatch" in html and 'data-testid="score-points"' in html and "credit_line_cents" in html
    assert "pa•••@example.com" in html and "•••-••-" in html and "P. Q." in html
    assert "pat.referred@example.com" not in html and "Pat Quinn" not in html
    assert 'data-testid="held-cart"' in html and "Nimbus 14 laptop" in html
    views = session.scalars(select(StaffView)).all()
    assert [(v.page, v.subject) for v in views] == [("admin.application", f"application:{application_id}")]


def test_a_reveal_needs_a_reason_and_is_audited_without_the_value(app, session):
    seed_lending_book(app)
    application_id = _referred_ids(session)[0]
    reviewer = login_as(app, "reviewer")
    path = f"/admin/applications/{application_id}/reveal"

    refused = post_form(reviewer, path, {"field": "national_id", "reason": ""})
    shown = post_form(reviewer, path, {"field": "national_id", "reason": "Customer called, verifying identity"})

    assert refused.status_code == 400 and "Type the reason." in refused.get_data(as_text=True)
    full_id = session.get(CreditApplication, application_id).national_id
    assert shown.status_code == 200 and f'data-testid="revealed-national_id">{full_id}<' in shown.get_data(as_text=True)
    entry = session.scalars(select(AuditEntry).filter_by(action="pii.reveal")).one()
    assert entry.reason == "Customer called, verifying identity" and entry.detail == {"field": "national_id"}
    assert entry.subject_id == str(application_id) and entry.customer_id is not None
    assert full_id not in reviewer.get(f"/admin/applications/{application_id}").get_data(as_text=True)


def test_approving_confirms_tier_and_line_and_leaves_the_order_for_the_shopper(app, session):
    seed_lending_book(app)
    application_id = _referred_ids(session)[0]
    reviewer = login_as(app, "reviewer")

    response = post_form(
        reviewer,
        f"/admin/applications/{application_id}/decide",
        {"decision": "approve", "tier": "B", "line": "2500.00", "note": "Called the shopper: moved to CA"},
    )

    assert response.status_code == 302
    decision = session.scalars(select(CreditDecision).filter_by(application_id=application_id)).one()
    assert (decision.outcome, decision.tier, decision.credit_line_cents) == ("approved", "B", 250_000)
    assert decision.reviewed_by == "reviewer@example.com"
    order = session.scalars(select(Order).filter_by(credit_application_id=application_id)).one()
    assert order.status == "awaiting_credit_review"  # the shopper now chooses an offer for it
    entry = session.scalars(select(AuditEntry).filter_by(action="application.approve")).one()
    assert entry.detail["tier"] == "B" and entry.detail["line_cents"] == 250_000


def test_declining_with_chosen_reasons_cancels_the_order_and_words_the_notice(app, session):
    seed_lending_book(app)
    application_id = _referred_ids(session)[1]
    reviewer = login_as(app, "reviewer")

    response = post_form(
        reviewer,
        f"/admin/applications/{application_id}/decide",
        {"decision": "decline", "reasons": ["region_mismatch", "max_exposure"], "note": "Address not verified"},
    )

    assert response.status_code == 302
    decision = session.scalars(select(CreditDecision).filter_by(application_id=application_id)).one()
    assert decision.outcome == "declined"
    assert "Shipping address does not match billing address" in decision.adverse_action_notice
    assert "Too much credit already outstanding with us" in decision.adverse_action_notice
    assert session.scalars(select(Order).filter_by(credit_application_id=application_id)).one().status == "cancelled"
    too_many = post_form(
        reviewer,
        f"/admin/applications/{_referred_ids(session)[0]}/decide",
        {
            "decision": "decline",
            "reasons": ["region_mismatch", "max_exposure", "housing", "purpose", "credit_amount"],
            "note": "Too many reasons",
        },
    )
    assert too_many.status_code == 400


def test_a_second_decision_is_told_the_application_was_already_decided(app, session):
    seed_lending_book(app)
    application_id = _referred_ids(session)[0]
    first, second = login_as(app, "reviewer"), login_as(app, "superadmin")
    path = f"/admin/applications/{application_id}/decide"

    assert post_form(first, path, {"decision": "approve", "note": "Looks fine after a call"}).status_code == 302
    late = post_form(second, path, {"decision": "decline", "reasons": ["housing"], "note": "Too risky for me"})

    assert late.status_code == 409 and "already decided by reviewer@example.com" in late.get_data(as_text=True)
    assert session.scalars(select(CreditDecision).filter_by(application_id=application_id)).one().outcome == "approved"


def _waiting_on_a_lock(session) -> bool:
    session.rollback()
    return bool(
        session.scalar(
            text(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
            )
        )
    )


def test_two_reviewers_deciding_at_once_one_wins_the_other_is_told(app, session, backend):
    """Reviewer A has claimed the decision (uncommitted); B decides meanwhile and waits on
    the row lock (PostgreSQL) or the write lock (SQLite); A commits; B finds it decided."""
    from shop.extensions import db

    seed_lending_book(app)
    application_id = _referred_ids(session)[0]
    with app.app_context():
        engine = db.engine
    outcome: dict[str, object] = {}

    def reviewer_b():
        with app.app_context(), Session(engine) as s:
            try:
                holds.finish_review(s, application_id, False, "Declined by B", "b@example.com")
                s.commit()
                outcome["b"] = "won"
            except AlreadyDecided as e:
                s.rollback()
                outcome["b"] = e.message

    with app.app_context(), Session(engine) as a:
        holds.finish_review(a, application_id, True, "Approved by A", "a@example.com")
        b = threading.Thread(target=reviewer_b)
        b.start()
        for _ in range(200 if backend == "postgresql" else 10):  # till B waits on the lock (or is done)
            b.join(0.05)
            if not b.is_alive() or (backend == "postgresql" and _waiting_on_a_lock(session)):
                break
        a.commit()
    b.join(30)

    assert "already decided by a@example.com" in str(outcome["b"])
    session.expire_all()
    decision = session.scalars(select(CreditDecision).filter_by(application_id=application_id)).one()
    assert (decision.outcome, decision.reviewed_by) == ("approved", "a@example.com")
    assert len(session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("application."))).all()) == 1


def test_past_applications_are_searched_by_outcome_and_date(app, session):
    seed_lending_book(app)
    risk = login_as(app, "risk")

    referred = risk.get("/admin/applications/search?outcome=referred").get_data(as_text=True)
    approved = risk.get("/admin/applications/search?outcome=approved").get_data(as_text=True)
    none = risk.get("/admin/applications/search?since=2001-01-01&until=2001-01-31").get_data(as_text=True)

    assert referred.count("<td>referred</td>") == 3 and "<td>approved</td>" not in referred
    assert approved.count("<td>approved</td>") == 3
    assert "No applications match." in none
    assert risk.get("/admin/applications/search?since=not-a-date").status_code == 200


def test_the_sla_counts_working_hours_only():
    from datetime import UTC, datetime

    from shop.services.review import sla_badge, working_hours_between

    friday_4pm = datetime(2026, 1, 9, 16, tzinfo=UTC)
    monday_11am = datetime(2026, 1, 12, 11, tzinfo=UTC)
    assert working_hours_between(friday_4pm, monday_11am) == 3.0  # 16-17 Friday, 9-11 Monday
    assert [sla_badge(h, 4) for h in (1, 3, 4)] == ["ok", "due soon", "overdue"]
