"""Isolation: every merchant-portal route with another merchant's id is a 404;
shoppers and staff get 403, anonymous visitors the login page; lists and
exports show only the merchant's own rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Listing, ListingPhoto, Order, SettlementBatch
from shop.services import loans, orders, settlements
from tests.support.builders import ACCEPTANCE, ADDRESS, approved_shopper, listing_by_sku, saved_card
from tests.support.merchants import logged_in, post_form

OWNER, OTHER = "merchant@example.com", "merchant2@example.com"

ROUTES = [
    ("GET", "/merchant/listings/{listing}/edit"),
    ("POST", "/merchant/listings/{listing}/edit"),
    ("POST", "/merchant/listings/{listing}/deactivate"),
    ("POST", "/merchant/listings/{listing}/activate"),
    ("POST", "/merchant/listings/{listing}/duplicate"),
    ("POST", "/merchant/listings/{listing}/photos/{photo}/remove"),
    ("GET", "/merchant/orders/{order}"),
    ("POST", "/merchant/orders/{order}/ship"),
    ("POST", "/merchant/orders/{order}/refund"),
    ("POST", "/merchant/orders/{order}/cancel"),
    ("GET", "/merchant/settlements/{batch}"),
    ("GET", "/merchant/settlements/{batch}.csv"),
]


@pytest.fixture
def owned(app, stripe_base):
    """Ids of the owner's listing (with a photo), a financed order of its lines and a settlement."""
    with app.app_context():
        s = db.session
        user = approved_shopper(s)
        phone = listing_by_sku(s, "VC-PHN-01")
        phone.photos.append(ListingPhoto(position=0, display_path="x.jpg", thumb_path="x-t.jpg", width=1, height=1))
        order, _ = loans.place_credit_order(
            s,
            user,
            [orders.Line(phone.id, 1)],
            ADDRESS,
            key="iso-1",
            product="promo_6",
            payment_method_id=saved_card(s, user, stripe_base),
            acceptance=ACCEPTANCE,
        )
        batch = next(b for b in settlements.settle(s, order.created_at.date()) if b.merchant_id == phone.merchant_id)
        s.commit()
        return {"listing": phone.id, "photo": phone.photos[0].id, "order": order.id, "batch": batch.id}


def _call(app, client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    return post_form(
        client, path, {"reason": "x", "refund_key": "k" * 32, "tracking_number": "1Z999", "carrier": "UPS"}
    )


@pytest.mark.parametrize(("method", "route"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_another_merchants_ids_are_not_found(app, owned, method, route):
    path = route.format(**owned)
    assert _call(app, logged_in(app, OTHER), method, path).status_code == 404
    assert _call(app, logged_in(app, OWNER), method, path).status_code != 404


PORTAL = ROUTES + [("GET", "/merchant/"), ("GET", "/merchant/orders"), ("GET", "/merchant/orders.csv")]
PORTAL += [("GET", "/merchant/listings"), ("GET", "/merchant/listings/new"), ("GET", "/merchant/settlements")]


@pytest.mark.parametrize("who", ["shopper@example.com", "reviewer@example.com", None])
def test_only_merchants_use_the_portal(app, who):
    client = logged_in(app, who) if who else app.test_client()
    for method, route in PORTAL:
        path = route.format(listing=1, photo=1, order=1, batch=1)
        response = _call(app, client, method, path) if who else client.get(path) if method == "GET" else None
        if who:
            assert response.status_code == 403, path
        elif response is not None:
            assert response.status_code == 302 and "/account/login" in response.headers["Location"], path


def test_lists_and_exports_show_only_the_merchants_own_rows(app, owned, session):
    other = logged_in(app, OTHER)
    order = session.get(Order, owned["order"])
    title = session.get(Listing, owned["listing"]).title
    assert order.number not in other.get("/merchant/orders").get_data(as_text=True)
    assert order.number not in other.get("/merchant/orders.csv").get_data(as_text=True)
    assert title not in other.get("/merchant/listings?q=Aurora").get_data(as_text=True)
    mine = logged_in(app, OWNER)
    assert order.number in mine.get("/merchant/orders.csv").get_data(as_text=True)
    batches = session.scalars(select(SettlementBatch).filter_by(id=owned["batch"])).all()
    assert len(batches) == 1
