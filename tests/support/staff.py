"""Helpers for the staff-portal tests: the demo lending book (referred
applications, loans in several states), the admin routes from the url_map,
and a client logged in as each staff role."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from seed.demo import DEMO_PASSWORD
from seed.demo_credit import LOANS, REFERRED, _applicant
from tests.support.web import AuthActions, csrf_token

STAFF = {
    "reviewer": "reviewer@example.com",
    "collections": "collections@example.com",
    "risk": "risk@example.com",
    "superadmin": "admin@example.com",
}
ROLES = (*STAFF, "shopper", "merchant")
OTHER_LOGINS = {"shopper": "shopper@example.com", "merchant": "merchant@example.com"}
_HASH = generate_password_hash(DEMO_PASSWORD)


def seed_lending_book(app) -> None:
    """The demo's referred applications and loans (what `flask seed demo` adds)."""
    from seed.demo_credit import seed_lending_demo
    from shop.extensions import db

    with app.app_context():
        seed_lending_demo(db.session, password_hash=_HASH)
        db.session.commit()


def demo_secrets() -> dict[str, list[str]]:
    """What must never appear in admin HTML unless revealed: every demo applicant's
    full national ID (with and without dashes), e-mail and legal name."""
    people = [(email, name, n) for n, (email, name, *_) in enumerate(REFERRED, start=1)]
    people += [(email, name, 10 + n) for n, (email, name, *_) in enumerate(LOANS, start=1)]
    ids = [_applicant(name, n, "IL").national_id for _, name, n in people]
    return {
        "national_id": ids + [i.replace("-", "") for i in ids],
        "email": [email for email, _, _ in people],
        "legal_name": [name for _, name, _ in people],
    }


def url_values(session) -> dict[str, str]:
    """A value for every URL parameter of the admin routes, from the seeded book."""
    from shop.models import CreditDecision, Loan, PolicyVersion

    referred = session.scalars(
        select(CreditDecision.application_id).filter_by(outcome="referred").order_by(CreditDecision.id)
    ).first()
    return {
        "application_id": str(referred),
        "number": session.scalars(select(Loan.number).order_by(Loan.id)).first(),
        "version": session.scalars(select(PolicyVersion.version)).first(),
    }


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every admin route, from the app's url_map."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, rule.rule))
    return sorted(set(routes))


def fill(rule: str, values: dict[str, str]) -> str:
    def value(m: re.Match) -> str:
        assert m.group(1) in values, f"{rule}: add a value for <{m.group(1)}> to tests/support/staff.py url_values"
        return values[m.group(1)]

    return re.sub(r"<(?:\w+:)?(\w+)>", value, rule)


def login_as(app, role: str):
    """A test client logged in as `role` (a staff role, "shopper" or "merchant")."""
    client = app.test_client()
    response = AuthActions(client).login(STAFF.get(role) or OTHER_LOGINS[role])
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def post_form(client, path: str, data: dict | None = None, token_from: str = "/admin/", **kwargs):
    payload = {"csrf_token": csrf_token(client, token_from), **(data or {})}
    return client.post(path, data=payload, **kwargs)
