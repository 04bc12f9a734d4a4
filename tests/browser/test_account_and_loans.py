"""In a real browser, at desktop width and on a 390 px phone: the account
home from the menu (and no cart for staff and merchants), autopay switched
off and on, a financed order and its loan linking to each other, a repeated
payment that asks for confirmation, and a mistyped birth date that is a field
error the shopper corrects."""

from __future__ import annotations

from datetime import date

from tests.support.browser import DESKTOP, PHONE, borrower, fill_card, overflow_at_phone_width


def _both_widths(page, screenshot, name: str) -> None:
    screenshot(f"{name}-desktop")
    assert overflow_at_phone_width(page) == 0, name
    page.set_viewport_size(PHONE)
    screenshot(f"{name}-390")
    page.set_viewport_size(DESKTOP)


def test_the_menu_leads_to_the_account_home_and_autopay_switches_off_and_on(
    app, stripe_server, page, screenshot, auth_page
):
    loan, order = borrower(app, stripe_server, "bea@example.com")
    auth_page("bea@example.com")
    page.get_by_role("link", name="My account").click()
    page.get_by_role("heading", name="My account").wait_for()
    assert order in page.get_by_test_id("account-orders").inner_text()
    assert page.get_by_test_id("credit-line").is_visible()
    assert "Autopay, loan" in page.get_by_test_id("account-settings").inner_text()
    _both_widths(page, screenshot, "account-home")
    page.get_by_test_id("account-loans").get_by_role("link", name=f"Loan {loan}").click()
    assert page.get_by_test_id("autopay").inner_text() == "on"
    page.get_by_role("button", name="Turn autopay off").click()
    assert page.get_by_role("status").inner_text() == f"Autopay is off for {loan}."
    assert page.get_by_test_id("autopay").inner_text() == "off"
    _both_widths(page, screenshot, "autopay-off")
    page.get_by_role("button", name="Turn autopay on").click()
    assert page.get_by_test_id("autopay").inner_text() == "on"
    assert page.js_errors == []


def test_staff_and_merchants_have_no_cart_or_my_orders_in_their_bar(page, screenshot, auth_page):
    for email, name in (("reviewer@example.com", "staff"), ("merchant@example.com", "merchant")):
        auth_page(email)
        nav = page.get_by_role("navigation", name="Your account")
        assert nav.get_by_role("link", name="Cart").count() == 0
        assert nav.get_by_role("link", name="My orders").count() == 0
        assert nav.get_by_role("link", name="My account").count() == 0
        _both_widths(page, screenshot, f"bar-{name}")
        nav.get_by_role("button", name="Log out").click()


def test_a_financed_order_shows_its_down_payment_and_links_to_its_loan_and_back(
    app, stripe_server, page, screenshot, auth_page
):
    loan, order = borrower(app, stripe_server, "otto@example.com")
    auth_page("otto@example.com")
    page.goto(f"/account/orders/{order}")
    payments = page.get_by_test_id("order-payments")
    assert f"down payment on loan {loan}" in payments.inner_text() and "None" not in payments.inner_text()
    assert page.get_by_test_id("shipping-line").is_visible()
    _both_widths(page, screenshot, "financed-order")
    page.get_by_test_id("order-loan").get_by_role("link").click()
    page.get_by_test_id("loan-title").wait_for()
    assert page.get_by_test_id("loan-title").inner_text() == f"Loan {loan}"
    page.get_by_test_id("loan-order").click()
    page.get_by_role("heading", name=f"Order {order}").wait_for()


def test_paying_the_same_amount_again_asks_for_confirmation_first(app, stripe_server, page, screenshot, auth_page):
    loan, _ = borrower(app, stripe_server, "rita@example.com")
    auth_page("rita@example.com")
    page.goto(f"/account/credit/loans/{loan}/pay")
    amount = page.get_by_test_id("due-now").inner_text()
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_test_id("receipt").wait_for()
    page.go_back()  # the filled form again
    page.reload()
    page.get_by_role("button", name="Pay", exact=True).click()
    error = page.get_by_test_id("payment-error")
    assert f"You already paid {amount}" in error.inner_text()
    _both_widths(page, screenshot, "repeat-payment")
    page.get_by_label("Yes, make another payment of this amount").check()
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_test_id("receipt").wait_for()
    page.get_by_role("link", name="Back to the loan").click()
    assert page.get_by_test_id("transactions").locator("tbody tr").count() == 3  # down payment + two payments
    assert page.js_errors == []


def test_a_birth_date_under_18_is_a_field_error_the_shopper_corrects(page, screenshot, auth_page):
    auth_page("shopper@example.com")
    page.goto("/scenes/electronics")
    page.get_by_role("link", name="Aurora Lite smartphone 128 GB").first.click()
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/checkout")
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address").fill("1 Main Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").select_option("IL")
    page.get_by_label("ZIP code").fill("62701")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_test_id("pay-over-time").click()
    form = page.get_by_test_id("application-form")
    form.get_by_label("Legal name").fill("Sam Shopper")
    today = date.today()
    form.get_by_label("Date of birth").fill(today.replace(year=today.year - 15, day=min(today.day, 28)).isoformat())
    form.get_by_label("Social Security number").fill("123 45 6789")
    form.get_by_label("Billing state").select_option("IL")
    form.get_by_label("Years at your current address").fill("6")
    form.get_by_label("Monthly income before tax (USD)").fill("6500")
    form.get_by_label("Months with that employer or income source").fill("60")
    form.get_by_label("Savings").select_option("2500_plus")
    form.get_by_label("Checking account balance today").select_option("480_plus")
    form.get_by_label("I agree").check()
    form.get_by_role("button", name="Get my decision").click()
    error = page.locator("#date_of_birth-error")
    assert error.inner_text().startswith("You must be 18 or older to apply for credit.")
    assert page.get_by_label("Date of birth").get_attribute("aria-invalid") == "true"
    _both_widths(page, screenshot, "application-under-18")
    form = page.get_by_test_id("application-form")
    form.get_by_label("Date of birth").fill("1985-04-12")
    form.get_by_label("I agree").check()
    form.get_by_role("button", name="Get my decision").click()
    page.get_by_role("heading", name="You're approved").wait_for()
    assert page.js_errors == []


def test_a_new_card_typed_with_spaces_pays_a_loan(app, stripe_server, page, auth_page):
    loan, _ = borrower(app, stripe_server, "nico@example.com")
    auth_page("nico@example.com")
    page.goto(f"/account/credit/loans/{loan}/pay")
    page.get_by_label("A new card").check()
    page.get_by_role("button", name="Pay", exact=True).click()
    assert page.locator("#card-errors").inner_text() == "Enter your card number."
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_test_id("receipt").wait_for()
    assert page.js_errors == []
