"""A shopper buys a product in full in a real browser."""

from __future__ import annotations

from sqlalchemy import select

from shop.models import Listing, Order
from tests.support.browser import fill_card


def test_shopper_registers_buys_a_phone_with_card_4242_and_sees_the_confirmation(page, screenshot, session):
    page.goto("/")
    page.get_by_role("link", name="Electronics").first.click()
    page.get_by_role("link", name="Aurora X12 smartphone 256 GB").first.click()
    page.get_by_role("button", name="Add to cart").click()
    assert page.get_by_test_id("cart-total").inner_text() == "$899.00"
    page.get_by_role("link", name="Check out").click()

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill("Bea Browser")
    page.get_by_label("E-mail").fill("bea@example.com")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_label("Repeat password").fill("correct-horse-battery")
    page.get_by_role("button", name="Create account").click()

    page.get_by_label("Full name").fill("Bea Browser")
    page.get_by_label("Address").fill("12 Elm Street")
    page.get_by_label("City").fill("Portland")
    page.get_by_label("State").select_option("OR")
    page.get_by_label("ZIP code").fill("97201")
    page.get_by_role("button", name="Continue to payment").click()

    fill_card(page, "4242424242424242")
    screenshot("pay-in-full-card-form")
    page.get_by_role("button", name="Pay $899.00").click()
    page.get_by_test_id("confirmation").wait_for()
    screenshot("pay-in-full-confirmation")

    assert "is confirmed" in page.get_by_test_id("confirmation").inner_text()
    order = session.scalars(select(Order)).one()
    assert order.total_cents == 89900 and order.payments[0].status == "succeeded"
    assert session.scalars(select(Listing).filter_by(sku="VC-PHN-01")).one().stock == 24
    page.get_by_role("link", name="My orders").click()
    assert order.number in page.content()
    assert page.js_errors == []


def test_declined_card_shows_the_message_and_places_no_order(page, session, auth_page):
    auth_page("shopper@example.com")
    page.goto("/listings/1")
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/checkout")
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address").fill("1 Main Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").select_option("IL")
    page.get_by_label("ZIP code").fill("62701")
    page.get_by_role("button", name="Continue to payment").click()
    fill_card(page, "4000000000000341")
    page.get_by_role("button", name="Pay $899.00").click()
    page.get_by_test_id("payment-error").wait_for()
    assert "Your card was declined." in page.get_by_test_id("payment-error").inner_text()
    assert session.scalars(select(Order)).first() is None
