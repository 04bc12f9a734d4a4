"""A scene page sorts (price, newest), filters (price range, 0% available, in
stock) and pages, keeping the filters across pages; bad filter input is a
field error, not a 500."""

from __future__ import annotations

import re

from sqlalchemy import select

from shop.models import Listing, Scene

TITLE = re.compile(r"<h3>([^<]+)</h3>")


def _titles(client, query: str = "") -> list[str]:
    page = client.get(f"/scenes/home-appliances{query}")
    assert page.status_code == 200
    return TITLE.findall(page.get_data(as_text=True).split('data-testid="listings"')[1])


def _scene_listings(session) -> list[Listing]:
    scene = session.scalars(select(Scene).filter_by(slug="home-appliances")).one()
    return list(session.scalars(select(Listing).filter_by(scene_id=scene.id, active=True)))


def test_sorting_by_price_both_ways_and_by_newest(client, session):
    listings = _scene_listings(session)
    by_price = [x.title for x in sorted(listings, key=lambda x: (x.price_cents, x.id))]
    assert _titles(client, "?sort=price_low") == by_price
    assert _titles(client, "?sort=price_high") == [
        x.title for x in sorted(listings, key=lambda x: (-x.price_cents, x.id))
    ]
    newest = max(listings, key=lambda x: x.id)
    newest.created_at = newest.created_at.replace(year=newest.created_at.year + 1)
    session.commit()
    assert _titles(client, "?sort=newest")[0] == newest.title


def test_filters_price_range_zero_percent_and_in_stock(client, session):
    listings = _scene_listings(session)
    ranged = _titles(client, "?sort=price_low&min_price=300&max_price=800")
    assert ranged == [x.title for x in sorted(listings, key=lambda x: x.price_cents) if 30000 <= x.price_cents <= 80000]
    promo = _titles(client, "?zero_percent=y")
    assert promo and set(promo) == {x.title for x in listings if x.promo_opt_in and x.financing_eligible}
    in_stock = _titles(client, "?in_stock=y")
    assert "Crisp air fryer 6 L" not in in_stock and len(in_stock) == sum(1 for x in listings if x.stock > 0)


def test_paging_keeps_the_filters(app, client, session):
    app.config["LISTINGS_PER_PAGE"] = 3
    first = client.get("/scenes/home-appliances?sort=price_low&in_stock=y").get_data(as_text=True)
    assert "Page 1 of 2" in first
    next_link = re.search(r'href="([^"]+)">Next', first).group(1).replace("&amp;", "&")
    assert "sort=price_low" in next_link and "in_stock=y" in next_link and "page=2" in next_link
    second = TITLE.findall(client.get(next_link).get_data(as_text=True).split('data-testid="listings"')[1])
    assert len(second) == 3 and not set(second) & set(TITLE.findall(first))


def test_a_bad_price_is_a_field_error(client):
    page = client.get("/scenes/home-appliances?min_price=cheap")
    assert page.status_code == 400 and 'id="min_price-error"' in page.get_data(as_text=True)
