"""Lender staff in a real browser: a shopper's application is referred; a
reviewer opens it, sees masked data, reveals the national ID with a reason and
approves; the shopper completes checkout; the audit log shows the reveal and
the decision; staff monitoring lists the reviewer's views."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from shop.models import CreditApplication, Loan, Order
from tests.support.browser import fill_card

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _shot(page, name: str) -> None:
    """A full-page screenshot of one of the staff pages (the `screenshot` fixture takes the shopper's)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("installmall-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _shopper_is_referred(page) -> None:
    """Sam ships a $1,299 laptop to IL but bills to CA: the region-mismatch rule refers him."""
    _log_in(page, "shopper@example.com")
    page.goto("/")
    page.get_by_role("link", name="Electronics").first.click()
    page.get_by_role("link", name="Nimbus 14 laptop, 16 GB RAM").first.click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address").fill("1 Main Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").select_option("IL")
    page.get_by_label("ZIP code").fill("62701")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_test_id("pay-over-time").click()
    form = page.get_by_test_id("application-form")
    form.get_by_label("Legal name").fill("Sam Shopper")
    form.get_by_label("Date of birth").fill("1985-04-12")
    form.get_by_label("Social Security number").fill("123-45-6789")
    form.get_by_label("Billing state").select_option("CA")
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
    page.get_by_test_id("referred").wait_for()


def test_a_reviewer_reveals_with_a_reason_and_approves_and_the_shopper_checks_out(
    browser, live_server_url, page, screenshot, session
):
    _shopper_is_referred(page)
    screenshot("staff-0-shopper-referred")
    application = session.scalars(select(CreditApplication)).one()

    staff = browser.new_context(base_url=live_server_url, viewport={"width": 1280, "height": 900}).new_page()
    staff.set_default_timeout(15000)
    _log_in(staff, "reviewer@example.com")
    staff.goto("/admin/applications")
    assert staff.get_by_test_id("queue-row").count() == 1
    assert staff.get_by_test_id("sla").inner_text() in ("ok", "due soon", "overdue")
    _shot(staff, "staff-1-queue")
    staff.get_by_role("link", name=f"#{application.id}").click()

    applicant = staff.get_by_test_id("applicant")
    assert staff.get_by_test_id("field-legal_name").inner_text() == "S. S."
    assert staff.get_by_test_id("field-email").inner_text() == "sh•••@example.com"
    assert staff.get_by_test_id("field-national_id").inner_text() == "•••-••-6789"
    assert "123456789" not in staff.content() and "Sam Shopper" not in applicant.inner_text()
    assert staff.get_by_test_id("stage-fraud").is_visible() and "region_mismatch" in staff.content()
    _shot(staff, "staff-2-masked")

    reveal = staff.get_by_test_id("reveal-national_id")
    reveal.get_by_label("Reason to reveal National ID").fill("Shopper on the phone, verifying identity")
    reveal.get_by_role("button", name="Reveal").click()
    assert staff.get_by_test_id("revealed-national_id").inner_text() == "123456789"
    _shot(staff, "staff-3-revealed")

    decide = staff.get_by_test_id("decide-form")
    decide.get_by_label("Approve").check()
    decide.get_by_label("Note (why)").fill("Confirmed the move to IL by phone")
    decide.get_by_role("button", name="Record decision").click()
    assert f"Application {application.id} approved." in staff.get_by_role("status").inner_text()
    assert staff.get_by_test_id("queue-empty").is_visible()

    page.goto("/checkout/credit")
    page.get_by_test_id("offer-monthly_12").get_by_role("link", name="Choose 12 monthly payments").click()
    page.get_by_role("heading", name="Review and sign").wait_for()
    page.get_by_label("I have read the loan agreement").check()
    page.get_by_label("Type your full legal name to sign").fill("Sam Shopper")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Accept and").click()
    page.get_by_test_id("loan-title").wait_for()
    screenshot("staff-4-shopper-loan")
    session.expire_all()
    loan = session.scalars(select(Loan)).one()
    assert session.get(Order, loan.order_id).credit_application_id == application.id

    admin = browser.new_context(base_url=live_server_url, viewport={"width": 1280, "height": 900}).new_page()
    _log_in(admin, "admin@example.com")
    admin.goto("/admin/audit")
    actions = admin.get_by_test_id("audit-entries").inner_text()
    assert "pii.reveal" in actions and "Shopper on the phone, verifying identity" in actions
    assert "application.approve" in actions and "Confirmed the move to IL by phone" in actions
    _shot(admin, "staff-5-audit")
    admin.goto("/admin/monitoring")
    activity = admin.get_by_test_id("activity").inner_text()
    assert "Rita Reviewer" in activity
    views = admin.get_by_test_id("staff-views").inner_text()
    assert f"application:{application.id}" in views and "admin.application" in views
    _shot(admin, "staff-6-monitoring")
    assert page.js_errors == []
