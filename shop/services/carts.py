"""Cart service: anonymous carts (by a random token the web layer keeps in the
signed session) and user carts; the anonymous cart moves into the account at
login.  Which cart is the visitor's is decided by shop/cart_session.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from shop.models import Cart, CartItem, Listing
from shop.models.base import DbSession

MAX_QUANTITY = 99


class CartError(Exception):
    """A cart change that cannot be made; the message is for the shopper."""


@dataclass(frozen=True)
class CartLine:
    item_id: int
    listing: Listing
    quantity: int

    @property
    def total_cents(self) -> int:
        return self.listing.price_cents * self.quantity


def load(s: DbSession, *, user_id: int | None = None, token: str | None = None) -> Cart | None:
    """The user's cart, or the anonymous cart of `token`; None when there is none."""
    if user_id is None and not token:
        return None
    where = {"user_id": user_id} if user_id is not None else {"token": token}
    # One statement whatever the size: the cart, its items, their listings, merchants and scenes.
    items = joinedload(Cart.items).joinedload(CartItem.listing)
    stmt = select(Cart).options(items.joinedload(Listing.merchant), items.joinedload(Listing.scene)).filter_by(**where)
    return s.scalars(stmt).unique().first()


def count_items(s: DbSession, *, user_id: int | None = None, token: str | None = None) -> int:
    """Items in the user's (or token's) cart with one statement, for the header badge."""
    if user_id is None and not token:
        return 0
    where = Cart.user_id == user_id if user_id is not None else Cart.token == token
    stmt = select(func.coalesce(func.sum(CartItem.quantity), 0)).join(Cart, CartItem.cart_id == Cart.id).where(where)
    return int(s.scalar(stmt) or 0)


def create(s: DbSession, *, user_id: int | None = None) -> Cart:
    """A new cart: the user's, or an anonymous one with a fresh token."""
    cart = Cart(user_id=user_id) if user_id is not None else Cart(token=secrets.token_urlsafe(24))
    s.add(cart)
    s.flush()
    return cart


def item_count(cart: Cart | None) -> int:
    return sum(i.quantity for i in cart.items) if cart else 0


def lines(cart: Cart | None) -> list[CartLine]:
    if cart is None:
        return []
    return [CartLine(i.id, i.listing, i.quantity) for i in cart.items]


def total_cents(cart_lines: list[CartLine]) -> int:
    return sum(line.total_cents for line in cart_lines)


def _check_quantity(listing: Listing, quantity: int) -> None:
    if not listing.is_purchasable:
        raise CartError(f"“{listing.title}” is not available right now.")
    if quantity < 1:
        raise CartError("Quantity must be at least 1.")
    if quantity > listing.stock:
        raise CartError(f"Only {listing.stock} of “{listing.title}” in stock.")
    if quantity > MAX_QUANTITY:
        raise CartError(f"At most {MAX_QUANTITY} per item.")


def add_item(cart: Cart, listing: Listing, quantity: int) -> None:
    existing = next((i for i in cart.items if i.listing_id == listing.id), None)
    new_quantity = quantity + (existing.quantity if existing else 0)
    _check_quantity(listing, new_quantity)
    if existing:
        existing.quantity = new_quantity
    else:
        cart.items.append(CartItem(listing=listing, quantity=quantity))


def _own_item(cart: Cart | None, item_id: int) -> CartItem:
    item = next((i for i in cart.items if i.id == item_id), None) if cart else None
    if item is None:
        raise LookupError(item_id)
    return item


def set_quantity(s: DbSession, cart: Cart | None, item_id: int, quantity: int) -> None:
    item = _own_item(cart, item_id)
    if quantity == 0:
        s.delete(item)
        return
    _check_quantity(item.listing, quantity)
    item.quantity = quantity


def remove_item(s: DbSession, cart: Cart | None, item_id: int) -> None:
    s.delete(_own_item(cart, item_id))


def merge_into_user(s: DbSession, token: str | None, user_id: int) -> None:
    """At login: move the anonymous cart's items into the user's cart.

    Quantities add up, capped at the stock available."""
    anon = load(s, token=token) if token else None
    if anon is None:
        return
    mine = load(s, user_id=user_id)
    if mine is None:
        anon.token = None
        anon.user_id = user_id
        return
    for item in anon.items:
        existing = next((i for i in mine.items if i.listing_id == item.listing_id), None)
        quantity = min(item.quantity + (existing.quantity if existing else 0), max(item.listing.stock, 1))
        if existing:
            existing.quantity = quantity
        else:
            mine.items.append(CartItem(listing_id=item.listing_id, quantity=quantity))
    s.delete(anon)


def empty(s: DbSession, cart: Cart) -> None:
    """Remove every item with one statement, whatever this session read of the
    cart earlier (a concurrent checkout of the same cart may have emptied it)."""
    s.execute(delete(CartItem).where(CartItem.cart_id == cart.id).execution_options(synchronize_session=False))
    s.expire(cart, ["items"])


def clear(s: DbSession, cart: Cart | None) -> None:
    for item in list(cart.items) if cart else []:
        s.delete(item)
