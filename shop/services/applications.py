"""Credit applications: record what the shopper entered and their consent,
gather the fraud counts and repayment record from the database, run the
pure decision pipeline (credit.engine) and store every stage of its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from credit.engine import Decision, decide, replay
from credit.gates import ApplicantInput, is_correctable_decline
from credit.offers import Cart as CreditCart
from credit.offers import CartLine as CreditCartLine
from credit.reasons import adverse_action_notice
from shop import pii
from shop.models import (
    ApplicationStatus,
    CreditAccount,
    CreditApplication,
    CreditDecision,
    DecisionOutcome,
    Listing,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import policies
from shop.services.applicant_records import RequestMeta, fraud_context, repayment_record

__all__ = ["RequestMeta", "fraud_context", "repayment_record"]  # the records a decision reads, re-exported

CONSENT_VERSION = "consent-2026.1"
CONSENT_TEXT = (
    "I agree that Installmall may use the information in this application, and its records of any "
    "loans I have with Installmall, to decide whether to offer me credit, to verify my identity and "
    "to prevent fraud. I confirm the information is true and complete. I have read the privacy notice."
)
PROMO_TERMS = (3, 6, 12)
REUSE_DAYS = 30


@dataclass(frozen=True)
class ApplicationData:
    legal_name: str
    date_of_birth: date
    national_id: str
    monthly_income_cents: int
    income_source: str
    employment_months: int
    housing: str
    other_installment_plans: str
    savings_band: str
    residence_years: int
    billing_region: str
    existing_monthly_debt_cents: int
    consent: bool


def credit_cart(lines: list[tuple[Listing, int]]) -> CreditCart:
    """The engine's view of a cart: scene, line total and promo opt-ins per line."""
    return CreditCart(
        tuple(
            CreditCartLine(
                listing.scene.slug, listing.price_cents * quantity, PROMO_TERMS if listing.promo_opt_in else ()
            )
            for listing, quantity in lines
        )
    )


def submit_application(
    s: DbSession,
    user: User,
    data: ApplicationData,
    meta: RequestMeta,
    lines: list[tuple[Listing, int]],
    shipping_region: str | None,
    today: date | None = None,
) -> tuple[CreditApplication, CreditDecision]:
    """Record the application and consent, decide, store the decision.

    Without consent nothing is recorded or scored (the form refuses first;
    this is the service's own guard)."""
    if not data.consent:
        raise ValueError("consent: the shopper must agree before anything is scored")
    now = utcnow()
    today = today or now.date()
    policy_row, policy = policies.active(s)
    id_hash = pii.keyed_hash(data.national_id)
    cart = credit_cart(lines)
    applicant = ApplicantInput(
        requested_amount_cents=cart.total_cents,
        date_of_birth=data.date_of_birth,
        monthly_income_cents=data.monthly_income_cents,
        income_source=data.income_source,
        employment_months=data.employment_months,
        housing=data.housing,
        other_installment_plans=data.other_installment_plans,
        savings_band=data.savings_band,
        residence_years=data.residence_years,
        billing_region=data.billing_region,
        shipping_region=shipping_region,
        email=user.email,
        national_id_hash=id_hash,
        consent_version=CONSENT_VERSION,
        scenes=cart.scenes,
        existing_monthly_debt_cents=data.existing_monthly_debt_cents,
    )
    decision = decide(
        applicant,
        fraud_context(s, user, id_hash, meta, policy, now),
        repayment_record(s, user, today),
        policy,
        cart,
        today,
    )
    digits = "".join(ch for ch in data.national_id if ch.isdigit())
    application = CreditApplication(
        user_id=user.id,
        legal_name=data.legal_name,
        date_of_birth=data.date_of_birth.isoformat(),
        national_id=digits,
        national_id_hash=id_hash,
        national_id_last4=digits[-4:],
        monthly_income_cents=data.monthly_income_cents,
        income_source=data.income_source,
        employment_months=data.employment_months,
        housing=data.housing,
        other_installment_plans=data.other_installment_plans,
        savings_band=data.savings_band,
        residence_years=data.residence_years,
        billing_region=data.billing_region,
        shipping_region=shipping_region,
        existing_monthly_debt_cents=data.existing_monthly_debt_cents,
        requested_amount_cents=cart.total_cents,
        consent_version=CONSENT_VERSION,
        consent_at=now,
        consent_ip=meta.ip,
        consent_user_agent=meta.user_agent[:400],
        device_id=meta.device_id,
        ip_address=meta.ip,
        status=decision.outcome,
    )
    s.add(application)
    s.flush()
    row = store_decision(s, application, decision, data.legal_name)
    if decision.is_approved:
        open_credit_account(s, user, row)
    return application, row


