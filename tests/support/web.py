"""Driving the app through the Flask test client, as a shopper would: CSRF
tokens, logging in, the card checkout, saving a card at the local Stripe
server, the pay-over-time application and offer acceptance."""

from __future__ import annotations

import re

import requests

# The header's meta tag (a visitor with a session) or a form's hidden field.
CSRF_RE = re.compile(r'name="csrf[-_]token"[^>]*?(?:content|value)="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    """The client's session CSRF token, read from `path`; an anonymous visitor
    without a session has none on pages without a form, so the login form's is read."""
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html) or CSRF_RE.search(client.get("/account/login").get_data(as_text=True))
    assert m, f"no CSRF token on {path}"
    return m.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str = "shopper@example.com", password: str = "installmall-demo"):
        token = csrf_token(self.client)
        return self.client.post("/account/login", data={"email": email, "password": password, "csrf_token": token})

    def register(self, email: str, name: str = "Test Shopper", password: str = "correct-horse-battery"):
        token = csrf_token(self.client, "/account/register")
        return self.client.post(
            "/account/register",
            data={"email": email, "name": name, "password": password, "confirm": password, "csrf_token": token},
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/account/logout", data={"csrf_token": token})


SECRET_RE = re.compile(r'data-client-secret="(seti_[^"]+)"')
KEY_RE = re.compile(r'name="checkout_key" type="hidden" value="([^"]+)"')

ADDRESS = {
    "name": "Sam Shopper",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}


def save_card(stripe_base: str, client_secret: str, number: str) -> dict:
    """Confirm a SetupIntent with a test card, as Stripe.js does in the browser."""
    seti = client_secret.split("_secret_")[0]
    r = requests.post(
        f"{stripe_base}/v1/setup_intents/{seti}/confirm",
        timeout=10,
        json={
            "key": "pk_test_installmall",
            "use_stripe_sdk": True,
            "client_secret": client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            },
        },
    )
    if r.status_code == 200 and r.json().get("status") == "requires_action":
        # The shopper completes the 3-D Secure step that Stripe.js shows.
        r = requests.post(
            f"{stripe_base}/v1/setup_intents/{seti}/confirm",
            timeout=10,
            json={"key": "pk_test_installmall", "use_stripe_sdk": True, "client_secret": client_secret},
        )
    return {"status_code": r.status_code, **r.json()}


class Shopper:
    """Drives the storefront through the test client like a shopper would."""

    def __init__(self, client, stripe_base: str):
        self.client = client
        self.stripe_base = stripe_base

    def add(self, listing_id: int, quantity: int = 1):
        token = csrf_token(self.client)
        return self.client.post(f"/cart/add/{listing_id}", data={"quantity": quantity, "csrf_token": token})

    def enter_address(self, **overrides):
        token = csrf_token(self.client)
        return self.client.post("/checkout", data={**ADDRESS, **overrides, "csrf_token": token})

    def payment_page(self) -> tuple[str, str, str]:
        """(html, setup intent client secret, checkout key) of the payment step."""
        html = self.client.get("/checkout/payment").get_data(as_text=True)
        return html, SECRET_RE.search(html).group(1), KEY_RE.search(html).group(1)

    def pay(self, card: str = "4242424242424242", **form):
        """Save `card` with the page's SetupIntent and submit the pay form."""
        html, secret, key = self.payment_page()
        saved = save_card(self.stripe_base, secret, card)
        token = csrf_token(self.client)
        data = {
            "csrf_token": token,
            "checkout_key": key,
            "setup_intent_id": secret.split("_secret_")[0],
            "payment_intent_id": "",
            **form,
        }
        return self.client.post("/checkout/pay", data=data), saved, data


GOOD_APPLICANT = {
    "legal_name": "Sam Shopper",
    "date_of_birth": "1985-04-12",
    "national_id": "123-45-6789",
    "monthly_income": "6500.00",
    "income_source": "employed",
    "employment_months": "60",
    "housing": "own",
    "other_installment_plans": "none",
    "existing_monthly_debt": "0",
    "savings_band": "2500_plus",
    "checking_band": "480_plus",
    "residence_years": "6",
    "billing_region": "IL",
    "consent": "y",
}


def apply_for_credit(client, **overrides):
    """Submit the pay-over-time application form (the shopper has an address in checkout)."""
    data = {**GOOD_APPLICANT, **overrides, "csrf_token": csrf_token(client)}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/checkout/credit/apply", data=data)


def accept_offer(client, stripe_base: str, product: str, card: str = "4242424242424242", name: str = "Sam Shopper"):
    """Open an offer's agreement page, save `card`, sign and submit."""
    page = client.get(f"/checkout/credit/offers/{product}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    secret = SECRET_RE.search(html).group(1)
    key = KEY_RE.search(html).group(1)
    save_card(stripe_base, secret, card)
    data = {
        "csrf_token": csrf_token(client),
        "checkout_key": key,
        "product": product,
        "setup_intent_id": secret.split("_secret_")[0],
        "accept": "y",
        "signature": name,
    }
    return client.post("/checkout/credit/accept", data=data), data
