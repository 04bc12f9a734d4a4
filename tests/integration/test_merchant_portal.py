"""Merchant portal: onboarding and staff approval, listings with photos and
per-term 0 % promotions, photo validation, and isolation between merchants."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shop.models import AuditEntry, Listing, ListingPhoto, Merchant
from tests.support.merchants import image_bytes, logged_in, png_claiming, post_form
from tests.support.web import csrf_token

SIGNUP = {
    "name": "Nora Nook",
    "email": "nora@nook.example",
    "password": "correct-horse-battery",
    "confirm": "correct-horse-battery",
    "business_name": "Nook Lamps",
    "description": "Hand-made lamps.",
    "contact_name": "Nora Nook",
    "contact_email": "hello@nook.example",
    "contact_phone": "+1 555 0100",
    "payout_details": "First Bank, Nook Lamps LLC, 000123456789",
}


def _signup(app):
    client = app.test_client()
    response = client.post("/merchant/signup", data={**SIGNUP, "csrf_token": csrf_token(client, "/merchant/signup")})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def _listing_form(**overrides) -> dict:
    data = {
        "title": "Brass desk lamp",
        "description": "Warm light. <script>alert(1)</script>",
        "price": "300.00",
        "stock": "5",
        "scene": "3",
        "financing_eligible": "y",
        "promo_6": "y",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _create(client, photos: list[tuple[bytes, str]], **overrides):
    data = _listing_form(**overrides)
    data["photos"] = [(io.BytesIO(b), name) for b, name in photos]
    return post_form(
        client, "/merchant/listings/new", data, "/merchant/listings/new", content_type="multipart/form-data"
    )


def _scene_id(session, slug="furniture") -> str:
    from shop.models import Scene

    return str(session.scalars(select(Scene.id).filter_by(slug=slug)).one())


def test_a_pending_merchant_prepares_a_listing_nobody_sees_until_staff_approve_it(app, session, media_dir):
    merchant_client = _signup(app)
    merchant = session.scalars(select(Merchant).filter_by(name="Nook Lamps")).one()
    assert merchant.status == "pending" and merchant.payout_details.startswith("First Bank")
    assert "pending review" in merchant_client.get("/merchant/").get_data(as_text=True)
    photos = [(image_bytes("JPEG", (900, 600)), "a.jpg"), (image_bytes("PNG", (300, 300)), "b.png")]
    response = _create(merchant_client, photos, scene=_scene_id(session))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    listing = session.scalars(select(Listing).filter_by(merchant_id=merchant.id)).one()
    assert listing.promo_terms == (6,) and len(listing.photos) == 2
    shopper = app.test_client()
    assert shopper.get(f"/listings/{listing.id}").status_code == 404
    assert "Brass desk lamp" not in shopper.get("/search?q=brass").get_data(as_text=True)

    staff = logged_in(app, "reviewer@example.com")
    page = staff.get("/admin/merchants").get_data(as_text=True)
    assert "Nook Lamps" in page and "reviewer, risk, superadmin" in page
    refused = post_form(staff, f"/admin/merchants/{merchant.id}/reject", {"reason": " "}, "/admin/merchants")
    assert refused.status_code == 409 and "reason" in refused.get_data(as_text=True)
    assert post_form(staff, f"/admin/merchants/{merchant.id}/approve", {}, "/admin/merchants").status_code == 302

    html = shopper.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Brass desk lamp" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    assert "Brass desk lamp" in shopper.get("/search?q=brass").get_data(as_text=True)
    entry = session.scalars(select(AuditEntry).filter_by(action="merchant_approved")).one()
    assert entry.subject_id == str(merchant.id) and entry.actor_role == "reviewer"
    photo = shopper.get(f"/media/{listing.photos[0].display_path}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert (
        photo.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in photo.headers["Content-Security-Policy"]
    )
    assert b"secret-location-note" not in photo.data and b"Exif" not in photo.data


def test_the_listing_form_previews_the_promotion_cost_and_the_as_low_as_line(app, session):
    client = logged_in(app, "merchant2@example.com")
    data = _listing_form(price="1200.00", scene=_scene_id(session), promo_12="y", action="preview")
    page = post_form(client, "/merchant/listings/new", data, "/merchant/listings/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "4.5%" in html and "7.5%" in html and "$90.00" in html  # 6 months: 3.0 % + 4.5 % of $1,200
    assert "$100.00/month" in html  # 12 months at 0 %
    assert "As low as" in html
    assert session.scalar(select(func.count(Listing.id)).filter_by(title="Brass desk lamp")) == 0


BAD_PHOTOS = [
    pytest.param(image_bytes("GIF"), "cat.gif", "GIF", id="wrong-type"),
    pytest.param(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "huge.jpg", "larger than 5 MB", id="too-large"),
    pytest.param(png_claiming(30_000, 30_000), "bomb.png", "decompression bomb", id="decompression-bomb"),
    pytest.param(png_claiming(8_000, 6_000), "big.png", "too large in pixels", id="too-many-pixels"),
    pytest.param(b"<html><script>alert(1)</script></html>", "photo.jpg", "not a JPEG", id="html-named-jpg"),
    pytest.param(image_bytes("GIF"), "photo.png", "GIF", id="gif-named-png"),
    pytest.param(image_bytes("PNG")[:60], "cut.png", "not a JPEG", id="truncated"),
]


@pytest.mark.parametrize(("data", "name", "message"), BAD_PHOTOS)
def test_a_bad_photo_among_good_ones_saves_nothing_and_says_why(app, session, media_dir, data, name, message):
    client = logged_in(app, "merchant@example.com")
    before = {p for p in Path(media_dir).rglob("*") if p.is_file()}
    good = (image_bytes("JPEG"), "good.jpg")
    response = _create(client, [good, (data, name), good], title="Photo test", scene=_scene_id(session))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Listing.id)).filter_by(title="Photo test")) == 0
    assert session.scalar(select(func.count(ListingPhoto.id))) == 0
    assert {p for p in Path(media_dir).rglob("*") if p.is_file()} == before


def test_a_polyglot_is_re_encoded_so_nothing_but_the_image_is_served(app, session):
    client = logged_in(app, "merchant@example.com")
    polyglot = image_bytes("JPEG") + b"<html><script>alert(1)</script></html>"
    assert _create(client, [(polyglot, "p.jpg")], title="Polyglot", scene=_scene_id(session)).status_code == 302
    photo = session.scalars(select(ListingPhoto)).one()
    served = client.get(f"/media/{photo.display_path}").data
    assert b"<script>" not in served and served.startswith(b"\xff\xd8")
    assert client.get("/media/photos/../../etc/passwd").status_code == 404
