"""The shopper's credit account: the line and loans, a loan's page, its
agreement, repayments (with a check against paying the same amount twice
within minutes) and autopay.  Routes on the account blueprint."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from credit.money import to_minor_units
from shop.account.forms import AutopayForm, RepaymentForm
from shop.account.views import bp
from shop.card_payments import commit_or_refund, resolve_card
from shop.extensions import db
from shop.formatting import format_money
from shop.gateways import stripe as payments
from shop.models import Loan, LoanPayment, LoanServicing, LoanStatus, utcnow
from shop.services import accounts, ledger, loan_status, refunds, repayments
from shop.services.credit_accounts import account_of, available_credit_cents
from shop.services.errors import CreditError


def _own_loan(number: str) -> Loan:
    """The shopper's own loan; anyone else's loan number is a 404."""
    loan = db.session.scalars(select(Loan).filter_by(number=number, user_id=current_user.id)).first()
    if loan is None:
        abort(404)
    return loan


def _rows(loan: Loan, today) -> list[dict]:
    balance = sum(i.principal_cents for i in loan.installments)  # what is scheduled now (after refunds, prepayments)
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
    account = account_of(db.session, current_user)
    return render_template(
        "account/credit.html",
        account=account,
        loans=accounts.loans_of(db.session, current_user),
        next_installment=repayments.next_installment,
        available_cents=available_credit_cents(db.session, account) if account else 0,
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
        due=loan_status.due_summary(loan, today),
        principal_cents=ledger.loan_principal_cents(db.session, loan.id),
        autopay_form=AutopayForm(data={"autopay": "off" if loan.autopay else "on"}),
        servicing=db.session.get(LoanServicing, loan.id),
        merchant_refunds=refunds.refunds_of_loan(db.session, loan),
    )


@bp.get("/credit/loans/<number>/agreement")
@login_required
def agreement(number: str):
    return render_template("account/agreement.html", loan=_own_loan(number))


def _pay_page(loan: Loan, form: RepaymentForm | None = None, error: str | None = None, status: int = 200, repeat=None):
    today = utcnow().date()
    try:
        _, client_secret = payments.create_setup_intent(payments.customer_of(current_user))
    except payments.PaymentError as e:  # Stripe is down: show the message, not a 500
        client_secret, error, status = "", error or e.message, status if error else 402
    form = form or RepaymentForm(data={"payment_key": secrets.token_hex(16)})
    return render_template(
        "account/pay.html",
        loan=loan,
        form=form,
        error=error,
        repeat=repeat,
        client_secret=client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        due_now_cents=repayments.amount_due_now_cents(loan, today),
        due=loan_status.due_summary(loan, today),
        quote=repayments.payoff_quote(loan, today),
    ), status


@bp.get("/credit/loans/<number>/pay")
@login_required
def pay(number: str):
    loan = _own_loan(number)
    if loan.status != LoanStatus.ACTIVE:
        flash("This loan is paid off.", "info")
        return redirect(url_for("account.loan", number=number))
    return _pay_page(loan)


@bp.post("/credit/loans/<number>/pay")
@login_required
def pay_submit(number: str):
    loan = _own_loan(number)
    form = RepaymentForm()
    if not form.validate_on_submit():
        return _pay_page(loan, form, status=400)
    if form.kind.data == "amount" and not form.amount.data:
        form.amount.errors.append("Enter the amount you want to pay.")
        return _pay_page(loan, form, status=400)
    repeat = _unconfirmed_repeat(loan, form)
    if repeat is not None:
        return _pay_page(loan, form, error=_repeat_message(loan, repeat), status=409, repeat=repeat)
    try:
        receipt = _record_repayment(loan, form)
    except (payments.PaymentError, CreditError) as e:
        db.session.rollback()
        status = 402 if isinstance(e, payments.PaymentError) else 409
        return _pay_page(_own_loan(number), form, error=e.message, status=status)
    return redirect(url_for("account.receipt", number=number, payment_id=receipt.payment.id))


def _unconfirmed_repeat(loan: Loan, form: RepaymentForm) -> LoanPayment | None:
    """The payment this one repeats (same amount, minutes ago), unless the shopper confirmed."""
    if form.confirm_repeat.data:
        return None
    amount = to_minor_units(form.amount.data) if form.kind.data == "amount" else None
    intended = loan_status.intended_amount_cents(loan, form.kind.data, amount, utcnow().date())
    if not intended:
        return None
    return loan_status.recent_same_payment(db.session, loan, intended, form.payment_key.data, utcnow())


def _repeat_message(loan: Loan, repeat: LoanPayment) -> str:
    amount = format_money(repeat.amount_cents, loan.currency)
    return (
        f"You already paid {amount} on this loan at {repeat.created_at.strftime('%H:%M UTC')}. "
        f"To pay {amount} again, tick “Yes, make another payment of this amount” and press Pay."
    )


def _record_repayment(loan: Loan, form: RepaymentForm) -> repayments.Receipt:
    """Charge the chosen card and apply the payment; commit, or refund if the commit fails."""
    saved = loan.stripe_payment_method_id if form.card.data != "new" else None
    receipt = repayments.record_repayment(
        db.session,
        current_user,
        loan,
        amount_cents=to_minor_units(form.amount.data) if form.kind.data == "amount" else None,
        kind=form.kind.data,
        key=form.payment_key.data,
        payment_method_id=resolve_card(current_user, form.setup_intent_id.data, saved),
    )
    commit_or_refund(db.session, [receipt.payment.stripe_payment_intent_id])
    return receipt


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
    if not form.validate_on_submit():
        abort(400)
    repayments.set_autopay(loan, form.autopay.data == "on")
    db.session.commit()
    flash(f"Autopay is {form.autopay.data} for {loan.number}.", "success")
    return redirect(url_for("account.loan", number=number))
