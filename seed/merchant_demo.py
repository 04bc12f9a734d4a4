"""Demo activity for the merchant portal (`flask seed demo` runs it after the
catalog): per demo merchant, orders in several states (paid, shipped,
financed at 0 %, partly refunded, cancelled) and one closed settlement, so
the portal's pages are not empty on first run.

No call reaches Stripe: card orders carry demo payment ids, financed orders
are 0 % promotions with nothing due at checkout, and the demo buyer has a
demo Stripe customer id.  Idempotent: it does nothing once the demo buyer exists."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import CardPaymentKind, Listing, Merchant, Order, Payment, PaymentStatus, User, utcnow
from shop.services import applications, loans, merchant_orders, orders, refunds, settlements

BUYER = "demo-buyer@example.com"
ADDRESS = orders.Address("Dana Demo", "9 Market Street", "", "Springfield", "IL", "62701")
# merchant slug -> (card sku, promo sku)
PICKS = {
    "volt-and-co": ("VC-AUD-01", "VC-LTP-01"),
    "hearth-home": ("HH-CHR-01", "HH-SOF-01"),
    "wander-learn": ("WL-TRV-03", "WL-EDU-01"),
}


def _buyer(s: Session, password_hash: str) -> User | None:
    if s.scalars(select(User).filter_by(email=BUYER)).first() is not None:
        return None
    user = User(email=BUYER, name="Dana Demo", password_hash=password_hash, stripe_customer_id="cus_demo_buyer")
    s.add(user)
    s.flush()
    data = applications.ApplicationData(
        legal_name="Dana Demo",
        date_of_birth=date(1983, 6, 1),
        national_id="555-12-3456",
        monthly_income_cents=900_000,
        income_source="employed",
        employment_months=96,
        housing="own",
        other_installment_plans="none",
        savings_band="2500_plus",
        checking_band="480_plus",
        residence_years=8,
        billing_region="IL",
        existing_monthly_debt_cents=0,
        consent=True,
    )
    meta = applications.RequestMeta(ip="10.99.0.1", user_agent="seed", device_id="seed-device")
    laptop = s.scalars(select(Listing).filter_by(sku="VC-LTP-01")).one()
    applications.submit_application(s, user, data, meta, [(laptop, 1)], "IL")
    return user


def _sku(s: Session, sku: str) -> Listing:
    return s.scalars(select(Listing).filter_by(sku=sku)).one()


def _card_order(s: Session, user: User, listing: Listing, qty: int, key: str) -> Order:
    order = orders.build_order(s, user, [orders.Line(listing.id, qty)], ADDRESS, key)
    order.paid_at = utcnow()
    s.add(
        Payment(
            order=order,
            kind=CardPaymentKind.FULL,
            stripe_payment_intent_id=f"pi_demo_{key}",
            amount_cents=order.total_cents,
            currency=order.currency,
            status=PaymentStatus.SUCCEEDED,
        )
    )
    s.flush()
    return order


def _promo_order(s: Session, user: User, listing: Listing, key: str) -> Order:
    order, _ = loans.place_credit_order(
        s,
        user,
        [orders.Line(listing.id, 1)],
        ADDRESS,
        key=key,
        product="promo_6",
        payment_method_id="pm_demo",
        acceptance=loans.Acceptance("Dana Demo", "10.99.0.1", "seed"),
    )
    return order


def _backdate(order: Order, days: int) -> None:
    when = utcnow() - timedelta(days=days)
    order.created_at = order.paid_at = when


def seed_merchant_activity(s: Session, password_hash: str) -> int:
    """Create the demo orders and settlements; returns how many orders were created."""
    user = _buyer(s, password_hash)
    if user is None:
        return 0
    count = 0
    for slug, (card_sku, promo_sku) in PICKS.items():
        merchant = s.scalars(select(Merchant).filter_by(slug=slug)).one()
        staff = s.scalars(select(User).filter_by(merchant_id=merchant.id)).first() or user
        old_card = _card_order(s, user, _sku(s, card_sku), 1, f"demo-{slug}-1")
        old_promo = _promo_order(s, user, _sku(s, promo_sku), f"demo-{slug}-2")
        for order in (old_card, old_promo):
            _backdate(order, 12)
            merchant_orders.ship(
                s, order, merchant.id, [ln.id for ln in order.lines], "UPS", f"1Z{order.id:08d}DEMO", staff
            )
        settlements.settle_merchant(s, merchant, (utcnow() - timedelta(days=7)).date())
        _card_order(s, user, _sku(s, card_sku), 2, f"demo-{slug}-3")  # paid, to ship
        refunded = _promo_order(s, user, _sku(s, promo_sku), f"demo-{slug}-4")
        _backdate(refunded, 2)
        cancelled = _promo_order(s, user, _sku(s, promo_sku), f"demo-{slug}-5")
        req = refunds.RefundRequest(f"demo-{slug}-refund", {refunded.lines[0].id: 1}, "Returned within 30 days")
        refunds.refund(s, refunded, merchant.id, req, staff)
        cancel = refunds.RefundRequest(f"demo-{slug}-cancel", {}, "Out of stock at the warehouse", "cancel")
        refunds.refund(s, cancelled, merchant.id, cancel, staff)
        count += 5
    return count
