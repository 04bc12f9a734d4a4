"""Pay over time at checkout: apply, decision, offers, agreement, down payment, loan booking."""

from __future__ import annotations

from sqlalchemy import func, select, text

from shop.models import CreditApplication, JournalEntry, Listing, Loan, Order
from tests.support.web import accept_offer, apply_for_credit


def _ready(shopper, auth, session, sku="VC-LTP-01", quantity=1):
    auth.login()
    shopper.add(session.scalars(select(Listing).filter_by(sku=sku)).one().id, quantity)
    assert shopper.enter_address().status_code == 302


def test_approved_shopper_buys_a_laptop_over_12_months(shopper, auth, session, client, stripe_base):
    _ready(shopper, auth, session)
    assert "Get my decision" in client.get("/checkout/credit").get_data(as_text=True)
    response = apply_for_credit(client)
    assert response.status_code == 302
    offers = client.get("/checkout/credit").get_data(as_text=True)
    assert "You're approved" in offers and 'data-testid="offer-monthly_12"' in offers
    assert 'data-testid="plan-picker"' in offers and 'data-testid="total-cost"' in offers
    agreement = client.get("/checkout/credit/offers/monthly_12").get_data(as_text=True)
    assert "ANNUAL PERCENTAGE RATE" in agreement and 'data-testid="schedule-chart"' in agreement
    assert (
        "<svg" in agreement.split('data-testid="schedule-chart"')[1]
        and "<script" not in agreement.split("<main")[1].split("</main>")[0]
    )
    response, _ = accept_offer(client, stripe_base, "monthly_12")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    loan = session.scalars(select(Loan)).one()
    assert response.headers["Location"].endswith(f"/account/credit/loans/{loan.number}")
    assert loan.cash_price_cents == 129900 and loan.financed_cents + loan.down_payment_cents == 129900
    assert sum(i.principal_cents for i in loan.installments) == 129900
    entries = session.scalars(select(JournalEntry)).all()
    assert sum(e.debit_cents for e in entries) == sum(e.credit_cents for e in entries)
    order = session.scalars(select(Order)).one()
    assert order.status == "financed" and order.payment_kind == "credit"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert loan.number in page and "Pay now" in page


def test_no_consent_means_no_application_and_no_decision(shopper, auth, session, client):
    _ready(shopper, auth, session)
    response = apply_for_credit(client, consent=None)
    assert response.status_code == 400
    assert "Please tick the consent box to apply." in response.get_data(as_text=True)
    assert session.scalar(select(func.count(CreditApplication.id))) == 0


def test_national_id_is_encrypted_at_rest_with_the_last_four_in_clear(shopper, auth, session, client):
    _ready(shopper, auth, session)
    apply_for_credit(client, national_id="987-65-4321")
    raw = session.execute(
        text("select national_id, national_id_last4, national_id_hash, legal_name from credit_applications")
    ).one()
    assert "987654321" not in raw[0] and "4321" not in raw[0] and raw[0].startswith("gAAAA")
    assert raw[1] == "4321"
    assert "987654321" not in raw[2] and len(raw[2]) == 64
    assert "Sam" not in raw[3]
    decision = session.execute(text("select result from credit_decisions")).scalar_one()
    assert "1985-04-12" not in decision and decision.startswith("gAAAA")  # inputs hold the birth date


def test_a_second_application_within_30_days_reuses_the_decision(shopper, auth, session, client):
    _ready(shopper, auth, session)
    apply_for_credit(client, billing_region="IA")  # declined: a state we do not serve
    response = apply_for_credit(client)  # the same form again, now with an eligible state
    assert response.status_code == 302 and response.headers["Location"].endswith("/checkout/credit")
    assert session.scalar(select(func.count(CreditApplication.id))) == 1
    assert "we do not offer credit in your state" in client.get("/checkout/credit").get_data(as_text=True)
