"""Browsing: the pages a visitor reaches with curl, with the demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.models import Listing


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", "Shop by scene"),
        ("/scenes/electronics", "Aurora X12 smartphone"),
        ("/search?q=laptop", "Nimbus 14 laptop"),
        ("/listings/1", "Aurora X12 smartphone 256 GB"),
    ],
)
def test_public_pages_show_the_demo_catalog(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)


def test_listing_page_shows_price_formatted_with_babel_stock_and_merchant(client):
    html = client.get("/listings/1").get_data(as_text=True)
    assert "$899.00" in html
    assert "Volt &amp; Co." in html
    assert "In stock" in html
    assert "/media/listings/vc-phn-01.svg" in html


def test_unknown_listing_is_a_404_page_in_the_site_layout(client):
    response = client.get("/listings/999999")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "Installmall" in html and 'class="site-header"' in html


def test_unknown_scene_is_404(client):
    assert client.get("/scenes/no-such-scene").status_code == 404


def test_search_matches_description_words_and_excludes_non_matches(client):
    html = client.get("/search?q=installation").get_data(as_text=True)  # only in appliance descriptions
    assert "FrostLine French-door refrigerator" in html
    assert "Aurora X12" not in html
    assert "No products match" in client.get("/search?q=zzzqqq").get_data(as_text=True)


def test_scene_pages_paginate_without_overlap(app, client, session):
    import re

    app.config["LISTINGS_PER_PAGE"] = 5
    ids = [
        set(re.findall(r'href="/listings/(\d+)"', client.get(f"/scenes/electronics?page={n}").get_data(as_text=True)))
        for n in (1, 2, 3)
    ]
    electronics = session.scalars(
        select(Listing.id).join(Listing.scene).where(Listing.scene.has(slug="electronics"))
    ).all()
    assert [len(p) for p in ids] == [5, 5, 1]
    assert ids[0].isdisjoint(ids[1]) and set().union(*ids) == {str(i) for i in electronics}
    assert "Next →" in client.get("/scenes/electronics").get_data(as_text=True)


def test_inactive_listing_is_hidden_and_cannot_be_added(session, client, post):
    listing = session.scalars(select(Listing).filter_by(sku="VC-PHN-02")).one()
    listing.active = False
    session.commit()
    assert client.get(f"/listings/{listing.id}").status_code == 404
    assert "Aurora Lite" not in client.get("/search?q=aurora").get_data(as_text=True)
    assert post(f"/cart/add/{listing.id}", {"quantity": 1}).status_code == 404


def test_out_of_stock_listing_shows_it_and_offers_no_add_button(session, client):
    listing = session.scalars(select(Listing).filter_by(sku="VC-APL-07")).one()
    html = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Out of stock" in html
    assert "Add to cart" not in html


def test_pages_load_nothing_from_outside_the_app(client):
    for path in ("/", "/scenes/furniture", "/listings/1", "/cart", "/account/login"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert "https://" not in html and "//cdn" not in html, path
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
