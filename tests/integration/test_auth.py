"""Accounts: register, log in, log out, CSRF, rate limiting, role guards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.models import User


def test_register_stores_a_hashed_password_and_logs_in(client, auth, session):
    response = auth.register("new@example.com", password="a-long-password-1")
    assert response.status_code == 302
    user = session.scalars(select(User).filter_by(email="new@example.com")).one()
    assert user.password_hash != "a-long-password-1" and user.password_hash.startswith("scrypt:")
    assert user.role == "shopper"
    assert client.get("/account/orders").status_code == 200


def test_register_shows_errors_next_to_fields(auth):
    response = auth.register("not-an-email", password="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Invalid email address." in html
    assert "Use at least 10 characters." in html


def test_register_twice_with_the_same_email_is_refused(auth, client):
    auth.register("twice@example.com")
    auth.logout()
    response = auth.register("Twice@Example.com")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_login_and_logout(auth, client):
    assert auth.login().status_code == 302
    assert client.get("/account/orders").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/account/orders").status_code == 302


def test_wrong_password_is_refused_with_a_message(auth):
    response = auth.login(password="wrong-password")
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_a_burst_of_wrong_passwords_is_rate_limited(auth):
    statuses = [auth.login(password=f"wrong-{i}").status_code for i in range(7)]
    assert statuses[:5] == [400] * 5
    assert 429 in statuses[5:]
    assert auth.login().status_code == 429  # even the right password waits


def test_post_without_csrf_token_is_rejected(client):
    response = client.post("/account/login", data={"email": "shopper@example.com", "password": "installmall-demo"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/account/orders", "/checkout", "/merchant", "/admin"])
def test_pages_that_need_login_redirect_to_it(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "email, path, status",
    [
        ("shopper@example.com", "/admin", 403),
        ("shopper@example.com", "/merchant", 403),
        ("merchant@example.com", "/admin", 403),
        ("merchant@example.com", "/merchant", 200),
        ("reviewer@example.com", "/admin", 200),
        ("admin@example.com", "/admin", 200),
        ("admin@example.com", "/merchant", 403),
    ],
)
def test_portals_are_guarded_by_role(auth, client, email, path, status):
    auth.login(email)
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "Forbidden" in response.get_data(as_text=True)


def test_login_redirect_ignores_offsite_next(client, auth):
    from tests.support.web import csrf_token

    token = csrf_token(client)
    response = client.post(
        "/account/login?next=https://evil.example/",
        data={"email": "shopper@example.com", "password": "installmall-demo", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
