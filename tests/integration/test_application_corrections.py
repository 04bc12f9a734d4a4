"""What the application form can check itself (age, impossible dates, the
shape of a Social Security number) is a field error before anything is
decided or stored; a shopper declined only on such an input (a decision made
before these checks existed) corrects the application instead of having the
decline reused for 30 days; other declines are still reused."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import CreditApplication, CreditDecision, User
from shop.services import applications
from tests.support.builders import listing_by_sku
from tests.support.web import GOOD_APPLICANT, AuthActions, Shopper, apply_for_credit


def _ready(client, stripe_base, session):
    """The demo shopper, logged in, with a laptop in the cart and an address entered."""
    AuthActions(client).login()
    shopper = Shopper(client, stripe_base)
    shopper.add(listing_by_sku(session, "VC-LTP-01").id)
    assert shopper.enter_address().status_code == 302


def _count(session, model) -> int:
    return session.scalar(select(func.count(model.id))) or 0


def _fifteen_years_ago() -> str:
    today = date.today()
    return today.replace(year=today.year - 15, day=min(today.day, 28)).isoformat()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", _fifteen_years_ago(), "You must be 18 or older to apply for credit."),
        ("date_of_birth", "2001-02-30", "Enter a real date, like 1985-04-12."),
        ("date_of_birth", "2999-01-01", "that date is not in the past"),
        ("date_of_birth", "1850-01-01", "Check the year of your date of birth."),
        ("national_id", "000-12-3456", "not a Social Security number that can be issued"),
        ("national_id", "123-00-4567", "not a Social Security number that can be issued"),
        ("national_id", "666-12-3456", "not a Social Security number that can be issued"),
        ("national_id", "12-345-678", "Enter 9 digits, like 123-45-6789."),
    ],
)
def test_an_input_the_form_can_check_is_a_field_error_and_nothing_is_decided_or_stored(
    client, stripe_base, session, field, value, message
):
    _ready(client, stripe_base, session)
    response = apply_for_credit(client, **{field: value})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f'<p class="error" id="{field}-error">' in page and message in page.split(f'id="{field}-error">')[1]
    assert _count(session, CreditApplication) == 0 and _count(session, CreditDecision) == 0


def test_a_social_security_number_typed_with_spaces_is_accepted(client, stripe_base, session):
    _ready(client, stripe_base, session)
    assert apply_for_credit(client, national_id="123 45 6789").status_code == 302
    assert session.scalars(select(CreditApplication)).one().national_id_last4 == "6789"


def _declined_on_age_before_the_form_checked_it(app) -> None:
    """A decision the engine made on a 15-year-old's date of birth (the typo of issue 14)."""
    with app.app_context():
        _submit_as_a_fifteen_year_old(db.session)


def _submit_as_a_fifteen_year_old(session) -> None:
    user = session.scalars(select(User).filter_by(email="shopper@example.com")).one()
    data = applications.ApplicationData(
        legal_name="Sam Shopper",
        date_of_birth=date.fromisoformat(_fifteen_years_ago()),
        national_id="123-45-6789",
        monthly_income_cents=650_000,
        income_source="employed",
        employment_months=60,
        housing="own",
        other_installment_plans="none",
        savings_band="2500_plus",
        checking_band="480_plus",
        residence_years=6,
        billing_region="IL",
        existing_monthly_debt_cents=0,
        consent=True,
    )
    meta = applications.RequestMeta(ip="127.0.0.1", user_agent="pytest", device_id=None)
    laptop = listing_by_sku(session, "VC-LTP-01")
    _, decision = applications.submit_application(session, user, data, meta, [(laptop, 1)], "IL")
    session.commit()
    assert decision.outcome == "declined" and decision.result["reason_codes"] == ["under_age"]


def test_a_shopper_declined_only_on_a_mistyped_birth_date_corrects_it_and_is_decided_again(
    app, client, stripe_base, session
):
    _declined_on_age_before_the_form_checked_it(app)
    _ready(client, stripe_base, session)
    page = client.get("/checkout/credit").get_data(as_text=True)
    assert 'data-testid="application-form"' in page and 'data-testid="correcting"' in page
    assert 'data-testid="declined"' not in page
    response = apply_for_credit(client, date_of_birth=GOOD_APPLICANT["date_of_birth"])
    assert response.status_code == 302
    assert "You're approved" in client.get("/checkout/credit").get_data(as_text=True)
    outcomes = session.scalars(select(CreditDecision.outcome).order_by(CreditDecision.id)).all()
    assert outcomes == ["declined", "approved"]


def test_a_decline_for_another_reason_is_still_reused(client, stripe_base, session):
    _ready(client, stripe_base, session)
    assert apply_for_credit(client, billing_region="IA").status_code == 302  # a state we do not serve
    page = client.get("/checkout/credit").get_data(as_text=True)
    assert 'data-testid="declined"' in page and 'data-testid="application-form"' not in page
    again = apply_for_credit(client)
    assert again.status_code == 302 and _count(session, CreditApplication) == 1
