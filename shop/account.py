"""The shopper's account: order history and order detail."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from shop import orders
from shop.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("/orders")
@login_required
def order_list():
    return render_template("account/orders.html", orders=orders.orders_of(db.session, current_user))


@bp.get("/orders/<number>")
@login_required
def order_detail(number: str):
    order = orders.order_of(db.session, current_user, number) or abort(404)
    return render_template("account/order.html", order=order)
