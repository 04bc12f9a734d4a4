"""The credit decision pipeline, as pure functions.

    gates -> fraud/abuse rules -> scorecard (+ behaviour) -> policy -> limit and offers

:func:`decide` runs the stages in order; each returns a :class:`StageResult`
(status, reason codes, details) kept on the :class:`Decision`, together with
the inputs, the policy and model versions and the latency in microseconds,
so a stored decision explains itself and :func:`replay` can re-run it.

Outcomes:

* ``incomplete``: no consent (to an accepted consent version) or missing
  fields; nothing is scored and no credit decision is made;
* ``declined``: a gate, a fraud rule, the repayment record, exposure, ability
  to repay, the score or the lack of any offer for the amount; up to four
  principal reasons, gate/fraud/policy reasons first, then the scorecard's
  characteristics by points lost against their best bin;
* ``referred``: a fraud rule that refers, or a score in the scene's refer band:
  manual review;
* ``approved``: tier, credit line, available credit and the offer terms.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR
from typing import Any

from credit.behaviour import RepaymentRecord, behaviour_adjustment
from credit.fraud import FraudContext, evaluate_fraud
from credit.gates import ApplicantInput, run_gates
from credit.money import div_round
from credit.offers import Cart, OfferTerms, eligible_terms
from credit.policy import Policy
from credit.reasons import adverse_action_notice, principal_reasons
from credit.schedule import monthly_payment_cents
from credit.scorecard import Scorecard, UnknownModelError, characteristics, load_scorecard, scorecard_for_policy

__all__ = [
    "ApplicantInput",
    "FraudContext",
    "RepaymentRecord",
    "Cart",
    "StageResult",
    "Decision",
    "decide",
    "replay",
    "ReplayError",
]


class ReplayError(ValueError):
    """A stored decision cannot be replayed (e.g. it was made by another model)."""


@dataclass(frozen=True, slots=True)
class StageResult:
    name: str  # gates | fraud | score | policy | limit
    status: str  # pass | refer | decline | incomplete
    reason_codes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "reason_codes": list(self.reason_codes),
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str  # approved | referred | declined | incomplete
    tier: str | None
    score: int | None
    credit_line_cents: int
    available_credit_cents: int
    amount_cents: int
    scene: str
    offers: tuple[OfferTerms, ...]
    reason_codes: tuple[str, ...]
    reasons: tuple[str, ...]  # plain words, at most four
    stages: tuple[StageResult, ...]
    policy_version: str
    model_version: str
    decided_on: date
    latency_us: int
    inputs: dict[str, Any]

    @property
    def is_approved(self) -> bool:
        return self.outcome == "approved"

    @property
    def adverse_action_notice(self) -> str | None:
        """The notice text for a declined application, else None."""
        return adverse_action_notice(self.outcome, self.reasons, self.decided_on)

    def stage(self, name: str) -> StageResult | None:
        return next((s for s in self.stages if s.name == name), None)

    def outcome_dict(self) -> dict[str, Any]:
        """Everything but latency: what a replay must reproduce."""
        data = self.to_dict()
        del data["latency_us"]
        return data

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "tier": self.tier,
            "score": self.score,
            "credit_line_cents": self.credit_line_cents,
            "available_credit_cents": self.available_credit_cents,
            "amount_cents": self.amount_cents,
            "scene": self.scene,
            "offers": [o.to_dict() for o in self.offers],
            "reason_codes": list(self.reason_codes),
            "reasons": list(self.reasons),
            "adverse_action_notice": self.adverse_action_notice,
            "stages": [s.to_dict() for s in self.stages],
            "policy_version": self.policy_version,
            "model_version": self.model_version,
            "decided_on": self.decided_on.isoformat(),
            "latency_us": self.latency_us,
            "inputs": self.inputs,
        }


# --------------------------------------------------------------------------- stages
def _score_stage(
    applicant: ApplicantInput, scene: str, record: RepaymentRecord | None, policy: Policy, card: Scorecard
) -> tuple[StageResult, int, list[str], list[str]]:
    """Scorecard + behaviour. Returns the stage, the final score, the scorecard
    reason codes (most points lost first) and the behaviour reason codes."""
    result = card.score(characteristics(applicant, scene, card))
    adjustment = behaviour_adjustment(record, policy.behaviour)
    score = result.score + adjustment.points
    details = {"scorecard": result.to_dict(), "behaviour": adjustment.to_dict(), "final_score": score}
    status = "decline" if adjustment.decline else "pass"
    score_codes = [f.feature for f in result.by_points_lost()]
    behaviour_codes = list(adjustment.reason_codes) if adjustment.points < 0 or adjustment.decline else []
    return (
        StageResult("score", status, tuple(behaviour_codes if adjustment.decline else ()), details),
        score,
        score_codes,
        behaviour_codes,
    )


def new_payment_cents(amount_cents: int, term_months: int, policy: Policy) -> int:
    """The new loan's monthly payment for ability to repay: the requested term
    at the policy's stress APR (pay-in-4 and terms under 3 months: amount / 2)."""
    if term_months < 3:
        return div_round(amount_cents, 2, ROUND_CEILING)  # a stress estimate errs high
    return monthly_payment_cents(amount_cents, policy.stress_apr_percent / 100, min(term_months, 36))


