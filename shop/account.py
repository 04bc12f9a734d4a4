"""The shopper's account: order history and detail, and the credit account
(line, loans, repayments, autopay)."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from shop import lending, orders, payments
from shop.credit_models import Loan, LoanPayment
from shop.extensions import db
from shop.forms import AutopayForm, RepaymentForm
from shop.models import utcnow

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


# --- the shopper's credit account ------------------------------------------------


def _own_loan(number: str) -> Loan:
    """The shopper's own loan; anyone else's loan number is a 404."""
    loan = db.session.scalars(select(Loan).filter_by(number=number, user_id=current_user.id)).first()
    if loan is None:
        abort(404)
    return loan


def _rows(loan: Loan, today) -> list[dict]:
    balance = loan.financed_cents + loan.down_payment_cents
    rows = []
    for i in loan.installments:
        balance -= i.principal_cents
        state = "paid" if i.is_paid else ("overdue" if i.due_on < today else "due")
        rows.append(
            {
                "number": i.number,
                "kind": i.kind,
                "due_on": i.due_on,
                "principal_cents": i.principal_cents,
                "interest_cents": i.interest_cents,
                "total_cents": i.total_cents,
                "balance_cents": balance,
                "state": state,
                "owed_cents": i.owed_cents,
            }
        )
    return rows


@bp.get("/credit")
@login_required
def credit():
    account = lending.account_of(db.session, current_user)
    loans = db.session.scalars(select(Loan).filter_by(user_id=current_user.id).order_by(Loan.id.desc())).all()
    return render_template(
        "account/credit.html",
        account=account,
        loans=loans,
        next_installment=lending.next_installment,
        available_cents=lending.available_credit_cents(db.session, account) if account else 0,
    )


@bp.get("/credit/loans/<number>")
@login_required
def loan(number: str):
    loan = _own_loan(number)
    today = utcnow().date()
    return render_template(
        "account/loan.html",
        loan=loan,
        rows=_rows(loan, today),
        next_row=lending.next_installment(loan),
        due_now_cents=lending.amount_due_now_cents(loan, today) if loan.status == "active" else 0,
        principal_cents=lending.ledger.loan_principal_cents(db.session, loan.id),
        autopay_form=AutopayForm(),
    )


@bp.get("/credit/loans/<number>/agreement")
@login_required
def agreement(number: str):
    return render_template("account/agreement.html", loan=_own_loan(number))


def _pay_page(loan: Loan, form: RepaymentForm | None = None, error: str | None = None, status: int = 200):
    today = utcnow().date()
    _, client_secret = payments.create_setup_intent(payments.ensure_customer(current_user))
    db.session.commit()
    form = form or RepaymentForm(data={"payment_key": secrets.token_hex(16)})
    return render_template(
        "account/pay.html",
        loan=loan,
        form=form,
        error=error,
        client_secret=client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        due_now_cents=lending.amount_due_now_cents(loan, today),
        quote=lending.payoff_quote(loan, today),
    ), status


@bp.get("/credit/loans/<number>/pay")
@login_required
def pay(number: str):
    loan = _own_loan(number)
    if loan.status != "active":
        flash("This loan is paid off.", "info")
        return redirect(url_for("account.loan", number=number))
    return _pay_page(loan)


@bp.post("/credit/loans/<number>/pay")
@login_required
def pay_submit(number: str):
    from credit.money import to_minor_units

    loan = _own_loan(number)
    form = RepaymentForm()
    if not form.validate_on_submit():
        return _pay_page(loan, form, status=400)
    if form.kind.data == "amount" and not form.amount.data:
        form.amount.errors.append("Enter the amount you want to pay.")
        return _pay_page(loan, form, status=400)
    try:
        if form.card.data == "new" or not loan.stripe_payment_method_id:
            if not form.setup_intent_id.data:
                raise payments.PaymentError("Enter your card details.")
            pm = payments.payment_method_of_setup_intent(
                form.setup_intent_id.data, payments.ensure_customer(current_user)
            )
        else:
            pm = loan.stripe_payment_method_id
        amount = to_minor_units(form.amount.data) if form.kind.data == "amount" else None
        receipt = lending.record_repayment(
            db.session,
            current_user,
            loan,
            amount_cents=amount,
            kind=form.kind.data,
            key=form.payment_key.data,
            payment_method_id=pm,
        )
        db.session.commit()
    except (payments.PaymentError, lending.CreditError) as e:
        db.session.rollback()
        return _pay_page(
            _own_loan(number), form, error=e.message, status=402 if isinstance(e, payments.PaymentError) else 409
        )
    return redirect(url_for("account.receipt", number=number, payment_id=receipt.payment.id))


@bp.get("/credit/loans/<number>/receipts/<int:payment_id>")
@login_required
def receipt(number: str, payment_id: int):
    loan = _own_loan(number)
    payment = db.session.get(LoanPayment, payment_id)
    if payment is None or payment.loan_id != loan.id:
        abort(404)
    return render_template("account/receipt.html", loan=loan, payment=payment)


@bp.post("/credit/loans/<number>/autopay")
@login_required
def autopay(number: str):
    loan = _own_loan(number)
    form = AutopayForm()
    if not form.validate_on_submit() or form.autopay.data not in ("on", "off"):
        abort(400)
    lending.set_autopay(loan, form.autopay.data == "on")
    db.session.commit()
    flash(f"Autopay is {form.autopay.data} for {loan.number}.", "success")
    return redirect(url_for("account.loan", number=number))