def store_decision(s: DbSession, application: CreditApplication, decision: Decision, name: str) -> CreditDecision:

    row = CreditDecision(
        application_id=application.id,
        outcome=decision.outcome,
        tier=decision.tier,
        score=decision.score,
        credit_line_cents=decision.credit_line_cents,
        policy_version=decision.policy_version,
        model_version=decision.model_version,
        latency_us=decision.latency_us,
        result=decision.to_dict(),
        adverse_action_notice=adverse_action_notice(decision.outcome, decision.reasons, decision.decided_on, name),
    )
    s.add(row)
    s.flush()
    return row


def open_credit_account(s: DbSession, user: User, decision: CreditDecision) -> CreditAccount:
    account = s.scalars(select(CreditAccount).filter_by(user_id=user.id)).first()
    if account is None:
        account = CreditAccount(user_id=user.id)
        s.add(account)
    account.credit_line_cents = decision.credit_line_cents
    account.tier = decision.tier
    account.decision_id = decision.id
    s.flush()
    return account


def _latest(s: DbSession, user: User, within_days: int) -> CreditDecision | None:
    since = utcnow() - timedelta(days=within_days)
    return s.scalars(
        select(CreditDecision)
        .join(CreditApplication)
        .where(
            CreditApplication.user_id == user.id,
            CreditApplication.created_at >= since,
            CreditDecision.outcome != DecisionOutcome.INCOMPLETE,
        )
        .order_by(CreditApplication.created_at.desc(), CreditApplication.id.desc())
    ).first()


def _is_correctable(row: CreditDecision) -> bool:
    return row.reviewed_at is None and is_correctable_decline(row.outcome, row.result.get("reason_codes", ()))


def latest_decision(s: DbSession, user: User, within_days: int = REUSE_DAYS) -> CreditDecision | None:
    """The shopper's most recent decision made in the last `within_days` days, reused
    for their checkouts; a decline only on an input the form checks (a mistyped
    date of birth) is not reused: the shopper corrects the application instead."""
    row = _latest(s, user, within_days)
    return None if row is not None and _is_correctable(row) else row


def correctable_decline(s: DbSession, user: User, within_days: int = REUSE_DAYS) -> CreditDecision | None:
    """The shopper's latest decision when it is a decline they may correct."""
    row = _latest(s, user, within_days)
    return row if row is not None and _is_correctable(row) else None


def replay_decision(s: DbSession, row: CreditDecision) -> Decision:
    """Re-run a stored decision under the policy version that made it."""
    return replay(row.result["inputs"], policies.by_version(s, row.policy_version))


def review(s: DbSession, application_id: int, approve: bool, reason: str, reviewer: str) -> CreditDecision:
    """A reviewer's decision on a referred application (see shop.services.holds.finish_review
    for what happens to the held order)."""
    application = s.get(CreditApplication, application_id)
    if application is None or application.decision is None:
        raise LookupError(f"no application {application_id}")
    row = application.decision
    if row.outcome != DecisionOutcome.REFERRED or row.reviewed_at is not None:
        raise ValueError(f"application {application_id} is {row.outcome}, not awaiting review")
    row.reviewed_by, row.review_reason, row.reviewed_at = reviewer, reason, utcnow()
    if approve:
        line = _referred_line(row)
        row.outcome, row.credit_line_cents = DecisionOutcome.APPROVED, line
        application.status = ApplicationStatus.APPROVED
        open_credit_account(s, application.user, row)
    else:
        row.outcome = application.status = DecisionOutcome.DECLINED
        row.adverse_action_notice = adverse_action_notice(
            "declined", (reason,), utcnow().date(), application.legal_name
        )
    s.flush()
    return row


def _referred_line(row: CreditDecision) -> int:
    """The line the limit stage computed for a referred application."""
    for stage in row.result.get("stages", []):
        if stage["name"] == "limit":
            return int(stage["details"].get("credit_line_cents", 0))
    return 0
