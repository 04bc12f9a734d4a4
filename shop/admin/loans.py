"""The loan console: search, a loan's page, and the staff servicing actions
(each with a reason: one balanced journal transaction and one audit entry)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from credit.money import to_minor_units
from shop import pii
from shop.admin.base import LOANS, SERVICE, bp, viewed_customer
from shop.admin.forms import InstallmentActionForm, LoanSearchForm, NoteForm, OfflinePaymentForm, ReverseForm
from shop.extensions import db
from shop.models import Loan, utcnow
from shop.security import staff_required
from shop.services import loan_console, servicing_actions
from shop.services.errors import StaffActionError


@bp.get("/loans")
@staff_required(*LOANS)
def loans():
    form = LoanSearchForm(request.args)
    form.validate()
    q = form.q.data or ""
    rows = loan_console.find_loans(db.session, q, form.status.data or "")
    if "@" in q:  # a typed e-mail is not echoed back in full
        form.q.data = ""
    return render_template("admin/loans.html", form=form, rows=rows, searched=pii.mask_email(q) if "@" in q else q)


def _loan_page(number: str, status: int = 200, **forms):
    page = loan_console.loan_page(db.session, number, utcnow().date()) or abort(404)
    viewed_customer(page.row.loan.user_id, f"loan:{number}")
    forms.setdefault("waive_form", InstallmentActionForm(formdata=None, prefix="waive"))
    forms.setdefault("defer_form", InstallmentActionForm(formdata=None, prefix="defer"))
    forms.setdefault("payment_form", OfflinePaymentForm(formdata=None, key=secrets.token_hex(16)))
    forms.setdefault("reverse_form", ReverseForm(formdata=None))
    forms.setdefault("note_form", NoteForm(formdata=None))
    return render_template("admin/loan.html", page=page, **forms), status


@bp.get("/loans/<number>")
@staff_required(*LOANS)
def loan(number: str):
    return _loan_page(number)


def _act(number: str, form: FlaskForm, form_name: str, do: Callable[[Loan], object], done: str):
    """Validate, call one service, commit once, redirect; 400/409 with the message otherwise."""
    loan = db.session.scalars(select(Loan).filter_by(number=number)).first() or abort(404)
    if not form.validate_on_submit():
        return _loan_page(number, 400, **{form_name: form})
    try:
        do(loan)
    except StaffActionError as e:
        db.session.rollback()
        form.reason.errors.append(e.message)  # type: ignore[attr-defined]
        return _loan_page(number, 409, **{form_name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.loan", number=number))


@bp.post("/loans/<number>/waive")
@staff_required(*SERVICE)
def waive_fee(number: str):
    f = InstallmentActionForm(prefix="waive")
    today = utcnow().date()

    def act(loan: Loan):
        return servicing_actions.waive_fee(db.session, current_user, loan, f.installment.data, f.reason.data, today)

    return _act(number, f, "waive_form", act, "Fee waived.")


@bp.post("/loans/<number>/defer")
@staff_required(*SERVICE)
def defer(number: str):
    f = InstallmentActionForm(prefix="defer")

    def act(loan: Loan):
        return servicing_actions.defer(db.session, current_user, loan, f.installment.data, f.reason.data)

    return _act(number, f, "defer_form", act, "Installment deferred.")


@bp.post("/loans/<number>/payment")
@staff_required(*SERVICE)
def offline_payment(number: str):
    f = OfflinePaymentForm()
    today = utcnow().date()

    def act(loan: Loan):
        amount = to_minor_units(f.amount.data)
        return servicing_actions.record_offline_payment(
            db.session, current_user, loan, amount, f.reason.data, f.key.data, today
        )

    return _act(number, f, "payment_form", act, "Offline payment recorded.")


@bp.post("/loans/<number>/reverse")
@staff_required(*SERVICE)
def reverse(number: str):
    f = ReverseForm()
    today = utcnow().date()

    def act(loan: Loan):
        return servicing_actions.reverse(db.session, current_user, loan, f.action_id.data, f.reason.data, today)

    return _act(number, f, "reverse_form", act, "Action reversed by a compensating entry.")


@bp.post("/loans/<number>/note")
@staff_required(*SERVICE)
def loan_note(number: str):
    f = NoteForm()

    def act(loan: Loan):
        return servicing_actions.note(db.session, current_user, loan, f.reason.data)

    return _act(number, f, "note_form", act, "Note added.")
