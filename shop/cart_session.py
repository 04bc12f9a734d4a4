"""Which cart is the visitor's: the logged-in user's, else the anonymous cart
whose token the signed session holds.  The web layer's glue over
shop.services.carts (which knows nothing of requests)."""

from __future__ import annotations

from flask import g, has_request_context, session
from flask_login import current_user

from shop.extensions import db
from shop.models import Cart
from shop.models.base import DbSession
from shop.services import carts

SESSION_KEY = "cart_token"


def current_cart(s: DbSession, create: bool = False) -> Cart | None:
    """The visitor's cart (created when `create` and there is none yet)."""
    if current_user.is_authenticated:
        cart = carts.load(s, user_id=current_user.id)
        return cart if cart is not None or not create else carts.create(s, user_id=current_user.id)
    cart = carts.load(s, token=session.get(SESSION_KEY))
    if cart is None and create:
        cart = carts.create(s)
        session[SESSION_KEY] = cart.token
    return cart


def current_lines(s: DbSession) -> list[carts.CartLine]:
    return carts.lines(current_cart(s))


def lines_for_cart_page(s: DbSession) -> list[carts.CartLine]:
    """The lines the cart page shows; its header badge is counted from them
    (the page renders what it just read: no second query)."""
    lines = current_lines(s)
    g.cart_count = sum(line.quantity for line in lines)
    return lines


def cart_count() -> int:
    """Items in the visitor's cart, for the header badge (0 outside a request)."""
    if not has_request_context():
        return 0
    if "cart_count" in g:
        return g.cart_count
    if current_user.is_authenticated:
        return carts.count_items(db.session, user_id=current_user.id)
    return carts.count_items(db.session, token=session.get(SESSION_KEY))


def merge_at_login(s: DbSession, user_id: int) -> None:
    carts.merge_into_user(s, session.pop(SESSION_KEY, None), user_id)
