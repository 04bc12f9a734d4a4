"""Staff: merchant onboarding review at /admin/merchants (roles: reviewer, risk, superadmin).

Approve or reject (with a reason) a pending merchant; each decision writes an
audit entry (shop.services.merchants.review)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from shop.admin.views import bp
from shop.extensions import db
from shop.models import MerchantStatus
from shop.security import staff_required
from shop.services import merchants

ROLES = ("reviewer", "risk", "superadmin")


class MerchantReviewForm(FlaskForm):
    reason = TextAreaField("Reason (required to reject)", validators=[Optional(), Length(max=500)])


def _page(status: int = 200, error: str | None = None, form: MerchantReviewForm | None = None):
    wanted = request.args.get("status", MerchantStatus.PENDING)
    wanted = wanted if wanted in {s.value for s in MerchantStatus} or wanted == "" else MerchantStatus.PENDING
    return render_template(
        "admin/merchants.html",
        merchants=merchants.merchants_by_status(db.session, wanted or None),
        status=wanted,
        statuses=[s.value for s in MerchantStatus],
        form=form or MerchantReviewForm(),
        roles=ROLES,
        error=error,
    ), status


@bp.get("/merchants")
@staff_required(*ROLES)
def merchants_page():
    return _page()


@bp.post("/merchants/<int:merchant_id>/<any(approve, reject):decision>")
@staff_required(*ROLES)
def merchant_review(merchant_id: int, decision: str):
    form = MerchantReviewForm()
    if not form.validate_on_submit():
        return _page(400, form=form)
    try:
        merchant = merchants.review(
            db.session, current_user, merchant_id, approve=decision == "approve", reason=form.reason.data or ""
        )
    except LookupError:
        abort(404)
    except merchants.MerchantError as e:
        db.session.rollback()
        return _page(409, e.message, form)
    db.session.commit()
    flash(f"{merchant.name} is {merchant.status}.", "success")
    return redirect(url_for("admin.merchants_page"))
