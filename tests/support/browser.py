"""Browser helpers for the Playwright tests."""

from __future__ import annotations


def fill_card(page, number: str) -> None:
    """Type a test card into the (local) Stripe.js card element."""
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("62701")
