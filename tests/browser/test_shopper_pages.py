"""Every page on a shopper's path, at desktop width and on a 390 px phone:
it fits the phone with no horizontal scroll, axe-core finds no serious or
critical violation, and there is a screenshot of both (tests/artifacts/).
The walk also types a card with spaces after an empty card got a field error."""

from __future__ import annotations

from tests.support.browser import DESKTOP, PHONE, fill_card, overflow_at_phone_width, serious_violations

APPROVED_WITH_A_DOWN_PAYMENT = {
    "Housing": "rent",
    "Months with that employer or income source": "3",
    "Do you pay other installment plans?": "stores",
    "Their total monthly payments (USD)": "120",
}


def _check(page, screenshot, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    screenshot(f"{name}-desktop")
    assert serious_violations(page) == [], name
    assert overflow_at_phone_width(page) == 0, f"{name} scrolls sideways at 390 px"
    page.set_viewport_size(PHONE)
    screenshot(f"{name}-390")
    page.set_viewport_size(DESKTOP)


def _fill_application(page, date_of_birth: str = "1985-04-12") -> None:
    form = page.get_by_test_id("application-form")
    form.get_by_label("Legal name").fill("Sam Shopper")
    form.get_by_label("Date of birth").fill(date_of_birth)
    form.get_by_label("Social Security number").fill("123-45-6789")
    form.get_by_label("Billing state").select_option("IL")
    form.get_by_label("Years at your current address").fill("6")
    form.get_by_label("Monthly income before tax (USD)").fill("6500")
    form.get_by_label("Main source of income").select_option("employed")
    form.get_by_label("Savings").select_option("2500_plus")
    form.get_by_label("Checking account balance today").select_option("480_plus")
    for label, value in APPROVED_WITH_A_DOWN_PAYMENT.items():
        field = form.get_by_label(label)
        field.select_option(value) if field.evaluate("e => e.tagName") == "SELECT" else field.fill(value)
    form.get_by_label("I agree").check()


def test_every_shopper_page_fits_a_phone_and_has_no_serious_accessibility_violation(page, screenshot, auth_page):
    responses: list[tuple[int, str]] = []
    page.on("response", lambda r: responses.append((r.status, r.url)) if r.status == 404 else None)
    page.goto("/")
    _check(page, screenshot, "home")
    page.get_by_role("link", name="Electronics").first.click()
    _check(page, screenshot, "scene")
    page.goto("/search?q=sofa")
    _check(page, screenshot, "search")
    page.goto("/privacy")
    _check(page, screenshot, "privacy")
    page.goto("/scenes/electronics")
    page.get_by_role("link", name="Aurora X12 smartphone 256 GB").first.click()
    _check(page, screenshot, "listing")
    page.get_by_role("button", name="Add to cart").click()
    _check(page, screenshot, "cart")

    auth_page("shopper@example.com")
    page.goto("/checkout")
    _check(page, screenshot, "checkout-address")
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address").fill("1 Main Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").select_option("IL")
    page.get_by_label("ZIP code").fill("62701")
    page.get_by_role("button", name="Continue to payment").click()
    page.locator("#card-element input").first.wait_for()
    _check(page, screenshot, "checkout-payment")
    page.get_by_test_id("pay-over-time").click()
    _check(page, screenshot, "application")
    _fill_application(page)
    page.get_by_role("button", name="Get my decision").click()
    page.get_by_test_id("plan-picker").wait_for()
    _check(page, screenshot, "plan-picker")
    page.get_by_role("link", name="Choose 6 monthly payments").click()
    page.locator("#card-element input").first.wait_for()
    _check(page, screenshot, "agreement")

    page.get_by_label("I have read the loan agreement").check()
    page.get_by_label("Type your full legal name to sign").fill("Sam Shopper")
    accept = page.get_by_role("button", name="Accept and pay")
    accept.click()  # no card typed yet: a field error, not a script error
    assert page.locator("#card-errors").inner_text() == "Enter your card number."
    page.set_viewport_size(PHONE)
    screenshot("agreement-empty-card-390")
    page.set_viewport_size(DESKTOP)
    fill_card(page, "4242 4242 4242 4242")  # typed in groups, as printed on the card
    accept.click()
    page.get_by_test_id("loan-title").wait_for()
    _check(page, screenshot, "loan")
    page.get_by_test_id("loan-order").click()
    _check(page, screenshot, "order")
    page.get_by_test_id("nav-account").click()
    _check(page, screenshot, "account")
    page.get_by_role("link", name="Credit details").click()
    _check(page, screenshot, "credit")
    page.get_by_role("link", name="My orders").click()
    _check(page, screenshot, "orders")
    page.goto(page.get_by_test_id("nav-account").get_attribute("href"))
    page.get_by_test_id("account-loans").get_by_role("link").first.click()
    page.get_by_role("link", name="Pay now").click()
    page.locator("#card-element input").first.wait_for()
    _check(page, screenshot, "pay")
    assert page.js_errors == []
    assert responses == []  # no 404 anywhere, the favicon included
