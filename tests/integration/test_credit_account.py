"""The shopper's credit account (/account/credit): line, available credit and
loans; a loan's schedule, transactions and signed agreement; paying the next
installment, any amount or the whole loan with the card on file or a new
card; autopay; and that nobody else can see or pay someone's loan."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import requests
from sqlalchemy import func, select

from credit.servicing import accrued_interest_cents
from shop.formatting import format_money
from shop.models import CreditAccount, Listing, Loan, LoanPayment
from shop.services import ledger, repayments
from tests.support.web import AuthActions, Shopper, accept_offer, apply_for_credit, csrf_token, save_card

PAYMENT_KEY_RE = re.compile(r'name="payment_key" type="hidden" value="([^"]+)"')
SECRET_RE = re.compile(r'data-client-secret="(seti_[^"]+)"')


def _borrow(client, stripe_base, session, sku="VC-LTP-01", product="monthly_12", email=None) -> Loan:
    """Log in (the demo shopper, or register `email`), apply and take `product` for one `sku`."""
    auth, shopper = AuthActions(client), Shopper(client, stripe_base)
    if email:
        assert auth.register(email).status_code == 302
    else:
        auth.login()
    shopper.add(session.scalars(select(Listing).filter_by(sku=sku)).one().id)
    assert shopper.enter_address().status_code == 302
    assert apply_for_credit(client, national_id="987-65-4321" if email else "123-45-6789").status_code == 302
    response, _ = accept_offer(client, stripe_base, product)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    session.expire_all()
    return session.scalars(select(Loan).order_by(Loan.id.desc())).first()


def _pay_page(client, loan: Loan) -> tuple[str, str, str]:
    """(html, payment key, SetupIntent client secret) of the loan's pay page."""
    page = client.get(f"/account/credit/loans/{loan.number}/pay")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, PAYMENT_KEY_RE.search(html).group(1), SECRET_RE.search(html).group(1)


def _pay(client, stripe_base, loan: Loan, kind="next", amount="", new_card: str | None = None):
    """Open the pay page and submit it; with `new_card`, save that card with the page's SetupIntent."""
    _, key, secret = _pay_page(client, loan)
    data = {
        "csrf_token": csrf_token(client),
        "payment_key": key,
        "kind": kind,
        "amount": amount,
        "card": "saved",
        "setup_intent_id": "",
    }
    if new_card:
        save_card(stripe_base, secret, new_card)
        data.update(card="new", setup_intent_id=secret.split("_secret_")[0])
    return client.post(f"/account/credit/loans/{loan.number}/pay", data=data), data


def _payment_intents(stripe_base) -> list[dict]:
    r = requests.get(f"{stripe_base}/v1/payment_intents", auth=("sk_test_installmall", ""), timeout=5)
    return r.json()["data"]


def _repayment_charges(stripe_base, loan: Loan) -> list[dict]:
    return [
        pi
        for pi in _payment_intents(stripe_base)
        if pi["status"] == "succeeded" and (pi.get("metadata") or {}).get("loan") == loan.number
    ]


def _money(cents: int) -> str:
    return format_money(cents, "USD")


def _principal_left(session, loan: Loan) -> int:
    return ledger.loan_principal_cents(session, loan.id)


