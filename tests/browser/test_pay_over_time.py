"""A shopper pays over time in a real browser: apply, decision, offer,
agreement with the disclosure and chart, card + down payment, the loan page,
then a repayment from the account; and a declined applicant pays in full."""

from __future__ import annotations

import re

from sqlalchemy import select

from shop.models import Loan, Order
from tests.support.browser import fill_card

MONEY = re.compile(r"\$[\d,]+\.\d{2}")


def _cents(text: str) -> int:
    return int(MONEY.search(text).group(0).replace("$", "").replace(",", "").replace(".", ""))


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _register_and_ship_a_phone(page, name: str, email: str, state: str, city: str, zip_code: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Electronics").first.click()
    page.get_by_role("link", name="Aurora X12 smartphone 256 GB").first.click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Check out").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_label("Repeat password").fill("correct-horse-battery")
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Address").fill("12 Elm Street")
    page.get_by_label("City").fill(city)
    page.get_by_label("State").select_option(state)
    page.get_by_label("ZIP code").fill(zip_code)
    page.get_by_role("button", name="Continue to payment").click()


# A steady earner who rents, is 3 months into a new job and pays a store plan:
# approved, in a tier whose monthly plans ask for a down payment (the top tiers ask none):
# tier C under policy 2026.3 (scorecard v2, 522 points with $480+ in checking).
APPROVED = {
    "housing": "rent",
    "employment_months": "3",
    "other_installment_plans": "stores",
    "existing_monthly_debt": "120",
}


def _apply(
    page,
    legal_name: str,
    billing_state: str,
    date_of_birth: str = "1985-04-12",
    *,
    housing: str = "own",
    employment_months: str = "60",
    other_installment_plans: str = "none",
    existing_monthly_debt: str = "0",
    checking_band: str = "480_plus",
) -> None:
    page.get_by_test_id("pay-over-time").click()
    form = page.get_by_test_id("application-form")
    form.get_by_label("Legal name").fill(legal_name)
    form.get_by_label("Date of birth").fill(date_of_birth)
    form.get_by_label("Social Security number").fill("123-45-6789")
    form.get_by_label("Billing state").select_option(billing_state)
    form.get_by_label("Housing").select_option(housing)
    form.get_by_label("Years at your current address").fill("6")
    form.get_by_label("Monthly income before tax (USD)").fill("6500")
    form.get_by_label("Main source of income").select_option("employed")
    form.get_by_label("Months with that employer or income source").fill(employment_months)
    form.get_by_label("Do you pay other installment plans?").select_option(other_installment_plans)
    form.get_by_label("Their total monthly payments (USD)").fill(existing_monthly_debt)
    form.get_by_label("Savings").select_option("2500_plus")
    form.get_by_label("Checking account balance today").select_option(checking_band)
    form.get_by_label("I agree").check()
    form.get_by_role("button", name="Get my decision").click()


def _table(locator) -> list[list[str]]:
    """The body rows of a table, as lists of cell texts."""
    return [row.locator("td").all_inner_texts() for row in locator.locator("tbody tr").all()]


def test_new_shopper_buys_a_phone_over_6_months_and_pays_the_next_installment_from_the_account(
    page, screenshot, session
):
    _register_and_ship_a_phone(page, "Olive Oliveira", "olive@example.com", "OR", "Portland", "97201")
    _apply(page, "Olive Oliveira", "OR", **APPROVED)

    page.get_by_role("heading", name="You're approved").wait_for()
    picker = page.get_by_test_id("plan-picker")
    assert picker.get_by_role("heading", name="6 months").is_visible()  # plans grouped by term
    offer = page.get_by_test_id("offer-monthly_6")
    assert "6 monthly payments" in offer.inner_text()
    apr = offer.get_by_test_id("apr").inner_text()
    assert re.fullmatch(r"\d+\.\d{2}%", apr) and apr != "0.00%"
    monthly = _cents(offer.get_by_test_id("monthly").inner_text())
    down_payment = _cents(offer.get_by_test_id("due-today").inner_text())
    assert 0 < down_payment < 89900
    assert _cents(offer.get_by_test_id("total-cost").inner_text()) > 89900
    assert page.get_by_test_id("disclosure").count() == 0  # no wall of boxes: the full one comes with the chosen plan
    screenshot("pot-offers")
    offer.get_by_role("link", name="Choose 6 monthly payments").click()

    page.get_by_role("heading", name="Review and sign").wait_for()
    box = page.get_by_test_id("disclosure")
    assert box.is_visible() and box.get_by_test_id("apr").inner_text() == apr
    assert f"payments of {_money(monthly)}, monthly" in box.inner_text()
    assert f"including your down payment of {_money(down_payment)}" in box.inner_text()
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")  # never clipped
    chart = page.get_by_test_id("schedule-chart")
    assert chart.locator("svg").is_visible() and chart.locator("g.bar").count() == 7  # down payment + 6 installments
    schedule = _table(page.get_by_test_id("schedule-table"))
    assert [r[0] for r in schedule] == ["1 (today)", "2", "3", "4", "5", "6", "7"]
    assert _cents(schedule[0][4]) == down_payment and schedule[-1][5] == "$0.00"
    assert "Olive Oliveira" in page.get_by_test_id("agreement").inner_text()
    page.get_by_label("I have read the loan agreement").check()
    page.get_by_label("Type your full legal name to sign").fill("Olive Oliveira")
    fill_card(page, "4242424242424242")
    screenshot("pot-agreement")
    page.get_by_role("button", name=f"Accept and pay {_money(down_payment)} today").click()

    page.get_by_test_id("loan-title").wait_for()
    loan = session.scalars(select(Loan)).one()
    assert page.url.endswith(f"/account/credit/loans/{loan.number}")
    assert page.get_by_test_id("loan-title").inner_text() == f"Loan {loan.number}"
    assert f"your loan {loan.number} is set up" in page.get_by_role("status").inner_text()
    assert page.get_by_test_id("loan-status").inner_text() == "active"
    assert f"APR {apr}" in page.locator("main").inner_text()
    assert _cents(page.get_by_test_id("principal-left").inner_text()) == 89900 - down_payment
    assert page.get_by_test_id("schedule-chart").is_visible()
    schedule = _table(page.get_by_test_id("schedule-table"))
    assert [(r[0], r[-1]) for r in schedule] == [("1 (today)", "paid")] + [(str(n), "due") for n in range(2, 8)]
    first_due = {"principal": schedule[1][2], "interest": schedule[1][3], "total": schedule[1][4]}
    assert _cents(page.get_by_test_id("due-today").inner_text()) == 0  # day one: nothing is due yet
    assert page.get_by_test_id("next-payment").inner_text() == f"{first_due['total']} due {schedule[1][1]}"
    assert _table(page.get_by_test_id("transactions"))[0][1:3] == ["down payment", _money(down_payment)]
    assert loan.product == "monthly_6" and loan.down_payment_cents == down_payment
    assert session.scalars(select(Order)).one().status == "financed"
    screenshot("pot-loan")

    page.get_by_role("link", name="Pay now").click()
    assert page.get_by_test_id("due-now").inner_text() == first_due["total"]
    page.get_by_label("Next installment").check()
    page.get_by_label("Card on file").check()
    page.get_by_role("button", name="Pay", exact=True).click()

    receipt = page.get_by_test_id("receipt")
    receipt.wait_for()
    assert receipt.get_by_role("heading").inner_text() == f"Payment received: {first_due['total']}"
    # Paid on the day the loan starts: no interest has accrued yet, so it all goes to principal.
    assert _table(receipt.get_by_test_id("allocation")) == [["principal", first_due["total"]]]
    screenshot("pot-receipt")

    receipt.get_by_role("link", name="Back to the loan").click()
    schedule = _table(page.get_by_test_id("schedule-table"))
    assert [r[-1] for r in schedule] == ["paid", "paid"] + ["due"] * 5
    assert _cents(page.get_by_test_id("principal-left").inner_text()) == 89900 - down_payment - _cents(
        first_due["total"]
    )
    assert [r[1:3] for r in _table(page.get_by_test_id("transactions"))] == [
        ["down payment", _money(down_payment)],
        ["installment", first_due["total"]],
    ]
    assert page.js_errors == []


def test_declined_applicant_sees_the_reasons_and_pays_in_full(page, screenshot, session):
    _register_and_ship_a_phone(page, "Ian Iowa", "ian@example.com", "IA", "Des Moines", "50309")
    _apply(page, "Ian Iowa", "IA")

    declined = page.get_by_test_id("declined")
    declined.wait_for()
    reasons = declined.get_by_test_id("decline-reasons").locator("li").all_inner_texts()
    assert reasons == ["we do not offer credit in your state"]
    notice = declined.get_by_test_id("adverse-action-notice")
    assert notice.is_visible()
    assert "unable to approve" in notice.inner_text()
    assert "We do not offer credit in your state" in notice.inner_text()
    screenshot("declined")

    declined.get_by_role("link", name="Pay in full instead").click()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay $899.00").click()
    page.get_by_test_id("confirmation").wait_for()
    assert "is confirmed" in page.get_by_test_id("confirmation").inner_text()
    order = session.scalars(select(Order)).one()
    assert order.total_cents == 89900 and order.payment_kind != "credit"
    assert session.scalars(select(Loan)).first() is None
    assert page.js_errors == []