def _policy_stage(
    applicant: ApplicantInput, record: RepaymentRecord | None, score: int, scene: str, policy: Policy
) -> StageResult:
    amount = applicant.requested_amount_cents
    outstanding = record.outstanding_balance_cents if record else 0
    own_installments = record.monthly_installments_cents if record else 0
    new_payment = new_payment_cents(amount, applicant.requested_term_months, policy)
    obligations = applicant.existing_monthly_debt_cents + own_installments + new_payment
    allowed = div_round((applicant.monthly_income_cents or 0) * policy.max_debt_to_income, 1, ROUND_FLOOR)  # a cap
    rule = policy.scene_rule(scene)
    tier = policy.tier_for(score)
    codes = []
    if outstanding + amount > policy.max_exposure_cents:
        codes.append("max_exposure")
    if obligations > allowed:
        codes.append("ability_to_repay")
    band = "approve" if score >= rule.approve_min_score else "refer" if score >= rule.refer_min_score else "decline"
    status = "decline" if codes or band == "decline" else "refer" if band == "refer" else "pass"
    details = {
        "scene": scene,
        "score": score,
        "approve_min_score": rule.approve_min_score,
        "refer_min_score": rule.refer_min_score,
        "score_band": band,
        "tier": tier.tier if tier else None,
        "exposure_cents": outstanding + amount,
        "max_exposure_cents": policy.max_exposure_cents,
        "monthly_obligations_cents": obligations,
        "new_payment_cents": new_payment,
        "max_obligations_cents": allowed,
        "max_debt_to_income": str(policy.max_debt_to_income),
    }
    return StageResult("policy", status, tuple(codes), details)


def _limit_stage(
    applicant: ApplicantInput,
    record: RepaymentRecord | None,
    tier_letter: str,
    scene: str,
    promo_months: frozenset[int],
    policy: Policy,
) -> tuple[StageResult, int, int, tuple[OfferTerms, ...]]:
    tier = next(t for t in policy.tiers if t.tier == tier_letter)
    by_income = div_round((applicant.monthly_income_cents or 0) * tier.income_multiple, 1, ROUND_FLOOR)  # a cap
    line = min(tier.max_line_cents, by_income, policy.max_exposure_cents)
    outstanding = record.outstanding_balance_cents if record else 0
    available = max(0, line - outstanding)
    terms = eligible_terms(policy, scene, tier_letter, applicant.requested_amount_cents, available, promo_months)
    details = {
        "credit_line_cents": line,
        "outstanding_cents": outstanding,
        "available_credit_cents": available,
        "offers": [t.product for t in terms],
    }
    status = "pass" if terms else "decline"
    return StageResult("limit", status, () if terms else ("no_offer_for_amount",), details), line, available, terms


