"""Credit applications: record what the shopper entered and their consent,
gather the fraud counts and repayment record from the database, run the
pure decision pipeline (credit.engine) and store every stage of its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from credit.engine import Decision, decide, replay
from credit.gates import ApplicantInput
from credit.offers import Cart as CreditCart
from credit.offers import CartLine as CreditCartLine
from credit.policy import Policy
from credit.reasons import MAX_REASONS, REASON_TEXT, adverse_action_notice, principal_reasons
from credit.scorecard import load_scorecard
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
from shop.services.decisions import REUSE_DAYS, correctable_decline, latest_decision
from shop.services.errors import AlreadyDecided, StaffActionError

# The records a decision reads, and the shopper's reusable decision, re-exported.
__all__ = ["REUSE_DAYS", "RequestMeta", "correctable_decline", "fraud_context", "latest_decision", "repayment_record"]

CONSENT_VERSION = "consent-2026.1"
CONSENT_TEXT = (
    "I agree that Installmall may use the information in this application, and its records of any "
    "loans I have with Installmall, to decide whether to offer me credit, to verify my identity and "
    "to prevent fraud. I confirm the information is true and complete. I have read the privacy notice."
)
PROMO_TERMS = (3, 6, 12)


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
    checking_band: str  # credit.scorecard.CHECKING_BANDS; scored by scorecard v2
    residence_years: int
    billing_region: str
    existing_monthly_debt_cents: int
    consent: bool


def credit_cart(lines: list[tuple[Listing, int]]) -> CreditCart:
    """The engine's view of a cart: scene, line total and the promotion terms each line's merchant funds."""
    return CreditCart(
        tuple(
            CreditCartLine(listing.scene.slug, listing.price_cents * quantity, listing.promo_terms)
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
        checking_band=data.checking_band,
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
        checking_band=data.checking_band,
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


def replay_decision(s: DbSession, row: CreditDecision, policy: Policy | None = None) -> Decision:
    """Re-run a stored decision under the policy version and the model that made it, or under
    `policy` (a simulation) with the model that policy names: an application made before that
    model's questions were asked comes out incomplete under it."""
    if policy is None:
        made_by = policies.by_version(s, row.policy_version)
        return replay(row.result["inputs"], made_by, scorecard=load_scorecard(row.model_version))
    return replay(row.result["inputs"], policy)


def review(
    s: DbSession,
    application_id: int,
    approve: bool,
    reason: str,
    reviewer: str,
    *,
    tier: str | None = None,
    line_cents: int | None = None,
    decline_codes: tuple[str, ...] = (),
) -> CreditDecision:
    """A reviewer's decision on a referred application (see shop.services.holds.finish_review
    for what happens to the held order).

    Approving confirms a tier and a line (by default what the engine computed);
    declining gives up to four reason codes for the adverse action notice (by
    default the typed reason).  The decision is claimed with one conditional
    UPDATE, so of two reviewers deciding at once exactly one wins; the other
    gets AlreadyDecided."""
    application = s.get(CreditApplication, application_id)
    if application is None or application.decision is None:
        raise LookupError(f"no application {application_id}")
    row = application.decision
    if approve:
        terms = _confirmed_terms(s, row, tier, line_cents)
    else:
        reasons = _decline_reasons(decline_codes, reason)
    _claim(s, row, reviewer, reason)
    if approve:
        row.outcome, (row.tier, row.credit_line_cents) = DecisionOutcome.APPROVED, terms
        application.status = ApplicationStatus.APPROVED
        open_credit_account(s, application.user, row)
    else:
        row.outcome = application.status = DecisionOutcome.DECLINED
        row.adverse_action_notice = adverse_action_notice("declined", reasons, utcnow().date(), application.legal_name)
    s.flush()
    return row


def _claim(s: DbSession, row: CreditDecision, reviewer: str, reason: str) -> None:
    claimed = s.execute(
        update(CreditDecision)
        .where(
            CreditDecision.id == row.id,
            CreditDecision.outcome == DecisionOutcome.REFERRED,
            CreditDecision.reviewed_at.is_(None),
        )
        .values(reviewed_by=reviewer, review_reason=reason, reviewed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    s.refresh(row)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for UPDATE
        who = f" by {row.reviewed_by}" if row.reviewed_by else ""
        raise AlreadyDecided(
            f"application {row.application_id} was already decided{who}: it is {row.outcome}, not awaiting review"
        )


def _confirmed_terms(s: DbSession, row: CreditDecision, tier: str | None, line: int | None) -> tuple[str, int]:
    """The tier and line a reviewer confirms: a tier of the deciding policy, a line up to its maximum."""
    tier = tier or row.tier
    rule = next((t for t in policies.by_version(s, row.policy_version).tiers if t.tier == tier), None)
    if rule is None:
        raise StaffActionError("Choose a risk tier for this application.")
    line = _referred_line(row) if line is None else line
    if not 0 < line <= rule.max_line_cents:
        raise StaffActionError(f"The credit line must be above zero and at most tier {tier}'s maximum.")
    return rule.tier, line


def _decline_reasons(codes: tuple[str, ...], reason: str) -> tuple[str, ...]:
    if len(codes) > MAX_REASONS or any(code not in REASON_TEXT for code in codes):
        raise StaffActionError(f"Choose at most {MAX_REASONS} reasons from the list.")
    return principal_reasons(codes) if codes else (reason,)


def _referred_line(row: CreditDecision) -> int:
    """The line the limit stage computed for a referred application."""
    for stage in row.result.get("stages", []):
        if stage["name"] == "limit":
            return int(stage["details"].get("credit_line_cents", 0))
    return 0
