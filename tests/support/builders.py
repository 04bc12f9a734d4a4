"""Builders for service-level tests: an approved shopper, a saved card, a
booked loan, the books-balance assertion."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select

from shop.gateways import stripe as payments
from shop.models import CreditAccount, Listing, Loan, User
from shop.services import applications, ledger, loans, orders
from tests.support.web import save_card

ADDRESS = orders.Address("Sam Shopper", "1 Main Street", "", "Springfield", "IL", "62701")
ACCEPTANCE = loans.Acceptance("Sam Shopper", "127.0.0.1", "pytest")
_serial = itertools.count(1)


def approved_shopper(s, *, tier: str | None = None, line_cents: int | None = None, today: date | None = None) -> User:
    """A new shopper approved through shop.applications.submit_application.

    Each shopper gets their own national ID, IP and device so the fraud
    velocity rules never see them as the same person.  `tier` and
    `line_cents` then override what the engine granted (to reach offers
    with down payments or a small line)."""
    n = next(_serial)
    user = User(email=f"ledger-{n}-{id(s)}@example.com", name="Sam Shopper", password_hash="x")
    s.add(user)
    s.flush()
    laptop = s.scalars(select(Listing).filter_by(sku="VC-LTP-01")).one()
    data = applications.ApplicationData(
        legal_name="Sam Shopper",
        date_of_birth=date(1985, 4, 12),
        national_id=f"{100 + n % 800:03d}-45-{n % 10000:04d}",
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
    meta = applications.RequestMeta(ip=f"10.{n // 250 % 250}.{n % 250}.1", user_agent="pytest", device_id=f"dev-{n}")
    _, decision = applications.submit_application(s, user, data, meta, [(laptop, 1)], "IL", today=today)
    assert decision.outcome == "approved", decision.result
    account = s.scalars(select(CreditAccount).filter_by(user_id=user.id)).one()
    if tier is not None:
        account.tier = tier
    if line_cents is not None:
        account.credit_line_cents = line_cents
    s.flush()
    return user


def saved_card(s, user: User, stripe_base: str, number: str = "4242424242424242") -> str:
    """Save a card for the shopper as Stripe.js would; returns the payment method id."""
    customer = payments.ensure_customer(user)
    setup_intent, secret = payments.create_setup_intent(customer)
    s.flush()
    assert save_card(stripe_base, secret, number)["status"] == "succeeded"
    return payments.payment_method_of_setup_intent(setup_intent, customer)


def listing_by_sku(s, sku: str) -> Listing:
    return s.scalars(select(Listing).filter_by(sku=sku)).one()


listing = listing_by_sku


def book(s, user: User, sku: str, product: str, pm: str, today: date) -> Loan:
    _, loan = loans.place_credit_order(
        s,
        user,
        [orders.Line(listing(s, sku).id, 1)],
        ADDRESS,
        key=f"checkout-{next(_serial)}",
        product=product,
        payment_method_id=pm,
        acceptance=ACCEPTANCE,
        today=today,
    )
    return loan


def assert_books_balance(s) -> None:
    """Every transaction balances and the trial balance sums to zero."""
    assert ledger.unbalanced_transactions(s) == []
    assert sum(ledger.trial_balance(s).values()) == 0


def schedule_outstanding_cents(loan: Loan) -> int:
    return sum(i.principal_cents - i.paid_principal_cents for i in loan.installments)


def servicing_loan(s, stripe_base: str, start_on: date, *, card: str = "4242424242424242", autopay: bool = False):
    """A monthly_12 laptop loan booked on `start_on` (a past date, so the daily
    run can walk the calendar up to today); autopay off unless asked."""
    user = approved_shopper(s, today=start_on)
    pm = saved_card(s, user, stripe_base, card)
    loan = book(s, user, "VC-LTP-01", "monthly_12", pm, start_on)
    loan.autopay = autopay
    s.commit()
    return user, loan, pm


def first_installment(loan: Loan):
    return next(i for i in loan.installments if i.kind == "installment")
