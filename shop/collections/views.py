"""Staff pages for collections: the work queue by stage and amount, one loan's
contact log and promises to pay.  Personal data is masked."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from credit.delinquency import STAGES
from credit.money import to_minor_units
from shop.collections.forms import ContactForm, PromiseForm
from shop.extensions import db
from shop.models import Loan, LoanServicing, utcnow
from shop.security import staff_required
from shop.services import collections, servicing_policies
from shop.services.masking import initials, mask_email
from shop.services.notices import STAGE_NAMES

bp = Blueprint("collections", __name__, url_prefix="/admin")


@bp.app_template_filter("initials")
def _initials(name: str) -> str:
    return initials(name)


@bp.app_template_filter("mask_email")
def _mask_email(email: str) -> str:
    return mask_email(email)


@bp.app_template_filter("stage_name")
def _stage_name(stage: str) -> str:
    return STAGE_NAMES.get(stage, stage)


def _loan(number: str) -> Loan:
    return db.session.scalars(select(Loan).filter_by(number=number)).first() or abort(404)


@bp.get("/collections")
@staff_required("collections")
def queue():
    stage = request.args.get("stage") if request.args.get("stage") in STAGES else None
    policy = servicing_policies.active(db.session)
    rows = collections.work_queue(db.session, policy, utcnow().date(), stage)
    counts = collections.stage_counts(db.session)
    return render_template(
        "collections/queue.html", rows=rows, counts=counts, stages=STAGES[1:], stage=stage, policy=policy
    )


def _loan_page(loan: Loan, contact_form=None, promise_form=None, status: int = 200):
    contacts, promises = collections.history(db.session, loan)
    return render_template(
        "collections/loan.html",
        loan=loan,
        state=db.session.get(LoanServicing, loan.id),
        contacts=contacts,
        promises=promises,
        contact_form=contact_form or ContactForm(),
        promise_form=promise_form or PromiseForm(),
    ), status


@bp.get("/collections/<number>")
@staff_required("collections")
def loan(number: str):
    return _loan_page(_loan(number))


@bp.post("/collections/<number>/contacts")
@staff_required("collections")
def log_contact(number: str):
    loan, form = _loan(number), ContactForm()
    if not form.validate_on_submit():
        return _loan_page(loan, contact_form=form, status=400)
    policy = servicing_policies.active(db.session)
    try:
        collections.log_contact(
            db.session,
            current_user,
            loan,
            utcnow().date(),
            policy,
            channel=form.channel.data,
            outcome=form.outcome.data,
            note=form.note.data or "",
        )
    except collections.CollectionsError as e:
        db.session.rollback()
        form.note.errors = [e.message]
        return _loan_page(loan, contact_form=form, status=409)
    db.session.commit()
    flash("Contact logged.", "success")
    return redirect(url_for("collections.loan", number=number))


@bp.post("/collections/<number>/promises")
@staff_required("collections")
def add_promise(number: str):
    loan, form = _loan(number), PromiseForm()
    if not form.validate_on_submit():
        return _loan_page(loan, promise_form=form, status=400)
    try:
        collections.add_promise(
            db.session,
            current_user,
            loan,
            utcnow().date(),
            promised_on=form.promised_on.data,
            amount_cents=to_minor_units(form.amount.data),
        )
    except collections.CollectionsError as e:
        db.session.rollback()
        form.promised_on.errors = [e.message]
        return _loan_page(loan, promise_form=form, status=400)
    db.session.commit()
    flash("Promise to pay recorded.", "success")
    return redirect(url_for("collections.loan", number=number))


from shop.collections import hardship_views, relief_views  # noqa: E402, F401 - routes on this blueprint
