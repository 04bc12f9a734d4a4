"""Anticipated failures of the use cases: their message is for the shopper
(the view shows it next to the form); anything else is a bug and a 500."""

from __future__ import annotations


class CheckoutError(Exception):
    """An anticipated checkout failure; the message is shown to the shopper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OutOfStock(CheckoutError):
    pass


class NeedsAuthentication(Exception):
    """The card needs the browser's 3-D Secure step before the charge completes."""

    def __init__(self, payment_intent_id: str, client_secret: str):
        super().__init__(payment_intent_id)
        self.payment_intent_id = payment_intent_id
        self.client_secret = client_secret


class AlreadyPlaced(Exception):
    """A concurrent submit of the same checkout placed the order first (its unique key won)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class CreditError(CheckoutError):
    """An anticipated pay-over-time failure; the message is for the shopper."""


class StaffActionError(CheckoutError, ValueError):
    """An anticipated failure of a staff action (already decided, nothing to waive...);
    the message is for the staff member.  A ValueError too, so the CLI reports it as before."""


class AlreadyDecided(StaffActionError):
    """Another reviewer decided this application first."""
