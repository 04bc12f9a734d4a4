"""Merchant portal (listings, orders, refunds, settlements grow here)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Listing, OrderLine
from shop.security import role_required

bp = Blueprint("merchant", __name__, url_prefix="/merchant")


@bp.get("")
@bp.get("/")
@role_required("merchant")
def dashboard():
    merchant = current_user.merchant
    listings = db.session.scalars(select(Listing).filter_by(merchant_id=merchant.id).order_by(Listing.id)).all()
    sold = db.session.execute(
        select(func.count(OrderLine.id), func.coalesce(func.sum(OrderLine.line_total_cents), 0)).where(
            OrderLine.merchant_id == merchant.id
        )
    ).one()
    return render_template(
        "merchant/dashboard.html", merchant=merchant, listings=listings, lines_sold=sold[0], sales_cents=sold[1]
    )
