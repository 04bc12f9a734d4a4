"""The shopper's account home and the pages around a loan: the menu, the
home's orders / credit line / loans / settings, a financed order's payments
and its link to the loan (and back), what is due on day one, autopay from the
form as rendered, and a repeated payment that asks for confirmation first."""

from __future__ import annotations

import re

import requests
from sqlalchemy import func, select

from shop.formatting import format_money
from shop.models import Loan, LoanPayment, OutboxMessage
from tests.support.flows import borrow, pay_form
from tests.support.web import AuthActions


def _money(cents: int) -> str:
    return format_money(cents, "USD")


def _nav(html: str) -> str:
    return html.split('<nav class="user-nav"')[1].split("</nav>")[0]


def _loan_charges(stripe_base, loan: Loan) -> list[dict]:
    r = requests.get(f"{stripe_base}/v1/payment_intents", auth=("sk_test_installmall", ""), timeout=5)
    return [pi for pi in r.json()["data"] if (pi.get("metadata") or {}).get("loan") == loan.number]


def test_the_account_home_shows_orders_credit_line_loans_and_settings_from_the_menu(client, stripe_base, session):
    loan = borrow(client, stripe_base, session)
    nav = _nav(client.get("/").get_data(as_text=True))
    assert 'href="/account"' in nav and ">My account<" in nav and ">Cart" in nav
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    orders = html.split('data-testid="account-orders"')[1].split("</section>")[0]
    assert loan.order.number in orders and _money(loan.cash_price_cents) in orders
    credit = html.split('data-testid="account-credit"')[1].split("</section>")[0]
    assert 'data-testid="credit-line"' in credit and 'data-testid="available-credit"' in credit
    loans = html.split('data-testid="account-loans"')[1].split("</section>")[0]
    assert f'href="/account/credit/loans/{loan.number}"' in loans
    settings = html.split('data-testid="account-settings"')[1].split("</section>")[0]
    assert "shopper@example.com" in settings and f"Autopay, loan {loan.number}" in settings
    assert 'href="/privacy"' in settings
    sent = session.scalars(select(OutboxMessage).filter_by(user_id=loan.user_id)).all()
    # Notices only when there are real ones, each one listed; never a made-up list.
    assert ('data-testid="account-notices"' in html) is bool(sent)


def test_staff_and_merchants_get_no_cart_or_my_orders_and_no_shopper_home(app, client, session):
    for email in ("merchant@example.com", "reviewer@example.com", "admin@example.com"):
        visitor = app.test_client()
        AuthActions(visitor).login(email)
        nav = _nav(visitor.get("/").get_data(as_text=True))
        assert ">Cart" not in nav and "My orders" not in nav and "My account" not in nav, email
        assert visitor.get("/account").status_code == 403, email
    response = client.get("/account")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert ">Cart" in _nav(client.get("/").get_data(as_text=True))


def test_a_financed_order_shows_its_down_payment_and_links_to_its_loan_and_back(client, stripe_base, session):
    loan = borrow(client, stripe_base, session, sku="VC-PHN-02", product="pay_in_4")
    assert loan.down_payment_cents > 0
    html = client.get(f"/account/orders/{loan.order.number}").get_data(as_text=True)
    payments = html.split('data-testid="order-payments"')[1].split("</table>")[0]
    assert "None" not in payments
    assert f"down payment on loan {loan.number}" in payments and _money(loan.down_payment_cents) in payments
    assert f'href="/account/credit/loans/{loan.number}"' in html.split('data-testid="order-loan"')[1]
    assert 'data-testid="shipping-line"' in html
    loan_html = client.get(f"/account/credit/loans/{loan.number}").get_data(as_text=True)
    assert f'href="/account/orders/{loan.order.number}" data-testid="loan-order"' in loan_html


def test_on_the_day_a_loan_starts_nothing_is_due_and_the_next_payment_has_its_date(client, stripe_base, session):
    loan = borrow(client, stripe_base, session)
    first = loan.installments[0]
    html = client.get(f"/account/credit/loans/{loan.number}").get_data(as_text=True)
    assert f'data-testid="due-today">{_money(0)}<' in html
    assert f'data-testid="overdue">{_money(0)}<' in html
    assert f'data-testid="next-payment">{_money(first.total_cents)} due {first.due_on}<' in html
    explained = html.split('data-testid="due-explained">')[1].split("</p>")[0]
    assert "Nothing is due today." in explained and "optional" in explained


def test_autopay_turns_off_and_on_with_the_form_as_the_page_renders_it(client, stripe_base, session):
    loan = borrow(client, stripe_base, session)
    url = f"/account/credit/loans/{loan.number}"
    for state in ("off", "on"):
        html = client.get(url).get_data(as_text=True)
        form = html.split(f'action="{url}/autopay"')[1].split("</form>")[0]
        fields = re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form)
        assert [name for name, _ in fields].count("autopay") == 1 and ("autopay", state) in fields
        assert client.post(f"{url}/autopay", data=dict(fields)).status_code == 302
        session.expire_all()
        assert session.get(Loan, loan.id).autopay is (state == "on")
    tampered = dict(fields, autopay="maybe")
    assert client.post(f"{url}/autopay", data=tampered).status_code == 400


def test_paying_the_same_amount_again_within_minutes_asks_for_confirmation_first(client, stripe_base, session):
    loan = borrow(client, stripe_base, session)
    pay = f"/account/credit/loans/{loan.number}/pay"
    first_form = pay_form(client, loan)
    first = client.post(pay, data=first_form)
    assert first.status_code == 302
    # Back button, a reloaded form (a new payment key), the same amount again:
    again = pay_form(client, loan)
    response = client.post(pay, data=again)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "You already paid" in html and 'data-testid="confirm-repeat"' in html
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id, kind="next")) == 1
    assert len(_loan_charges(stripe_base, loan)) == 1
    # The very same form sent again (same payment key) lands on its receipt without asking or charging:
    resent = client.post(pay, data=first_form)
    assert resent.status_code == 302 and resent.headers["Location"] == first.headers["Location"]
    assert len(_loan_charges(stripe_base, loan)) == 1
    confirmed = client.post(pay, data=again | {"confirm_repeat": "y"})
    assert confirmed.status_code == 302 and "/receipts/" in confirmed.headers["Location"]
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id, kind="next")) == 2
    assert len(_loan_charges(stripe_base, loan)) == 2


def test_a_different_amount_is_paid_without_asking(client, stripe_base, session):
    loan = borrow(client, stripe_base, session)
    pay = f"/account/credit/loans/{loan.number}/pay"
    assert client.post(pay, data=pay_form(client, loan)).status_code == 302
    assert client.post(pay, data=pay_form(client, loan, kind="amount", amount="12.34")).status_code == 302
