"""Staff pages for region-wide relief programs: define, report, end early."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from shop.collections.forms import EndReliefForm, ReliefForm
from shop.collections.views import bp
from shop.extensions import db
from shop.models import ReliefProgram, utcnow
from shop.security import staff_required
from shop.services import relief


def _list_page(form=None, status: int = 200):
    programs = db.session.scalars(select(ReliefProgram).order_by(ReliefProgram.id.desc())).all()
    return render_template("collections/relief_list.html", programs=programs, form=form or ReliefForm()), status


@bp.get("/relief")
@staff_required("collections")
def relief_list():
    return _list_page()


@bp.post("/relief")
@staff_required("collections")
def relief_create():
    form = ReliefForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    terms = relief.ReliefTerms(
        name=form.name.data,
        regions=form.regions.data.split(","),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        waive_late_fees=form.waive_late_fees.data,
        pause_late_fees=form.pause_late_fees.data,
        defer_days=form.defer_days.data or 0,
        pause_contact=form.pause_contact.data,
    )
    try:
        program = relief.create_program(db.session, current_user, terms)
    except relief.ReliefError as e:
        db.session.rollback()
        form.name.errors = [e.message]
        return _list_page(form, 400)
    db.session.commit()
    flash("Relief program created; the daily run applies it.", "success")
    return redirect(url_for("collections.relief_detail", program_id=program.id))


@bp.get("/relief/<int:program_id>")
@staff_required("collections")
def relief_detail(program_id: int):
    program = db.session.get(ReliefProgram, program_id) or abort(404)
    rows = relief.report(db.session, program)
    return render_template("collections/relief.html", program=program, rows=rows, form=EndReliefForm())


@bp.post("/relief/<int:program_id>/end")
@staff_required("collections")
def relief_end(program_id: int):
    program, form = db.session.get(ReliefProgram, program_id) or abort(404), EndReliefForm()
    if not form.validate_on_submit():
        return render_template(
            "collections/relief.html", program=program, rows=relief.report(db.session, program), form=form
        ), 400
    try:
        relief.end_program(db.session, current_user, program, utcnow().date(), form.reason.data)
    except relief.ReliefError as e:
        db.session.rollback()
        flash(e.message, "error")
        return redirect(url_for("collections.relief_detail", program_id=program_id))
    db.session.commit()
    flash("Relief program ended.", "success")
    return redirect(url_for("collections.relief_detail", program_id=program_id))