def test_credit_page_shows_line_available_credit_tier_and_each_loan(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    account = session.scalars(select(CreditAccount).filter_by(user_id=loan.user_id)).one()
    html = client.get("/account/credit").get_data(as_text=True)
    assert f'data-testid="credit-line">{_money(account.credit_line_cents)}<' in html
    assert f'data-testid="available-credit">{_money(account.credit_line_cents - loan.financed_cents)}<' in html
    assert f"<strong>{account.tier}</strong>" in html
    first = loan.installments[0]
    [row] = [tr for tr in html.split("<tr>") if f">{loan.number}</a>" in tr]
    assert (
        "<td>active</td>" in row and f"<td>{first.due_on}</td>" in row and f">{_money(first.total_cents)}</td>" in row
    )


def test_loan_page_shows_schedule_chart_with_paid_due_and_overdue_transactions_and_agreement(
    client, stripe_base, session
):
    loan = _borrow(client, stripe_base, session, sku="VC-PHN-02", product="pay_in_4")
    # Arrange: the second payment fell due yesterday and was not paid.
    second = loan.installments[1]
    second.due_on = date.today() - timedelta(days=1)
    session.commit()
    html = client.get(f"/account/credit/loans/{loan.number}").get_data(as_text=True)
    assert 'data-testid="schedule-chart"' in html and 'data-testid="schedule-table"' in html
    assert '<g class="bar paid">' in html and '<g class="bar overdue">' in html and '<g class="bar due">' in html
    assert html.count("<td>paid</td>") == 1 and html.count("<td>overdue</td>") == 1 and html.count("<td>due</td>") == 2
    assert f'data-testid="principal-left">{_money(loan.financed_cents)}<' in html
    # The overdue payment is due today; the next one has its own date.
    third = loan.installments[2]
    assert f'data-testid="overdue">{_money(second.total_cents)}<' in html
    assert f'data-testid="due-today">{_money(second.total_cents)}<' in html
    assert f'data-testid="next-payment">{_money(third.total_cents)} due {third.due_on}<' in html
    transactions = html.split('data-testid="transactions"')[1].split("</table>")[0]
    assert "down payment" in transactions and _money(loan.down_payment_cents) in transactions
    agreement = client.get(f"/account/credit/loans/{loan.number}/agreement")
    text = agreement.get_data(as_text=True)
    assert agreement.status_code == 200
    assert 'data-testid="disclosure"' in text and "ANNUAL PERCENTAGE RATE" in text and "Total of Payments" in text
    assert "signed by Sam Shopper" in text and loan.number in text


def test_paying_the_next_installment_with_the_card_on_file_shows_the_split(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    first = loan.installments[0]
    html, _, _ = _pay_page(client, loan)
    assert f'data-testid="due-now">{_money(first.total_cents)}<' in html
    response, _ = _pay(client, stripe_base, loan, "next")
    assert response.status_code == 302 and "/receipts/" in response.headers["Location"]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Payment received: {_money(first.total_cents)}" in receipt
    split = receipt.split('data-testid="allocation"')[1].split("</table>")[0]
    # Paid on the day the loan starts: no day has passed, so no interest is due; it all goes to principal.
    assert f'<td>principal</td><td class="num">{_money(first.total_cents)}</td>' in split
    assert "<td>interest</td>" not in split
    session.expire_all()
    [payment] = session.scalars(select(LoanPayment).filter_by(loan_id=loan.id, kind="next")).all()
    assert payment.amount_cents == first.total_cents
    assert payment.allocation == {
        "fees_cents": 0,
        "interest_cents": 0,
        "principal_cents": first.total_cents,
        "paid_ahead_cents": 0,
    }
    assert session.get(Loan, loan.id).installments[0].is_paid
    assert _principal_left(session, loan) == loan.financed_cents - first.total_cents
    [charge] = _repayment_charges(stripe_base, loan)
    assert charge["amount"] == first.total_cents and charge["payment_method"] == loan.stripe_payment_method_id


def test_paying_more_than_the_installment_reduces_future_principal_from_the_end(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    first, last = loan.installments[0], loan.installments[-1]
    count_before = len(loan.installments)
    interest_before = sum(i.interest_cents for i in loan.installments)
    level = [i.total_cents for i in loan.installments[1:-1]]
    last_total = last.total_cents
    extra = 5000
    amount = first.total_cents + extra
    response, _ = _pay(client, stripe_base, loan, "amount", str(Decimal(amount) / 100))
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    split = receipt.split('data-testid="allocation"')[1].split("</table>")[0]
    assert f'<td>principal</td><td class="num">{_money(amount)}</td>' in split  # paid on day one: no interest
    assert f'data-testid="paid-ahead">{_money(extra)}' in receipt
    session.expire_all()
    loan = session.get(Loan, loan.id)
    assert loan.installments[0].is_paid
    # The next installments keep their level amount; the loan ends sooner (the last shrinks or drops off)
    # and the loan's interest, by day on the lower balance, goes down.
    rest = loan.installments[1:]
    assert len(loan.installments) <= count_before
    assert [i.total_cents for i in rest[:-1]] == level[: len(rest) - 1]
    assert rest[-1].total_cents < last_total or len(loan.installments) < count_before
    assert sum(i.interest_cents for i in loan.installments) < interest_before
    assert _principal_left(session, loan) == loan.financed_cents - amount
    page = client.get(f"/account/credit/loans/{loan.number}").get_data(as_text=True)
    assert f'data-testid="principal-left">{_money(loan.financed_cents - amount)}<' in page


def test_an_amount_above_the_balance_is_refused_with_a_clear_message_and_nothing_charged(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    response, _ = _pay(client, stripe_base, loan, "amount", "5000.00")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'data-testid="payment-error"' in html and "That is more than you owe" in html and "Pay off" in html
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id)) == 0
    assert _repayment_charges(stripe_base, loan) == []
    assert _principal_left(session, loan) == loan.financed_cents


def test_payoff_quote_is_principal_plus_accrued_interest_and_paying_it_closes_the_loan(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    account = session.scalars(select(CreditAccount).filter_by(user_id=loan.user_id)).one()
    # Arrange: the loan started ten days ago, so ten days of interest have accrued.
    loan.start_on = date.today() - timedelta(days=10)
    session.commit()
    interest = accrued_interest_cents(loan.financed_cents, Decimal(loan.rate_bps) / 10000, loan.start_on, date.today())
    assert interest > 0
    html, _, _ = _pay_page(client, loan)
    assert f'data-testid="payoff-quote">{_money(loan.financed_cents + interest)}<' in html
    assert f"principal {_money(loan.financed_cents)} + interest {_money(interest)}" in html
    assert "no prepayment penalty" in html
    response, _ = _pay(client, stripe_base, loan, "payoff")
    assert response.status_code == 302
    assert f"Payment received: {_money(loan.financed_cents + interest)}" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    page = client.get(f"/account/credit/loans/{loan.number}").get_data(as_text=True)
    assert 'data-testid="loan-status">paid off<' in page and f'data-testid="principal-left">{_money(0)}<' in page
    assert "Pay now" not in page
    credit = client.get("/account/credit").get_data(as_text=True)
    assert f'data-testid="available-credit">{_money(account.credit_line_cents)}<' in credit
    [charge] = _repayment_charges(stripe_base, loan)
    assert charge["amount"] == loan.financed_cents + interest
    # The pay page of a paid-off loan sends the shopper back to the loan.
    assert client.get(f"/account/credit/loans/{loan.number}/pay").status_code == 302


def test_a_new_card_can_be_used_instead_of_the_card_on_file(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    response, data = _pay(client, stripe_base, loan, "next", new_card="4242424242424242")
    assert response.status_code == 302
    [charge] = _repayment_charges(stripe_base, loan)
    assert charge["payment_method"] and charge["payment_method"] != loan.stripe_payment_method_id
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id, kind="next")) == 1


def test_a_declined_new_card_gives_a_message_and_records_nothing(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    response, _ = _pay(client, stripe_base, loan, "next", new_card="4000000000000341")
    assert response.status_code == 402
    html = response.get_data(as_text=True)
    assert 'data-testid="payment-error"' in html and "declined" in html.lower()
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id)) == 0
    assert not session.get(Loan, loan.id).installments[0].paid_principal_cents
    assert _principal_left(session, loan) == loan.financed_cents
    assert _repayment_charges(stripe_base, loan) == []


def test_autopay_can_be_turned_off_and_on_again(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    url = f"/account/credit/loans/{loan.number}"
    assert 'data-testid="autopay">on<' in client.get(url).get_data(as_text=True)
    for state in ("off", "on"):
        response = client.post(f"{url}/autopay", data={"csrf_token": csrf_token(client, url), "autopay": state})
        assert response.status_code == 302
        assert f'data-testid="autopay">{state}<' in client.get(url).get_data(as_text=True)
        session.expire_all()
        assert session.get(Loan, loan.id).autopay is (state == "on")


def test_another_shoppers_loan_is_not_found_on_every_loan_route(app, client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    paid, _ = _pay(client, stripe_base, loan, "next")
    receipt_url = paid.headers["Location"]
    other = app.test_client()
    AuthActions(other).register("someone-else@example.com")
    base = f"/account/credit/loans/{loan.number}"
    for path in (base, f"{base}/agreement", f"{base}/pay", receipt_url):
        assert other.get(path).status_code == 404, path
    token = csrf_token(other)
    assert (
        other.post(
            f"{base}/pay", data={"csrf_token": token, "payment_key": "x" * 32, "kind": "payoff", "card": "saved"}
        ).status_code
        == 404
    )
    assert other.post(f"{base}/autopay", data={"csrf_token": token, "autopay": "off"}).status_code == 404
    assert loan.number not in other.get("/account/credit").get_data(as_text=True)
    session.expire_all()
    assert session.get(Loan, loan.id).status == "active" and session.get(Loan, loan.id).autopay is True
    assert len(_repayment_charges(stripe_base, loan)) == 1


def test_logged_out_visitors_are_sent_to_log_in(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    AuthActions(client).logout()
    base = f"/account/credit/loans/{loan.number}"
    for path in ("/account/credit", base, f"{base}/agreement", f"{base}/pay"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], path
    response = client.post(
        f"{base}/pay", data={"csrf_token": csrf_token(client), "payment_key": "k" * 32, "kind": "next", "card": "saved"}
    )
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id)) == 0


def test_submitting_the_same_payment_form_twice_pays_once(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    first, data = _pay(client, stripe_base, loan, "next")
    again = client.post(f"/account/credit/loans/{loan.number}/pay", data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    session.expire_all()
    assert session.scalar(select(func.count(LoanPayment.id)).filter_by(loan_id=loan.id, kind="next")) == 1
    assert len(_repayment_charges(stripe_base, loan)) == 1
    assert _principal_left(session, loan) == loan.financed_cents - loan.installments[0].principal_cents


def test_the_agreement_states_the_interest_method_the_loan_is_serviced_with(client, stripe_base, session):
    loan = _borrow(client, stripe_base, session)
    text = client.get(f"/account/credit/loans/{loan.number}/agreement").get_data(as_text=True)
    assert "daily simple interest" in text and "divided by 365" in text
    assert "interest accrued up to the day of the payment, then to principal" in text
    assert "interest only up to the payoff date" in text


def test_an_early_installment_a_part_payment_and_a_payoff_on_the_same_day_agree_to_the_cent(
    client, stripe_base, session
):
    loan = _borrow(client, stripe_base, session)
    with client.application.app_context():
        quote_before = repayments.payoff_quote(session.get(Loan, loan.id), date.today()).total_cents
    first = loan.installments[0]
    assert _pay(client, stripe_base, loan, "next")[0].status_code == 302
    assert _pay(client, stripe_base, loan, "amount", "123.45")[0].status_code == 302
    session.expire_all()
    assert repayments.payoff_quote(session.get(Loan, loan.id), date.today()).total_cents == (
        quote_before - first.total_cents - 12345
    )
    assert _pay(client, stripe_base, loan, "payoff")[0].status_code == 302
    session.expire_all()
    paid = session.scalars(select(LoanPayment).filter_by(loan_id=loan.id)).all()
    after_down = [p for p in paid if p.kind != "down_payment"]
    # Three payments on the day the loan started: together exactly the payoff quote before them, no interest.
    assert sum(p.amount_cents for p in after_down) == quote_before
    assert sum(p.allocation["interest_cents"] for p in after_down) == 0
    assert session.get(Loan, loan.id).status == "paid_off" and _principal_left(session, loan) == 0
