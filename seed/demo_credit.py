"""Lending demo data for the staff portal: a few referred applications
waiting in the review queue, and loans in several states (current, past due
with a late fee, paid off by an offline payment).

Separate from seed_demo (the test template database is built from that one
alone, so tests keep starting from an empty credit book); `flask seed demo`
runs both.  Idempotent: borrowers are looked up by e-mail.  Needs no Stripe:
demo borrowers get a placeholder Stripe customer and offers without a down
payment, so nothing is charged.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from seed.demo import DEMO_PASSWORD
from shop.models import CreditAccount, Listing, Loan, User, utcnow
from shop.models.base import DbSession
from shop.services import applications, holds, ledger, loans, orders, repayments, servicing_actions

# (e-mail, name, SKU, billing region, hours since applying) — billing CA, shipping IL: referred for review
REFERRED = [
    ("pat.referred@example.com", "Pat Quinn", "VC-LTP-01", 30),
    ("alex.referred@example.com", "Alex Moreno", "HH-SOF-01", 5),
    ("jo.referred@example.com", "Jo Okafor", "VC-APL-01", 1),
]
# (e-mail, name, SKU, days ago booked, state)
LOANS = [
    ("dana.current@example.com", "Dana Demo", "VC-PHN-01", 3, "current"),
    ("lee.pastdue@example.com", "Lee Late", "VC-TV-01", 75, "past_due"),
    ("kim.paidoff@example.com", "Kim Clear", "HH-DSK-01", 40, "paid_off"),
]
LATE_FEE_CENTS = 1500


def _applicant(name: str, n: int, billing: str) -> applications.ApplicationData:
    return applications.ApplicationData(
        legal_name=name,
        date_of_birth=date(1980 + n, 3, 14),
        national_id=f"{500 + n:03d}-{10 + n:02d}-{4000 + 37 * n:04d}",
        monthly_income_cents=720_000,
        income_source="employed",
        employment_months=72,
        housing="own",
        other_installment_plans="none",
        savings_band="2500_plus",
        checking_band="480_plus",
        residence_years=7,
        billing_region=billing,
        existing_monthly_debt_cents=0,
        consent=True,
    )


def _borrower(s: DbSession, email: str, name: str, password_hash: str) -> User | None:
    """A new demo borrower, or None when they exist already (idempotent)."""
    if s.scalars(select(User).filter_by(email=email)).first() is not None:
        return None
    user = User(
        email=email, name=name, role="shopper", password_hash=password_hash, stripe_customer_id=f"cus_demo_{email[:8]}"
    )
    s.add(user)
    s.flush()
    return user


def _apply(s: DbSession, user: User, n: int, listing: Listing, billing: str, today: date):
    meta = applications.RequestMeta(ip=f"192.0.2.{40 + n}", user_agent="demo seed", device_id=f"demo-device-{n}")
    return applications.submit_application(
        s, user, _applicant(user.name, n, billing), meta, [(listing, 1)], "IL", today
    )


def _address(name: str) -> orders.Address:
    return orders.Address(name, f"{10 + len(name)} Demo Street", "", "Springfield", "IL", "62701")


def seed_referred(s: DbSession, password_hash: str) -> int:
    created = 0
    for n, (email, name, sku, hours) in enumerate(REFERRED, start=1):
        user = _borrower(s, email, name, password_hash)
        if user is None:
            continue
        listing = s.scalars(select(Listing).filter_by(sku=sku)).one()
        application, decision = _apply(s, user, n, listing, "CA", utcnow().date())
        if decision.outcome != "referred":
            continue
        application.created_at = utcnow() - timedelta(hours=hours)
        holds.hold_order_for_review(
            s, user, [orders.Line(listing.id, 1)], _address(name), f"demo-hold-{n}", application.id
        )
        created += 1
    return created


def _book(s: DbSession, user: User, n: int, sku: str, booked_on: date) -> Loan:
    listing = s.scalars(select(Listing).filter_by(sku=sku)).one()
    _, decision = _apply(s, user, 10 + n, listing, "IL", booked_on)
    account = s.scalars(select(CreditAccount).filter_by(user_id=user.id)).one()
    account.tier = "A"  # tier A: monthly offers without a down payment, so nothing is charged
    account.credit_line_cents = max(account.credit_line_cents, listing.price_cents * 2)
    _, loan = loans.place_credit_order(
        s,
        user,
        [orders.Line(listing.id, 1)],
        _address(user.name),
        key=f"demo-loan-{n}",
        product="monthly_12",
        payment_method_id="pm_demo_offline",
        acceptance=loans.Acceptance(user.name, "192.0.2.1", "demo seed"),
        today=booked_on,
    )
    return loan


def seed_loans(s: DbSession, password_hash: str, today: date | None = None) -> int:
    today = today or utcnow().date()
    staff = s.scalars(select(User).filter_by(email="collections@example.com")).one()
    created = 0
    for n, (email, name, sku, days_ago, state) in enumerate(LOANS, start=1):
        user = _borrower(s, email, name, password_hash)
        if user is None:
            continue
        loan = _book(s, user, n, sku, today - timedelta(days=days_ago))
        if state == "past_due":
            overdue = next(i for i in loan.installments if i.due_on < today and not i.is_paid)
            overdue.fee_cents = LATE_FEE_CENTS  # a late fee, booked as the daily run assesses it
            ids = {"loan_id": loan.id, "user_id": loan.user_id}
            ledger.post(
                s,
                "late_fee",
                [
                    ledger.debit("late_fee_receivable", LATE_FEE_CENTS, **ids),
                    ledger.credit("late_fee_income", LATE_FEE_CENTS),
                ],
                posted_on=today,
                loan_id=loan.id,
                memo=f"{loan.number}: late fee (demo)",
            )
        elif state == "paid_off":
            payoff = repayments.payoff_quote(loan, today).total_cents
            servicing_actions.record_offline_payment(
                s, staff, loan, payoff, "Demo: paid off by bank transfer", f"demo-payoff-{n}", today
            )
        s.flush()
        created += 1
    return created


def seed_lending_demo(s: DbSession, password_hash: str | None = None) -> dict[str, int]:
    """Referred applications and loans for the staff portal; returns how many were created."""
    hashed = password_hash or generate_password_hash(DEMO_PASSWORD)
    return {"referred applications": seed_referred(s, hashed), "loans": seed_loans(s, hashed)}
