"""Staff pages for collections, hardship and relief: roles, masking, validation."""

from __future__ import annotations

import pytest

PAGES = ["/admin/collections", "/admin/hardship", "/admin/relief"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("shopper@example.com", 403),
        ("reviewer@example.com", 403),
        ("collections@example.com", 200),
        ("admin@example.com", 200),
    ],
)
def test_only_collections_staff_and_the_superadmin_see_the_pages(client, auth, path, email, status):
    auth.login(email)
    assert client.get(path).status_code == status


def test_an_unknown_loan_is_a_404_and_a_bad_relief_form_a_400(client, auth, post):
    auth.login("collections@example.com")
    assert client.get("/admin/collections/L-NOPE").status_code == 404
    response = post("/admin/relief", {"name": "", "regions": "", "starts_on": "x"}, token_from="/admin/relief")
    assert response.status_code == 400 and b"This field is required" in response.data


def test_a_shopper_cannot_ask_for_help_on_someone_elses_loan(client, auth):
    auth.login()
    assert client.get("/account/credit/loans/L-NOT-MINE/hardship").status_code == 404
    assert client.get("/account/notices").status_code == 200
