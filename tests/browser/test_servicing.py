"""Collections and hardship in a real browser: an agent logs a contact and a
promise to pay on a past-due loan; the shopper asks for help, the agent grants
a deferral and the shopper sees the new schedule."""

from __future__ import annotations

from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from shop.extensions import db
from tests.support.builders import first_installment, servicing_loan

START = date(2025, 1, 6)


def _login(context, email: str):
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/account/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("installmall-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    return page


def _past_due_loan(app, stripe_base):
    from shop.cli.run_day import run_dates

    with app.app_context():
        s = db.session
        user, loan, _ = servicing_loan(s, stripe_base, START)
        user.password_hash = generate_password_hash("installmall-demo")
        s.commit()
        due = first_installment(loan).due_on
        run_dates(s, START, today=START)
        run_dates(s, due + timedelta(days=35), today=due + timedelta(days=35))
        return user.email, loan.number, due


def test_an_agent_logs_a_contact_and_a_promise_and_a_shopper_gets_a_hardship_deferral(
    app, browser, live_server_url, stripe_base
):
    email, number, due = _past_due_loan(app, stripe_base)
    agent_context = browser.new_context(base_url=live_server_url, viewport={"width": 1200, "height": 900})
    agent = _login(agent_context, "collections@example.com")
    agent.goto("/admin/collections")
    agent.get_by_role("link", name=number).click()
    assert "31-60 days past due" in agent.get_by_test_id("stage").inner_text()
    agent.get_by_label("Channel").select_option("phone")
    agent.get_by_label("Outcome").select_option("promised_to_pay")
    agent.get_by_label("Note").fill("Will pay on Friday")
    agent.get_by_role("button", name="Log contact").click()
    agent.get_by_label("Pay by").fill((date.today() + timedelta(days=3)).isoformat())
    agent.get_by_label("Amount (USD)").fill("50.00")
    agent.get_by_role("button", name="Record promise").click()
    assert "Will pay on Friday" in agent.get_by_test_id("contacts").inner_text()
    assert "$50.00" in agent.get_by_test_id("promises").inner_text()
    assert "@" in agent.content() and email not in agent.content()  # the e-mail is masked
    screenshot_page(agent, "collections-contact-and-promise")

    shopper_context = browser.new_context(base_url=live_server_url, viewport={"width": 1200, "height": 900})
    shopper = _login(shopper_context, email)
    shopper.goto(f"/account/credit/loans/{number}")
    shopper.get_by_test_id("ask-for-help").click()
    shopper.get_by_label("What happened?").fill("I lost my job last month")
    shopper.get_by_label("What can you pay each month? (USD)").fill("20.00")
    shopper.get_by_role("button", name="Send request").click()
    shopper.wait_for_url(f"**/account/credit/loans/{number}")
    screenshot_page(shopper, "hardship-requested")

    agent.goto("/admin/hardship")
    agent.get_by_test_id("hardship-requests").get_by_role("link").first.click()
    agent.get_by_label("Remedy").select_option("deferral")
    agent.get_by_label("Installments to defer / months to add").fill("2")
    agent.locator("[data-testid=grant-form] textarea").fill("Deferral granted for job loss")
    agent.get_by_role("button", name="Grant").click()
    assert agent.get_by_test_id("hardship-status").inner_text() == "granted"

    shopper.goto(f"/account/credit/loans/{number}")
    schedule = shopper.locator("table").first.inner_text()
    assert due.isoformat() not in schedule  # the first installment moved two months later
    screenshot_page(shopper, "hardship-new-schedule")
    shopper.goto("/account/notices")
    assert "Your hardship request: granted" in shopper.content()
    agent_context.close()
    shopper_context.close()


def screenshot_page(page, name: str) -> None:
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "artifacts"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
