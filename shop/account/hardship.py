"""The shopper asks for help with a loan (hardship) and sees their notices."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from credit.money import to_minor_units
from shop.account.forms import HardshipForm
from shop.account.views import bp
from shop.extensions import db
from shop.models import Loan
from shop.services import hardship, notices


def _own_loan(number: str) -> Loan:
    return db.session.scalars(select(Loan).filter_by(number=number, user_id=current_user.id)).first() or abort(404)


def _page(loan: Loan, form: HardshipForm | None = None, status: int = 200):
    return render_template(
        "account/hardship.html", loan=loan, form=form or HardshipForm(), pending=hardship.open_request(db.session, loan)
    ), status


@bp.get("/credit/loans/<number>/hardship")
@login_required
def hardship_form(number: str):
    return _page(_own_loan(number))


@bp.post("/credit/loans/<number>/hardship")
@login_required
def hardship_submit(number: str):
    loan, form = _own_loan(number), HardshipForm()
    if not form.validate_on_submit():
        return _page(loan, form, 400)
    try:
        hardship.request_help(
            db.session, current_user, loan, reason=form.reason.data, can_pay_cents=to_minor_units(form.can_pay.data)
        )
    except hardship.HardshipError as e:
        db.session.rollback()
        form.reason.errors = [e.message]
        return _page(loan, form, 409)
    db.session.commit()
    flash("Thank you: we will review your request and e-mail you our decision.", "success")
    return redirect(url_for("account.loan", number=number))


@bp.get("/notices")
@login_required
def notice_list():
    messages = notices.notices_of(db.session, current_user.id)
    return render_template("account/notices.html", messages=[(m, notices.render(db.session, m)) for m in messages])
