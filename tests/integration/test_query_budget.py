"""SQL statements per page, against a budget: a count, not a time.

Each store page and the pay-over-time accept run a known number of
statements (counted with an SQLAlchemy event listener on the app's engine);
a change that adds a query per listing (N+1), reloads the cart for the
header badge or re-reads the policy document shows up here as a failure.
The budgets sit a little above what the pages run today (bench/RESULTS.md).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from shop.models import Listing
from tests.support.web import KEY_RE, SECRET_RE, apply_for_credit, csrf_token, save_card


@contextmanager
def counted(app):
    """Count the statements the app's engine sends (commits are not statements)."""
    from shop.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        # A multi-row INSERT goes as one statement on PostgreSQL but row by row
        # (same SQL) on SQLite: count it once on both. Repeated SELECTs (N+1) all count.
        if not (statement.lstrip().upper().startswith("INSERT") and statements and statements[-1] == statement):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _count(app, client, path: str) -> tuple[int, object]:
    client.get(path)  # warm: templates compiled, the policy parsed
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements), response


# (path, budget): today's count + 1, except the empty cart, which reads nothing.
ANONYMOUS_BUDGETS = [
    ("/", 3),  # 2: scenes, featured cards
    ("/scenes/electronics", 4),  # 3: the scene, the count, the page of cards
    ("/search?q=laptop", 3),  # 2: the count, the page of cards
    ("/listings/1", 3),  # 2: the listing with merchant and scene, the active policy's id
    ("/cart", 0),  # no cart token: nothing to read
]


@pytest.mark.parametrize("path, budget", ANONYMOUS_BUDGETS)
def test_an_anonymous_page_runs_at_most_its_budget_of_statements(app, client, path, budget):
    n, _ = _count(app, client, path)
    assert n <= budget, f"{path}: {n} statements, budget {budget}"


@pytest.mark.parametrize("path", ["/", "/scenes/electronics", "/search?q=laptop", "/cart"])
def test_browsing_without_a_cart_or_a_form_sets_no_cookie(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert not response.headers.getlist("Set-Cookie"), path


def test_a_scene_page_runs_the_same_statements_whatever_the_number_of_listings(app, client, session):
    few, _ = _count(app, client, "/scenes/electronics")
    session.query(Listing).update({Listing.scene_id: select(Listing.scene_id).where(Listing.id == 1).scalar_subquery()})
    session.commit()
    many, response = _count(app, client, "/scenes/electronics")
    assert response.get_data(as_text=True).count('class="card"') > 3
    assert many == few


@pytest.mark.parametrize(
    "path, budget",
    [
        ("/", 4),  # 3: + the badge's one SUM
        ("/listings/1", 4),  # 3
        ("/cart", 3),  # 2: the cart in one statement, the policy's id; the badge counts what was read
    ],
)
def test_a_visitor_with_a_cart_pays_one_statement_for_the_badge(app, client, shopper, session, path, budget):
    shopper.add(session.scalars(select(Listing).filter_by(sku="VC-PHN-01")).one().id, 2)
    n, response = _count(app, client, path)
    assert 'data-testid="cart-count">2<' in response.get_data(as_text=True)
    assert n <= budget, f"{path}: {n} statements, budget {budget}"


def test_a_logged_in_shopper_s_home_page_stays_within_budget(app, client, auth):
    auth.login()
    n, _ = _count(app, client, "/")
    assert n <= 5, f"{n} statements"  # 4: the user, scenes, featured, the badge


def test_the_pay_over_time_accept_stays_within_its_budget(app, client, shopper, auth, session, stripe_base):
    auth.login()
    shopper.add(session.scalars(select(Listing).filter_by(sku="VC-LTP-01")).one().id, 1)
    assert shopper.enter_address().status_code == 302
    assert apply_for_credit(client).status_code == 302
    html = client.get("/checkout/credit/offers/monthly_12").get_data(as_text=True)
    secret, key = SECRET_RE.search(html).group(1), KEY_RE.search(html).group(1)
    save_card(stripe_base, secret, "4242424242424242")
    data = {
        "csrf_token": csrf_token(client),
        "checkout_key": key,
        "product": "monthly_12",
        "setup_intent_id": secret.split("_secret_")[0],
        "accept": "y",
        "signature": "Sam Shopper",
    }
    with counted(app) as statements:
        response = client.post("/checkout/credit/accept", data=data)
    assert response.status_code == 302 and "/account/credit/loans/" in response.headers["Location"]
    # 18: user, held order, legal name, cart, lock, key check, order, stock, order total, lines,
    # policy id, open principal, loan, installments, journal (2 transactions), the payment, the cart emptied
    assert len(statements) <= 21, "\n".join(statements)
