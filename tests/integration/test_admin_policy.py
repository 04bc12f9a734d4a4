"""Policy drafts: validation errors name the field path, the diff, a simulation
whose counts equal replaying the same applications one by one, activation
(risk) with history of who and when."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter

from sqlalchemy import select

from credit.engine import replay
from credit.policy import DEFAULT_POLICY, Policy
from shop.models import AuditEntry, PolicyVersion
from shop.services import policy_drafts
from tests.support.staff import login_as, post_form, seed_lending_book


def _strict_draft() -> dict:
    """Stricter cut-offs everywhere: fewer approvals."""
    doc = copy.deepcopy(DEFAULT_POLICY)
    doc["version"] = "2026.3-strict"
    for rule in doc["scenes"].values():
        rule["approve_min_score"] += 1000
        rule["refer_min_score"] += 1000
    return doc


def _store(client, doc: dict):
    return post_form(client, "/admin/policy/drafts", {"document": json.dumps(doc)}, token_from="/admin/policy")


def test_the_active_policy_and_its_offer_catalog_are_tables(app):
    html = login_as(app, "risk").get("/admin/policy").get_data(as_text=True)
    assert DEFAULT_POLICY["version"] in html
    assert html.count("<tr><td>electronics</td>") >= 1 and 'data-testid="policy-offers"' in html
    assert html.count("</tr>") > len(DEFAULT_POLICY["offers"])


def test_an_invalid_draft_is_refused_with_the_field_path(app, session):
    risk = login_as(app, "risk")
    bad = copy.deepcopy(DEFAULT_POLICY)
    bad["version"] = "bad-1"
    bad["tiers"][1]["min_score"] = "high"

    response = _store(risk, bad)
    broken_json = post_form(risk, "/admin/policy/drafts", {"document": '{"version": '}, token_from="/admin/policy")

    assert response.status_code == 400 and "tiers[1].min_score: must be an int" in response.get_data(as_text=True)
    assert broken_json.status_code == 400 and "Not valid JSON" in broken_json.get_data(as_text=True)
    assert session.scalars(select(PolicyVersion).filter_by(version="bad-1")).first() is None


def test_a_draft_is_stored_diffed_and_uploaded_as_a_file(app, session):
    risk = login_as(app, "risk")

    response = _store(risk, _strict_draft())
    upload = copy.deepcopy(DEFAULT_POLICY) | {"version": "2026.4-upload"}
    import io

    uploaded = post_form(
        risk,
        "/admin/policy/drafts",
        {"upload": (io.BytesIO(json.dumps(upload).encode()), "policy.json")},
        token_from="/admin/policy",
        content_type="multipart/form-data",
    )

    assert response.status_code == uploaded.status_code == 302
    draft = session.scalars(select(PolicyVersion).filter_by(version="2026.3-strict")).one()
    assert draft.status == "draft" and draft.created_by_id is not None and not draft.active
    page = risk.get("/admin/policy/versions/2026.3-strict").get_data(as_text=True)
    assert "scenes.electronics.approve_min_score" in page and "version" in page
    assert session.scalars(select(AuditEntry).filter_by(action="policy.draft")).all()


def test_a_simulation_counts_what_replaying_each_application_gives(app, session):
    seed_lending_book(app)
    risk = login_as(app, "risk")
    assert _store(risk, _strict_draft()).status_code == 302
    draft = session.scalars(select(PolicyVersion).filter_by(version="2026.3-strict")).one()

    page = risk.get("/admin/policy/versions/2026.3-strict?n=50").get_data(as_text=True)

    strict, active = Policy.from_dict(draft.document), Policy.from_dict(DEFAULT_POLICY)
    rows = policy_drafts.last_decisions(session, 50)
    after = Counter(replay(row.result["inputs"], strict).outcome for row in rows)
    before = Counter(replay(row.result["inputs"], active).outcome for row in rows)
    assert sum(after.values()) == len(rows) == 6 and after != before
    for outcome in ("approved", "referred", "declined"):
        assert re.search(rf'data-testid="after-{outcome}">{after[outcome]}<', page), outcome
        assert re.search(rf'data-testid="before-{outcome}">{before[outcome]}<', page), outcome


def test_activation_is_audited_and_the_history_says_who_and_when(app, session):
    risk = login_as(app, "risk")
    assert _store(risk, _strict_draft()).status_code == 302

    response = post_form(
        risk,
        "/admin/policy/versions/2026.3-strict/activate",
        {"reason": "Q3 risk appetite"},
        token_from="/admin/policy",
    )

    assert response.status_code == 302
    rows = {r.version: r for r in session.scalars(select(PolicyVersion))}
    assert rows["2026.3-strict"].status == "active" and rows[DEFAULT_POLICY["version"]].status == "retired"
    entry = session.scalars(select(AuditEntry).filter_by(action="policy.activate")).one()
    assert entry.reason == "Q3 risk appetite" and entry.detail == {"replaces": DEFAULT_POLICY["version"]}
    history = risk.get("/admin/policy").get_data(as_text=True)
    assert "Rosa Risk" in history and "retired" in history
    assert (
        post_form(login_as(app, "reviewer"), "/admin/policy/versions/2026.1/activate", {"reason": "nope!"}).status_code
        == 403
    )