# --------------------------------------------------------------------------- pipeline
def decide(
    applicant: ApplicantInput,
    fraud_ctx: FraudContext,
    behaviour: RepaymentRecord | None,
    policy: Policy,
    cart: Cart | None = None,
    today: date | None = None,
    *,
    scorecard: Scorecard | None = None,
) -> Decision:
    """Run the pipeline. With a ``cart``, its total and scenes replace the
    applicant's requested amount and scenes. ``today`` (the business date) is
    required for the age gate; it defaults to the system date only for
    convenience in scripts. ``scorecard`` defaults to the model the policy
    names (:func:`~credit.scorecard.scorecard_for_policy`)."""
    started = time.perf_counter_ns()
    today = today or date.today()
    card = scorecard or scorecard_for_policy(policy)
    if cart is not None:
        applicant = replace(applicant, requested_amount_cents=cart.total_cents, scenes=cart.scenes)
    inputs = {
        "applicant": applicant.to_dict(),
        "fraud": fraud_ctx.to_dict(),
        "behaviour": behaviour.to_dict() if behaviour else None,
        "cart": cart.to_dict() if cart else None,
        "today": today.isoformat(),
    }
    scene = policy.effective_scene(applicant.scenes)
    promo_months = cart.promo_months if cart else frozenset()
    run = _Run(applicant, scene, policy, card, today, inputs, started)

    gates = run_gates(applicant, policy, scene, today, card)
    run.stages.append(StageResult("gates", gates.status, gates.reason_codes, gates.details))
    if gates.status != "pass":
        outcome = "incomplete" if gates.status == "incomplete" else "declined"
        return run.finish(outcome, list(gates.reason_codes))

    action, hits = evaluate_fraud(
        fraud_ctx,
        policy,
        email=applicant.email,
        billing_region=applicant.billing_region,
        shipping_region=applicant.shipping_region,
        amount_cents=applicant.requested_amount_cents,
    )
    fraud_codes = [h.rule for h in hits if h.action == action]
    run.stages.append(StageResult("fraud", action, tuple(fraud_codes), {"hits": [h.to_dict() for h in hits]}))
    if action == "decline":
        return run.finish("declined", fraud_codes)

    stage, score, score_codes, behaviour_codes = _score_stage(applicant, scene, behaviour, policy, card)
    run.stages.append(stage)
    run.score = score
    policy_stage = _policy_stage(applicant, behaviour, score, scene, policy)
    run.stages.append(policy_stage)
    run.tier = policy_stage.details["tier"]
    band = policy_stage.details["score_band"]
    if stage.status == "decline" or policy_stage.status == "decline":
        codes = list(policy_stage.reason_codes) + behaviour_codes
        if band != "approve":
            codes += score_codes
        return run.finish("declined", codes)

    if run.tier is None:  # refer band below the lowest tier: a reviewer decides the line
        return run.finish("referred", fraud_codes + ["manual_review"] + score_codes)
    limit_stage, line, available, terms = _limit_stage(applicant, behaviour, run.tier, scene, promo_months, policy)
    run.stages.append(limit_stage)
    run.line, run.available = line, available
    if not terms:
        return run.finish("declined", list(limit_stage.reason_codes))
    if action == "refer" or band == "refer":
        codes = fraud_codes + (["manual_review"] + score_codes if band == "refer" else [])
        return run.finish("referred", codes, terms)
    return run.finish("approved", [], terms)


@dataclass(slots=True)
class _Run:
    applicant: ApplicantInput
    scene: str
    policy: Policy
    card: Scorecard
    today: date
    inputs: dict[str, Any]
    started: int
    stages: list[StageResult] = field(default_factory=list)
    score: int | None = None
    tier: str | None = None
    line: int = 0
    available: int = 0

    def finish(self, outcome: str, codes: list[str], terms: tuple[OfferTerms, ...] = ()) -> Decision:
        unique = list(dict.fromkeys(codes))
        shown = principal_reasons(unique) if outcome in ("declined", "incomplete", "referred") else ()
        approved = outcome == "approved"
        return Decision(
            outcome=outcome,
            tier=self.tier if outcome in ("approved", "referred") else None,
            score=self.score,
            credit_line_cents=self.line if approved else 0,
            available_credit_cents=self.available if approved else 0,
            amount_cents=self.applicant.requested_amount_cents,
            scene=self.scene,
            offers=terms if outcome in ("approved", "referred") else (),
            reason_codes=tuple(unique),
            reasons=shown,
            stages=tuple(self.stages),
            policy_version=self.policy.version,
            model_version=self.card.model_version,
            decided_on=self.today,
            latency_us=(time.perf_counter_ns() - self.started) // 1000,
            inputs=self.inputs,
        )


def inputs_from_dict(
    stored: Mapping[str, Any],
) -> tuple[ApplicantInput, FraudContext, RepaymentRecord | None, Cart | None, date]:
    """Rebuild the inputs of :func:`decide` from ``Decision.to_dict()["inputs"]``."""
    return (
        ApplicantInput.from_dict(stored["applicant"]),
        FraudContext.from_dict(stored["fraud"]),
        RepaymentRecord.from_dict(stored["behaviour"]) if stored.get("behaviour") else None,
        Cart.from_dict(stored["cart"]) if stored.get("cart") else None,
        date.fromisoformat(stored["today"]),
    )


def replay(stored: Mapping[str, Any], policy: Policy, *, scorecard: Scorecard | None = None) -> Decision:
    """Re-run a stored decision (``Decision.to_dict()``, or just its ``inputs``)
    under ``policy``. With the policy version and model it was made with, the
    result's :meth:`Decision.outcome_dict` equals the stored one.

    The model: ``scorecard`` if given, else the committed card the stored
    decision names (its ``model_version``), else the one ``policy`` names.
    A decision made by a model that is not ``scorecard``, or by no committed
    model, raises :class:`ReplayError`."""
    card = scorecard
    if "inputs" in stored:
        stored_model = stored.get("model_version")
        if stored_model and card is None:
            try:
                card = load_scorecard(stored_model)
            except UnknownModelError as err:
                raise ReplayError(str(err)) from None
        if stored_model and card is not None and stored_model != card.model_version:
            raise ReplayError(f"decision was made by model {stored_model}, this is {card.model_version}")
        stored = stored["inputs"]
    applicant, fraud_ctx, record, cart, today = inputs_from_dict(stored)
    return decide(applicant, fraud_ctx, record, policy, cart, today, scorecard=card)
