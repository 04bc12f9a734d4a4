"""Merchant orders: filtered list and CSV, detail with this merchant's lines,
shipping, refunds (full or per line and quantity) and cancelling before shipment."""

from __future__ import annotations

import csv
import io
import secrets

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from shop.extensions import db
from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.merchant.forms import OrderFilterForm, RefundForm, ShipForm
from shop.merchant.views import bp, current_merchant, merchant_required, owned_or_404
from shop.models import MerchantRefundKind, Order
from shop.services import merchant_orders, refunds
from shop.services.merchants import MerchantError

PER_PAGE = 25


def _filter() -> tuple[OrderFilterForm, merchant_orders.OrderFilter]:
    form = OrderFilterForm(request.args)
    form.validate()  # a bad date is shown next to its field and ignored
    f = merchant_orders.OrderFilter(
        form.status.data or "", form.date_from.data, form.date_to.data, form.paid.data or ""
    )
    return form, f


@bp.get("/orders")
@merchant_required
def orders_page():
    form, f = _filter()
    stmt = merchant_orders.filtered(current_merchant().id, f)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "merchant/orders.html", form=form, page=page, args=args, mine=merchant_orders.merchant_total_cents
    )


@bp.get("/orders.csv")
@merchant_required
def orders_csv():
    _, f = _filter()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(merchant_orders.CSV_HEADER)
    writer.writerows(merchant_orders.csv_rows(db.session, current_merchant().id, f))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=orders.csv"},
    )


def _order_page(order: Order, status: int = 200, error: str | None = None, **forms):
    merchant_id = current_merchant().id
    key = {"refund_key": secrets.token_hex(16)}
    return render_template(
        "merchant/order.html",
        order=order,
        states=merchant_orders.line_states(db.session, order, merchant_id),
        shipments=[sh for sh in merchant_orders.shipments_of(db.session, order) if sh.merchant_id == merchant_id],
        refunds=refunds.refunds_of_order(db.session, order, merchant_id),
        loan=refunds.loan_of(db.session, order),
        ship_form=forms.get("ship_form") or ShipForm(),
        refund_form=forms.get("refund_form") or RefundForm(data=key),
        cancel_form=forms.get("cancel_form") or RefundForm(data={"refund_key": secrets.token_hex(16)}),
        error=error,
        paid=merchant_orders.is_paid(order),
    ), status


@bp.get("/orders/<int:order_id>")
@merchant_required
def order_page(order_id: int):
    return _order_page(owned_or_404(Order, order_id))


@bp.post("/orders/<int:order_id>/ship")
@merchant_required
def order_ship(order_id: int):
    order = owned_or_404(Order, order_id)
    form = ShipForm()
    line_ids = [int(v) for v in request.form.getlist("line") if v.isdigit()]
    if not form.validate_on_submit():
        return _order_page(order, 400, ship_form=form)
    try:
        merchant_orders.ship(
            db.session,
            order,
            current_merchant().id,
            line_ids,
            form.carrier.data,
            form.tracking_number.data,
            current_user,
        )
    except MerchantError as e:
        db.session.rollback()
        return _order_page(owned_or_404(Order, order_id), 409, e.message, ship_form=form)
    db.session.commit()
    flash(f"Shipped with {form.carrier.data}, tracking {form.tracking_number.data}.", "success")
    return redirect(url_for("merchant.order_page", order_id=order_id))


def _quantities() -> dict[int, int]:
    wanted = {}
    for name, value in request.form.items():
        if name.startswith("qty-") and value.strip():
            if not name[4:].isdigit() or not value.strip().isdigit():
                raise MerchantError("Quantities are whole numbers of units.")
            wanted[int(name[4:])] = int(value)
    return wanted


@bp.post("/orders/<int:order_id>/<any(refund, cancel):action>")
@merchant_required
def order_refund(order_id: int, action: str):
    order = owned_or_404(Order, order_id)
    form = RefundForm()
    slot = "refund_form" if action == "refund" else "cancel_form"
    if not form.validate_on_submit():
        return _order_page(order, 400, **{slot: form})
    try:
        done = _refund(order, form, action)
    except (MerchantError, payments.PaymentError) as e:
        db.session.rollback()
        message = e.message if isinstance(e, MerchantError) else _stripe_failed(e)
        status = 402 if isinstance(e, payments.PaymentError) else 409
        return _order_page(owned_or_404(Order, order_id), status, message, **{slot: form})
    db.session.commit()
    flash(_done_message(done), "success")
    return redirect(url_for("merchant.order_page", order_id=order_id))


def _refund(order: Order, form: RefundForm, action: str):
    kind = MerchantRefundKind.CANCEL if action == "cancel" else MerchantRefundKind.REFUND
    quantities = _quantities() if kind == MerchantRefundKind.REFUND else {}
    req = refunds.RefundRequest(form.refund_key.data, quantities, form.reason.data or "", kind)
    return refunds.refund(db.session, order, current_merchant().id, req, current_user)


def _stripe_failed(e: payments.PaymentError) -> str:
    return f"The refund did not go through at the payment provider ({e.message}) Nothing was changed; try again."


def _done_message(done) -> str:
    currency = done.order.currency
    text = f"Refunded {format_money(done.amount_cents, currency)}"
    if done.principal_reduction_cents:
        text += f": the shopper's loan went down by {format_money(done.principal_reduction_cents, currency)}"
    if done.card_refund_cents:
        text += f"; {format_money(done.card_refund_cents, currency)} went back to their card"
    return text + "."
