"""The merchant portal in a real browser: a merchant signs up, staff approve
it, it lists a lamp with two photos and a 6-month 0 % promotion (and a
duplicate of it); a shopper buys both over 6 months at 0 %; the merchant
ships one line and refunds the other; the shopper's loan page shows the
smaller schedule and says why."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from shop.models import Loan, Merchant
from tests.support.browser import fill_card
from tests.support.merchants import image_bytes

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
MONEY = re.compile(r"\$[\d,]+\.\d{2}")


def _cents(text: str) -> int:
    return int(MONEY.search(text).group(0).replace("$", "").replace(",", "").replace(".", ""))


def _table(locator) -> list[list[str]]:
    return [row.locator("td").all_inner_texts() for row in locator.locator("tbody tr").all()]


def _actor(browser, live_server_url, email: str | None = None):
    context = browser.new_context(base_url=live_server_url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    if email:
        page.goto("/account/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill("installmall-demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
    return page


def _shot(page, name: str) -> None:
    """A screenshot of another actor's page (the `screenshot` fixture takes the merchant's)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_up(page) -> None:
    page.goto("/merchant/signup")
    form = page.get_by_test_id("merchant-signup")
    form.get_by_label("Your name").fill("Lina Lumen")
    form.get_by_label("Login e-mail").fill("lina@lumiere.example")
    form.get_by_label("Password", exact=True).fill("correct-horse-battery")
    form.get_by_label("Repeat password").fill("correct-horse-battery")
    form.get_by_label("Business name").fill("Lumière Lamps")
    form.get_by_label("What you sell").fill("Lamps made in Lyon.")
    form.get_by_label("Contact person").fill("Lina Lumen")
    form.get_by_label("Contact e-mail").fill("hello@lumiere.example")
    form.get_by_label("Contact phone").fill("+1 555 0199")
    form.get_by_label("Payout details").fill("First Bank, Lumière Lamps LLC, 000987654321")
    form.get_by_role("button", name="Apply to sell").click()
    page.get_by_test_id("merchant-pending").wait_for()


def _new_listing(page, screenshot) -> str:
    """Create the lamp; returns the "as low as" line the form previewed."""
    page.get_by_role("link", name="Listings").first.click()
    page.get_by_role("link", name="New listing").click()
    form = page.get_by_test_id("listing-form")
    form.get_by_label("Title").fill("Lumière arc floor lamp")
    form.get_by_label("Description").fill("Brushed brass, linen shade. <b>Dimmable</b>.")
    form.get_by_label("Price (USD)").fill("600.00")
    form.get_by_label("Stock").fill("5")
    form.get_by_label("Scene").select_option(label="Electronics")
    form.get_by_label("Offer 6 months at 0% (you fund it)").check()
    form.get_by_role("button", name="Preview").click()
    cost = page.get_by_test_id("promo-cost-6").locator("td").all_inner_texts()
    assert cost == ["6 months at 0%", "4.5%", "7.5%", "$45.00", "$100.00/month"]
    teaser = MONEY.search(page.get_by_test_id("teaser-preview").inner_text()).group(0)
    screenshot("merchant-listing-preview")
    page.get_by_label("Photos (JPEG, PNG or WebP, up to 5 MB each)").set_input_files(
        [
            {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (1600, 1200))},
            {"name": "side.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (800, 800), (30, 90, 160))},
        ]
    )
    page.get_by_role("button", name="Save listing").click()
    page.get_by_text("Saved “Lumière arc floor lamp”.").wait_for()
    assert page.get_by_test_id("photos").locator("img").count() == 2
    return teaser


def _duplicate(page) -> None:
    """A walnut variant: duplicate, rename, give it stock and put it on sale."""
    page.get_by_role("link", name="Listings").first.click()
    page.get_by_role("button", name="Duplicate").click()
    form = page.get_by_test_id("listing-form")
    form.get_by_label("Title").fill("Lumière arc floor lamp, walnut")
    form.get_by_label("Stock").fill("3")
    form.get_by_role("button", name="Save listing").click()
    page.get_by_role("link", name="Listings").first.click()
    row = page.get_by_test_id("listings-table").locator("tr", has_text="walnut")
    row.get_by_role("button", name="Activate").click()
    assert "on sale" in page.get_by_test_id("listings-table").locator("tr", has_text="walnut").inner_text()


