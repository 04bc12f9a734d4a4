"""Advertised financing: "as low as $X/mo" is a Regulation Z 1026.24(d)
trigger term, so the listing and the cart show the term, the APR and the down
payment next to it; an item that is out of stock advertises no financing."""

from __future__ import annotations

import html
import re

from credit.offers import teaser
from shop.formatting import format_money
from shop.services import policies
from tests.support.builders import listing_by_sku
from tests.support.web import Shopper

TAGS = re.compile(r"<[^>]+>")


def _text(page) -> str:
    return " ".join(html.unescape(TAGS.sub("", page.get_data(as_text=True))).split())


def _expected(session, amount_cents: int, scene: str, promos) -> str:
    _, policy = policies.active(session)
    t = teaser(amount_cents, scene, policy, promos)
    assert t is not None
    down = f" with {format_money(t.down_payment_cents, 'USD')} down" if t.down_payment_cents else ", no down payment"
    return f"{format_money(t.monthly_cents, 'USD')}/mo for {t.months} months at {t.apr:.2f}% APR{down}"


def test_a_listing_states_term_apr_and_down_payment_next_to_as_low_as(client, session):
    laptop = listing_by_sku(session, "VC-LTP-01")
    text = _text(client.get(f"/listings/{laptop.id}"))
    expected = _expected(session, laptop.price_cents, "electronics", (3, 6, 12))
    assert f"As low as {expected}." in text
    assert "Example only" in text and "your rate depends on approval" in text


def test_the_cart_teaser_states_them_for_the_cart_total(client, stripe_base, session):
    phone = listing_by_sku(session, "VC-PHN-02")
    Shopper(client, stripe_base).add(phone.id, 2)
    text = _text(client.get("/cart"))
    assert f"Or pay over time: as low as {_expected(session, 2 * phone.price_cents, 'electronics', ())}." in text


def test_an_out_of_stock_item_advertises_no_financing(client, stripe_base, session):
    fryer = listing_by_sku(session, "VC-APL-07")
    assert fryer.stock == 0
    assert "as low as" not in _text(client.get(f"/listings/{fryer.id}")).lower()
    phone = listing_by_sku(session, "VC-PHN-02")
    Shopper(client, stripe_base).add(phone.id)
    assert "as low as" in _text(client.get("/cart")).lower()
    phone.stock = 0  # sold out while it sat in the cart
    session.commit()
    assert "as low as" not in _text(client.get(f"/listings/{phone.id}")).lower()
    assert "as low as" not in _text(client.get("/cart")).lower()
