"""The shopper's account: its home page (orders, credit line, loans, settings)
and the order history.  The credit account's pages (loans, repayments,
autopay) are in shop/account/credit_views.py, on the same blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from shop.extensions import db
from shop.security import role_required
from shop.services import accounts, merchant_orders, orders

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@role_required("shopper")
def home():
    return render_template("account/home.html", summary=accounts.summary(db.session, current_user))


@bp.get("/orders")
@login_required
def order_list():
    return render_template("account/orders.html", orders=orders.orders_of(db.session, current_user))


@bp.get("/orders/<number>")
@login_required
def order_detail(number: str):
    order = orders.order_of(db.session, current_user, number) or abort(404)
    shipments = merchant_orders.shipments_of(db.session, order)
    loan = accounts.loan_of_order(db.session, order)
    return render_template("account/order.html", order=order, loan=loan, shipments=shipments)


from shop.account import credit_views, hardship  # noqa: E402, F401  (credit account, hardship and notices routes on bp)
