"""The checkout in progress, kept in the signed session: the shipping address
and the checkout key (the idempotency key of the order it will place).
Shared by the card and the pay-over-time checkout views."""

from __future__ import annotations

from typing import Any

from flask import session

CHECKOUT = "checkout"


def current() -> dict[str, Any] | None:
    return session.get(CHECKOUT)


def start(address: dict[str, str], key: str) -> None:
    session[CHECKOUT] = {"address": address, "key": key}


def finish() -> None:
    session.pop(CHECKOUT, None)
