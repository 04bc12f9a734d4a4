"""Order placement: the pay-in-full checkout's unit of work.

`place_paid_order` adds and flushes; the caller commits once.  The order row
(with its unique idempotency key) is inserted first, so a double submit of
the same checkout waits on, then collides with, the first one instead of
charging twice.  Stock is taken with conditional UPDATEs in listing-id order
(a fixed lock order, so concurrent checkouts cannot deadlock), and the card
is charged while those row locks are held: when the charge is declined the
transaction rolls back and nothing was written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shop.gateways import stripe as payments
from shop.models import CardPaymentKind, Listing, Order, OrderLine, OrderStatus, Payment, PaymentStatus, User, utcnow
from shop.models.base import DbSession
from shop.services.catalog import approved_merchant_ids
from shop.services.errors import AlreadyPlaced, CheckoutError, NeedsAuthentication, OutOfStock

# the errors callers catch as orders.*
__all__ = ["AlreadyPlaced", "CheckoutError", "NeedsAuthentication", "OutOfStock"]


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str = "US"


@dataclass(frozen=True)
class Line:
    listing_id: int
    quantity: int


def new_order_number() -> str:
    return "IM-" + secrets.token_hex(4).upper()


def find_by_key(s: DbSession, user: User, key: str) -> Order | None:
    order = s.scalars(select(Order).filter_by(idempotency_key=key)).first()
    if order is not None and order.user_id != user.id:
        raise CheckoutError("This checkout link is not valid for your account.")
    return order


def take_stock(s: DbSession, lines: list[Line]) -> dict[int, Listing]:
    """Decrement stock atomically for every line, in listing-id order.

    Each UPDATE succeeds only if the listing is active and has enough stock,
    so two shoppers racing for the last unit cannot both get it."""
    taken: dict[int, Listing] = {}
    for line in sorted(lines, key=lambda ln: ln.listing_id):
        result = s.execute(
            update(Listing)
            .where(
                Listing.id == line.listing_id,
                Listing.active.is_(True),
                Listing.stock >= line.quantity,
                Listing.merchant_id.in_(approved_merchant_ids()),
            )
            .values(stock=Listing.stock - line.quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for UPDATE
            listing = s.get(Listing, line.listing_id)
            s.refresh(listing) if listing is not None else None
            title = listing.title if listing else "An item"
            left = listing.stock if listing and listing.active else 0
            raise OutOfStock(
                f"Sorry, “{title}” just sold out."
                if left == 0
                else f"Sorry, only {left} of “{title}” left; please reduce the quantity in your cart."
            )
        taken[line.listing_id] = s.get_one(Listing, line.listing_id)
    for listing in taken.values():
        s.refresh(listing)
    return taken


def _insert_order(s: DbSession, user: User, address: Address, key: str, status: str, kind: str) -> Order:
    order = Order(
        number=new_order_number(),
        user_id=user.id,
        status=status,
        payment_kind=kind,
        idempotency_key=key,
        currency="USD",
        total_cents=0,
        ship_name=address.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_city=address.city,
        ship_region=address.region,
        ship_postal_code=address.postal_code,
        ship_country=address.country,
    )
    s.add(order)
    s.flush()
    return order


def build_order(
    s: DbSession,
    user: User,
    lines: list[Line],
    address: Address,
    key: str,
    status: str = OrderStatus.PAID,
    kind: str = "card",
) -> Order:
    """Insert the order, take the stock, add the lines and the total."""
    if not lines:
        raise CheckoutError("Your cart is empty.")
    order = _insert_order(s, user, address, key, status, kind)
    listings = take_stock(s, lines)
    for line in sorted(lines, key=lambda ln: ln.listing_id):
        listing = listings[line.listing_id]
        order.lines.append(
            OrderLine(
                listing_id=listing.id,
                merchant_id=listing.merchant_id,
                title=listing.title,
                unit_price_cents=listing.price_cents,
                quantity=line.quantity,
                line_total_cents=listing.price_cents * line.quantity,
            )
        )
    order.total_cents = sum(ol.line_total_cents for ol in order.lines)
    currencies = {listings[ln.listing_id].currency for ln in lines}
    if len(currencies) != 1:
        raise CheckoutError("Items priced in different currencies must be bought separately.")
    order.currency = currencies.pop()
    return order


def place_paid_order(
    s: DbSession,
    user: User,
    lines: list[Line],
    address: Address,
    *,
    key: str,
    payment_method_id: str | None = None,
    payment_intent_id: str | None = None,
) -> Order:
    """Place a pay-in-full order and charge the card.

    Returns the existing order when this checkout key was already placed.
    Pass `payment_method_id` (a card saved with a SetupIntent) to charge it,
    or `payment_intent_id` after the browser completed 3-D Secure."""
    existing = find_by_key(s, user, key)
    if existing is not None:
        return existing
    try:
        order = build_order(s, user, lines, address, key)
    except IntegrityError as e:
        # A concurrent submit of the same checkout won the unique key: the caller
        # rolls back its unit of work and shows the order that was placed.
        raise AlreadyPlaced(key) from e
    customer_id = payments.ensure_customer(user)
    if payment_intent_id:
        result = _authenticated_payment(payment_intent_id, order, customer_id, key)
    else:
        result = payments.charge(
            amount_cents=order.total_cents,
            currency=order.currency,
            customer_id=customer_id,
            payment_method_id=payment_method_id or "",
            metadata={"checkout_key": key, "user_id": str(user.id)},
        )
    if result.status == "requires_action":
        raise NeedsAuthentication(result.payment_intent_id, result.client_secret or "")
    if result.status != "succeeded":
        raise payments.PaymentError("The payment did not go through. Please try another card.")
    order.paid_at = utcnow()
    s.add(
        Payment(
            order=order,
            kind=CardPaymentKind.FULL,
            stripe_payment_intent_id=result.payment_intent_id,
            stripe_charge_id=result.charge_id,
            amount_cents=result.amount_cents,
            currency=order.currency,
            status=PaymentStatus.SUCCEEDED,
        )
    )
    s.flush()
    return order


def _authenticated_payment(payment_intent_id: str, order: Order, customer_id: str, key: str):
    result = payments.retrieve_payment(payment_intent_id)
    if result.customer_id != customer_id or (result.metadata or {}).get("checkout_key") != key:
        raise CheckoutError("That payment does not belong to this checkout.")
    if result.amount_cents != order.total_cents or result.currency != order.currency:
        raise CheckoutError("Your cart changed during card authentication; please check out again.")
    if result.status != "succeeded":
        raise payments.PaymentError("Card authentication failed. Please try again or use another card.")
    return result


def orders_of(s: DbSession, user: User) -> list[Order]:
    return list(s.scalars(select(Order).filter_by(user_id=user.id).order_by(Order.created_at.desc(), Order.id.desc())))


def order_of(s: DbSession, user: User, number: str) -> Order | None:
    """The user's own order by number; None for anyone else's."""
    return s.scalars(select(Order).filter_by(number=number, user_id=user.id)).first()
