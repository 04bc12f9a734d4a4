"""Cart: anonymous, limited to stock, moved into the account at login."""

from __future__ import annotations

from sqlalchemy import select

from shop.models import Cart
from tests.support.builders import listing_by_sku


def test_anonymous_visitor_can_fill_change_and_empty_a_cart(client, shopper, session, post):
    phone = listing_by_sku(session, "VC-PHN-01")
    assert shopper.add(phone.id, 2).status_code == 302
    html = client.get("/cart").get_data(as_text=True)
    assert "Aurora X12 smartphone 256 GB" in html and "$1,798.00" in html
    item_id = session.scalars(select(Cart)).one().items[0].id
    assert post(f"/cart/items/{item_id}", {"quantity": 3}).status_code == 302
    assert "$2,697.00" in client.get("/cart").get_data(as_text=True)
    assert post(f"/cart/items/{item_id}/remove").status_code == 302
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_adding_the_same_listing_twice_adds_up(shopper, session):
    phone = listing_by_sku(session, "VC-PHN-01")
    shopper.add(phone.id, 1)
    shopper.add(phone.id, 2)
    session.expire_all()
    assert session.scalars(select(Cart)).one().items[0].quantity == 3


def test_quantity_is_limited_to_stock_with_a_clear_message(shopper, session, client, post):
    console = listing_by_sku(session, "VC-GAM-01")  # 1 in stock
    response = shopper.add(console.id, 2)
    assert response.status_code == 409
    assert "Only 1 of “Orbit game console” in stock." in response.get_data(as_text=True)
    shopper.add(console.id, 1)
    item_id = session.scalars(select(Cart)).one().items[0].id
    response = post(f"/cart/items/{item_id}", {"quantity": 5})
    assert response.status_code == 409
    assert "Only 1 of" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(Cart)).one().items[0].quantity == 1


def test_bad_quantity_gets_an_error_next_to_the_field(client, session):
    from tests.support.web import csrf_token

    phone = listing_by_sku(session, "VC-PHN-01")
    response = client.post(f"/cart/add/{phone.id}", data={"quantity": "-3", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "Choose between 1 and 99." in response.get_data(as_text=True)


def test_anonymous_cart_moves_into_the_account_at_login(shopper, auth, session, client):
    phone, desk = listing_by_sku(session, "VC-PHN-01"), listing_by_sku(session, "HH-DSK-01")
    auth.login()
    shopper.add(desk.id, 1)
    auth.logout()
    shopper.add(phone.id, 1)
    shopper.add(desk.id, 2)
    auth.login()
    session.expire_all()
    carts = session.scalars(select(Cart)).all()
    assert len(carts) == 1 and carts[0].user_id is not None
    assert {i.listing.sku: i.quantity for i in carts[0].items} == {"HH-DSK-01": 3, "VC-PHN-01": 1}


def test_a_visitor_cannot_touch_another_visitors_cart_item(app, shopper, session):
    from tests.support.web import csrf_token

    shopper.add(listing_by_sku(session, "VC-PHN-01").id, 1)
    item_id = session.scalars(select(Cart)).one().items[0].id
    other = app.test_client()
    response = other.post(f"/cart/items/{item_id}/remove", data={"csrf_token": csrf_token(other)})
    assert response.status_code == 404
    session.expire_all()
    assert len(session.scalars(select(Cart)).one().items) == 1
