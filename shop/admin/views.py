"""Lender staff portal (reviews, servicing, collections, policy, audit grow here)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, User
from shop.security import staff_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@bp.get("/")
@staff_required()
def dashboard():
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "orders": db.session.scalar(select(func.count(Order.id))),
    }
    return render_template("admin/dashboard.html", counts=counts)
