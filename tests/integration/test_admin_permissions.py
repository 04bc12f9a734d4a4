"""The staff portal's permission matrix and its personal-data guarantee, over
every admin route in the url_map (new routes are covered automatically)."""

from __future__ import annotations

import pytest

from tests.support.staff import (
    ROLES,
    admin_routes,
    demo_secrets,
    fill,
    login_as,
    post_form,
    seed_lending_book,
    url_values,
)

# Admin routes this issue does not own (endpoint prefix -> why); their own issue's tests check them.
NOT_OURS_PREFIXES = {"admin.merchant": "the merchant approvals pages belong to the merchant-portal issue"}


def _not_ours(endpoint: str) -> bool:
    return any(endpoint.startswith(prefix) for prefix in NOT_OURS_PREFIXES)


@pytest.fixture
def book(app, session):
    seed_lending_book(app)
    return url_values(session)


def test_every_admin_route_states_its_roles(app):
    routes = admin_routes(app)
    assert len(routes) >= 15
    for endpoint, _, _ in routes:
        if not _not_ours(endpoint):
            roles = getattr(app.view_functions[endpoint], "staff_roles", None)
            assert roles and "superadmin" in roles, f"{endpoint} does not state which staff roles may use it"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, book, role):
    """Allowed roles get the page (GET 200; a POST reaches its form check), others 403."""
    client = login_as(app, role)
    for endpoint, method, rule in admin_routes(app):
        if _not_ours(endpoint):
            continue
        allowed = role in app.view_functions[endpoint].staff_roles
        path = fill(rule, book)
        if method == "GET":
            status = client.get(path).status_code
            assert status == (200 if allowed else 403), f"{role} GET {path}: {status}"
        else:
            status = post_form(client, path).status_code
            assert (status == 403) != allowed, f"{role} POST {path}: {status}"
            assert status in (200, 302, 303, 400, 403, 409), f"{role} POST {path}: {status}"


def test_anonymous_visitors_are_sent_to_log_in(app, client, book):
    for endpoint, method, rule in admin_routes(app):
        if _not_ours(endpoint):
            continue
        path = fill(rule, book)
        response = client.get(path) if method == "GET" else post_form(client, path, token_from="/")
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], (method, path)


def _every_admin_page(app, client, values) -> dict[str, str]:
    pages = {}
    for endpoint, method, rule in admin_routes(app):
        if method == "GET" and not _not_ours(endpoint):
            path = fill(rule, values)
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = response.get_data(as_text=True)
    searches = ["/admin/loans?q=lee.pastdue@example.com", "/admin/applications/search?outcome=referred"]
    searches += [f"/admin/policy/versions/{values['version']}?n=50", "/admin/audit?action=pii.reveal"]
    for path in searches:
        pages[path] = client.get(path).get_data(as_text=True)
    return pages


def test_no_admin_page_shows_a_full_national_id_email_or_legal_name_unless_revealed(app, book):
    admin = login_as(app, "superadmin")
    secrets = demo_secrets()
    reveal = post_form(
        admin,
        f"/admin/applications/{book['application_id']}/reveal",
        {"field": "national_id", "reason": "Caller verification, ticket 4411"},
    )
    revealed = reveal.get_data(as_text=True)
    assert reveal.status_code == 200 and any(i in revealed for i in secrets["national_id"])  # the control

    pages = _every_admin_page(app, admin, book)

    assert len(pages) >= 12
    for path, html in pages.items():
        for kind, values in secrets.items():
            for value in values:
                assert value not in html, f"{path} shows a full {kind}"