def _shopper_buys_both_over_6_months_at_0(page, screenshot, teaser: str) -> None:
    page.goto("/")
    page.get_by_label("Search").fill("Lumière")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="Lumière arc floor lamp", exact=True).click()
    assert page.get_by_test_id("gallery").locator("img").count() == 2
    assert f"As low as {teaser}/mo for " in page.get_by_test_id("teaser").inner_text()  # what the merchant previewed
    screenshot("merchant-listing-in-store")
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/search?q=walnut")
    page.get_by_role("heading", name="Lumière arc floor lamp, walnut", exact=True).click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Check out").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill("Petra Prism")
    page.get_by_label("E-mail").fill("petra@example.com")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_label("Repeat password").fill("correct-horse-battery")
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Full name").fill("Petra Prism")
    page.get_by_label("Address").fill("3 Birch Road")
    page.get_by_label("City").fill("Portland")
    page.get_by_label("State").select_option("OR")
    page.get_by_label("ZIP code").fill("97201")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_test_id("pay-over-time").click()
    form = page.get_by_test_id("application-form")
    form.get_by_label("Legal name").fill("Petra Prism")
    form.get_by_label("Date of birth").fill("1984-02-03")
    form.get_by_label("Social Security number").fill("321-54-9876")
    form.get_by_label("Billing state").select_option("OR")
    form.get_by_label("Housing").select_option("own")
    form.get_by_label("Years at your current address").fill("6")
    form.get_by_label("Monthly income before tax (USD)").fill("6500")
    form.get_by_label("Main source of income").select_option("employed")
    form.get_by_label("Months with that employer or income source").fill("60")
    form.get_by_label("Do you pay other installment plans?").select_option("none")
    form.get_by_label("Their total monthly payments (USD)").fill("0")
    form.get_by_label("Savings").select_option("2500_plus")
    form.get_by_label("Checking account balance today").select_option("480_plus")
    form.get_by_label("I agree").check()
    form.get_by_role("button", name="Get my decision").click()
    page.get_by_role("heading", name="You're approved").wait_for()
    offer = page.get_by_test_id("offer-promo_6")
    assert "0.00%" in offer.get_by_test_id("apr").inner_text()
    offer.get_by_role("link", name="Choose 6 months at 0% (promotion)").click()
    page.get_by_label("I have read the loan agreement").check()
    page.get_by_label("Type your full legal name to sign").fill("Petra Prism")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Accept and sign (nothing to pay today)").click()
    page.get_by_test_id("loan-title").wait_for()
    assert _cents(page.get_by_test_id("principal-left").inner_text()) == 120_000
    screenshot("merchant-shopper-loan-before")


def test_merchant_signs_up_lists_with_a_promo_ships_one_line_refunds_the_other_and_the_loan_shrinks(
    page, browser, live_server_url, screenshot, session
):
    _sign_up(page)
    teaser = _new_listing(page, screenshot)
    _duplicate(page)
    assert session.scalars(select(Merchant).filter_by(name="Lumière Lamps")).one().status == "pending"

    staff = _actor(browser, live_server_url, "admin@example.com")
    staff.goto("/admin/merchants")
    staff.get_by_role("button", name="Approve Lumière Lamps").click()
    assert "Lumière Lamps is approved" in staff.get_by_role("status").inner_text()
    _shot(staff, "merchant-admin-approved")

    shopper = _actor(browser, live_server_url)
    _shopper_buys_both_over_6_months_at_0(shopper, lambda name: _shot(shopper, name), teaser)
    loan = session.scalars(select(Loan)).one()
    assert loan.product == "promo_6" and loan.months == 6

    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_test_id("orders-table").get_by_role("link").first.click()
    ship = page.get_by_test_id("ship")
    ship.get_by_label("Ship 1 × Lumière arc floor lamp", exact=True).check()
    ship.get_by_label("Carrier").select_option("UPS")
    ship.get_by_label("Tracking number").fill("1Z999AA10123456784")
    ship.get_by_role("button", name="Mark shipped").click()
    page.get_by_text("Shipped with UPS").wait_for()
    refund = page.get_by_test_id("refund")
    refund.get_by_label("Units of “Lumière arc floor lamp, walnut” to refund (up to 1)").fill("1")
    refund.get_by_label("Reason").fill("Shopper cancelled the walnut lamp before it shipped")
    refund.get_by_role("button", name="Refund").click()
    page.get_by_text("the shopper's loan went down by $600.00").wait_for()
    states = [row[-1] for row in _table(page.get_by_test_id("order-lines"))]
    assert states[0].startswith("shipped") and states[1] == "refunded"
    screenshot("merchant-order-shipped-and-refunded")

    shopper.goto(f"/account/credit/loans/{loan.number}")
    note = shopper.get_by_test_id("schedule-changed").inner_text()
    assert "Lumière Lamps refunded $600.00" in note and "loan went down by $600.00" in note
    assert _cents(shopper.get_by_test_id("principal-left").inner_text()) == 60_000
    totals = [_cents(row[4]) for row in _table(shopper.get_by_test_id("schedule-table"))]
    assert totals == [20_000, 20_000, 20_000]
    schedule = _table(shopper.get_by_test_id("schedule-table"))
    assert [r[-1] for r in schedule] == ["due"] * 3  # the last three payments are gone
    assert [_cents(r[5]) for r in schedule] == [40_000, 20_000, 0]
    _shot(shopper, "merchant-shopper-loan-after")
    shopper.get_by_role("link", name=loan.order.number).click()
    assert shopper.get_by_test_id("tracking").inner_text() == "1Z999AA10123456784"
    assert page.js_errors == [] and shopper.js_errors == [] and staff.js_errors == []
