"""Staff pages for hardship requests: the list, one request, grant or decline."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from shop.collections.forms import DeclineForm, GrantForm
from shop.collections.views import bp
from shop.extensions import db
from shop.models import HardshipRequest, Loan, utcnow
from shop.security import staff_required
from shop.services import hardship, servicing_policies


def _request(request_id: int) -> HardshipRequest:
    return db.session.get(HardshipRequest, request_id) or abort(404)


@bp.get("/hardship")
@staff_required("collections")
def hardship_list():
    requests = db.session.scalars(
        select(HardshipRequest).order_by(HardshipRequest.status.desc(), HardshipRequest.id.desc())
    )
    return render_template("collections/hardship_list.html", requests=list(requests))


def _request_page(req: HardshipRequest, grant_form=None, decline_form=None, status: int = 200):
    return render_template(
        "collections/hardship.html",
        req=req,
        loan=db.session.get(Loan, req.loan_id),
        policy=servicing_policies.active(db.session),
        grant_form=grant_form or GrantForm(),
        decline_form=decline_form or DeclineForm(),
    ), status


@bp.get("/hardship/<int:request_id>")
@staff_required("collections")
def hardship_detail(request_id: int):
    return _request_page(_request(request_id))


@bp.post("/hardship/<int:request_id>/grant")
@staff_required("collections")
def hardship_grant(request_id: int):
    req, form = _request(request_id), GrantForm()
    if not form.validate_on_submit():
        return _request_page(req, grant_form=form, status=400)
    policy = servicing_policies.active(db.session)
    try:
        hardship.grant(
            db.session,
            current_user,
            req,
            policy,
            remedy=form.remedy.data,
            count=form.count.data or 1,
            note=form.note.data,
            on=utcnow().date(),
        )
    except hardship.HardshipError as e:
        db.session.rollback()
        form.remedy.errors = [e.message]
        return _request_page(_request(request_id), grant_form=form, status=409)
    db.session.commit()
    flash("Hardship plan granted; the shopper has been told.", "success")
    return redirect(url_for("collections.hardship_detail", request_id=request_id))


@bp.post("/hardship/<int:request_id>/decline")
@staff_required("collections")
def hardship_decline(request_id: int):
    req, form = _request(request_id), DeclineForm()
    if not form.validate_on_submit():
        return _request_page(req, decline_form=form, status=400)
    try:
        hardship.decline(db.session, current_user, req, note=form.note.data, on=utcnow().date())
    except hardship.HardshipError as e:
        db.session.rollback()
        form.note.errors = [e.message]
        return _request_page(_request(request_id), decline_form=form, status=409)
    db.session.commit()
    flash("Request declined; the shopper has been told.", "success")
    return redirect(url_for("collections.hardship_detail", request_id=request_id))
