"""Credit policy: the active version and its offer catalog as tables, drafts
(form or JSON upload), the diff against the active version, a simulation by
replaying stored applications, activation (risk) and history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from shop.admin.base import POLICY, bp
from shop.admin.forms import PolicyDraftForm, ReasonForm, SimulateForm
from shop.extensions import db
from shop.models import PolicyVersion
from shop.security import staff_required
from shop.services import policies, policy_drafts
from shop.services.errors import StaffActionError


def _policy_page(form: PolicyDraftForm, status: int = 200):
    row, _ = policies.active(db.session)
    history = policy_drafts.history(db.session)
    return render_template("admin/policy.html", active=row, doc=row.document, form=form, history=history), status


@bp.get("/policy")
@staff_required(*POLICY)
def policy():
    return _policy_page(PolicyDraftForm(formdata=None))


def _submitted_text(form: PolicyDraftForm) -> str:
    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        return upload.read().decode("utf-8", errors="replace")
    return form.document.data or ""


@bp.post("/policy/drafts")
@staff_required(*POLICY)
def create_policy_draft():
    form = PolicyDraftForm()
    if not form.validate_on_submit():
        return _policy_page(form, 400)
    try:
        document = policy_drafts.parse_document(_submitted_text(form))
        row = policy_drafts.create_draft(db.session, current_user, document)
    except StaffActionError as e:
        db.session.rollback()
        form.document.errors = [e.message]
        return _policy_page(form, 400)
    db.session.commit()
    flash(f"Draft {row.version} stored. Review the diff and simulate it before activating.", "success")
    return redirect(url_for("admin.policy_version", version=row.version))


def _version(version: str) -> PolicyVersion:
    return db.session.scalars(select(PolicyVersion).filter_by(version=version)).first() or abort(404)


@bp.get("/policy/versions/<version>")
@staff_required(*POLICY)
def policy_version(version: str):
    row = _version(version)
    active, _ = policies.active(db.session)
    form = SimulateForm(request.args)
    simulation = None
    if "n" in request.args and form.validate():
        simulation = policy_drafts.simulate(db.session, row, form.n.data or 200)
    changes = policy_drafts.diff(active.document, row.document)
    return render_template(
        "admin/policy_version.html",
        row=row,
        active=active,
        changes=changes,
        form=form,
        simulation=simulation,
        activate_form=ReasonForm(formdata=None),
    )


@bp.post("/policy/versions/<version>/activate")
@staff_required(*POLICY)
def activate_policy(version: str):
    row = _version(version)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("Type the reason for activating this version.", "error")
        return redirect(url_for("admin.policy_version", version=row.version)), 303
    policy_drafts.activate(db.session, current_user, row.version, form.reason.data.strip())
    db.session.commit()
    flash(f"Policy {row.version} is now active; new decisions use it.", "success")
    return redirect(url_for("admin.policy"))
