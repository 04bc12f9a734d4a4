"""Browser helpers for the Playwright tests: the card element, a borrower
booked through the services (fast), the phone-width and axe-core checks."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from werkzeug.security import generate_password_hash

from shop.extensions import db
from shop.models import utcnow
from tests.support import builders

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}
_axe = Axe()


def fill_card(page, number: str) -> None:
    """Type a test card into the (local) Stripe.js card element."""
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("62701")


def borrower(app, stripe_base: str, email: str, sku: str = "VC-PHN-02", product: str = "pay_in_4") -> tuple[str, str]:
    """An approved shopper (password installmall-demo) with a card on file and one
    loan booked today through the services; returns (loan number, order number)."""
    with app.app_context():
        s = db.session
        user = builders.approved_shopper(s)
        user.email, user.password_hash = email, generate_password_hash("installmall-demo")
        payment_method = builders.saved_card(s, user, stripe_base)
        loan = builders.book(s, user, sku, product, payment_method, utcnow().date())
        s.commit()
        return loan.number, loan.order.number


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    found = _axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def overflow_at_phone_width(page) -> int:
    """How many pixels the page is wider than a 390 px screen (0 when it fits)."""
    page.set_viewport_size(PHONE)
    try:
        return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
    finally:
        page.set_viewport_size(DESKTOP)
