"""The review queue, one application (trace, held cart, masked applicant),
reveal, approve/decline, and the search of past applications."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from credit.money import to_minor_units
from shop.admin.base import DECIDE, REVIEW, bp, viewed_customer
from shop.admin.forms import ApplicationSearchForm, DecisionForm, RevealForm
from shop.extensions import db
from shop.security import staff_required
from shop.services import holds, policies, review
from shop.services.errors import StaffActionError


def _workday() -> review.Workday:
    return review.Workday(current_app.config["ADMIN_WORKDAY_START_HOUR"], current_app.config["ADMIN_WORKDAY_END_HOUR"])


@bp.get("/applications")
@staff_required(*REVIEW)
def applications():
    sla = current_app.config["ADMIN_REVIEW_SLA_HOURS"]
    rows = review.referred_queue(db.session, sla, _workday())
    return render_template("admin/applications.html", rows=rows, sla_hours=sla)


@bp.get("/applications/search")
@staff_required(*REVIEW)
def application_search():
    form = ApplicationSearchForm(request.args)
    form.validate()
    rows = review.past_applications(db.session, form.outcome.data or None, form.since.data, form.until.data)
    return render_template("admin/application_search.html", form=form, rows=rows)


def _decision_form(view: review.ApplicationView) -> DecisionForm:
    form = DecisionForm()
    tiers = policies.by_version(db.session, view.decision.policy_version).tiers
    form.tier.choices = [(t.tier, f"Tier {t.tier} (line up to {t.max_line_cents // 100:,} $)") for t in tiers]
    form.reasons.choices = review.decline_reason_choices()
    if not form.is_submitted():
        form.tier.data = view.decision.tier
        line = next((st["details"].get("credit_line_cents") for st in view.stages if st["name"] == "limit"), None)
        form.line.data = line / 100 if line else None
    return form


def _page(application_id: int, status: int = 200, revealed: dict | None = None, **forms):
    view = review.application_view(db.session, application_id) or abort(404)
    viewed_customer(view.customer_id, f"application:{application_id}")
    forms.setdefault("decision_form", _decision_form(view))
    forms.setdefault("reveal_form", RevealForm(formdata=None))
    html = render_template(
        "admin/application.html", view=view, revealed=revealed or {}, fields=review.REVEALABLE, **forms
    )
    return html, status


@bp.get("/applications/<int:application_id>")
@staff_required(*REVIEW)
def application(application_id: int):
    return _page(application_id)


@bp.post("/applications/<int:application_id>/reveal")
@staff_required(*DECIDE)
def reveal(application_id: int):
    form = RevealForm()
    if not form.validate_on_submit():
        return _page(application_id, 400, reveal_form=form)
    try:
        value = review.reveal(db.session, current_user, application_id, form.field.data, form.reason.data)
    except LookupError:
        abort(404)
    except StaffActionError as e:
        db.session.rollback()
        form.reason.errors.append(e.message)
        return _page(application_id, 400, reveal_form=form)
    db.session.commit()
    return _page(application_id, revealed={form.field.data: value})


@bp.post("/applications/<int:application_id>/decide")
@staff_required(*DECIDE)
def decide(application_id: int):
    view = review.application_view(db.session, application_id) or abort(404)
    form = _decision_form(view)
    if not form.validate_on_submit():
        return _page(application_id, 400, decision_form=form)
    approve = form.decision.data == "approve"
    try:
        _finish(application_id, form, approve)
    except StaffActionError as e:
        db.session.rollback()
        flash(e.message, "error")
        return _page(application_id, 409, decision_form=form)
    db.session.commit()
    flash(f"Application {application_id} {'approved' if approve else 'declined'}.", "success")
    return redirect(url_for("admin.applications"))


def _finish(application_id: int, form: DecisionForm, approve: bool) -> None:
    holds.finish_review(
        db.session,
        application_id,
        approve,
        form.note.data.strip(),
        current_user.email,
        actor=current_user,
        tier=form.tier.data if approve else None,
        line_cents=to_minor_units(form.line.data) if approve and form.line.data else None,
        decline_codes=tuple(form.reasons.data or ()) if not approve else (),
    )
