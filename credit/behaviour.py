"""Behavioural adjustment for existing customers, from their own loans with us.

On-time repayments raise the score (a few points each, capped); a loan that
is past due now lowers it sharply, and the worst delinquency of the last 12
months lowers it by step. A serious current delinquency or a charged-off loan
declines outright. New customers (no record) get no adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credit.counts import Counts
from credit.policy import BehaviourRule


@dataclass(frozen=True, slots=True)
class RepaymentRecord(Counts):
    """Counts from the customer's own loans, computed by the database layer."""

    on_time_payments: int = 0
    late_payments_12m: int = 0
    current_days_past_due: int = 0
    max_days_past_due_12m: int = 0
    charged_off_loans: int = 0
    outstanding_balance_cents: int = 0
    monthly_installments_cents: int = 0  # what their open loans with us cost each month


@dataclass(frozen=True, slots=True)
class BehaviourResult:
    points: int
    decline: bool
    reason_codes: tuple[str, ...]  # keys of credit.reasons.REASON_TEXT, worst first

    def to_dict(self) -> dict[str, Any]:
        return {"points": self.points, "decline": self.decline, "reason_codes": list(self.reason_codes)}


def behaviour_adjustment(record: RepaymentRecord | None, rule: BehaviourRule) -> BehaviourResult:
    """Score points from the customer's repayment record (0 for a new customer)."""
    if record is None:
        return BehaviourResult(0, False, ())
    reasons: list[str] = []
    points = min(record.on_time_payments * rule.points_per_on_time_payment, rule.max_on_time_bonus)
    decline = False
    if record.charged_off_loans and rule.decline_on_charge_off:
        decline = True
        reasons.append("charged_off_with_us")
    if record.current_days_past_due > 0:
        points += rule.current_past_due_points
        reasons.append("past_due_with_us")
        decline = decline or record.current_days_past_due >= rule.decline_current_days_past_due
    recent = 0
    for min_days, step_points in rule.recent_past_due_points:
        if record.max_days_past_due_12m >= min_days:
            recent = step_points
    if recent:
        points += recent
        reasons.append("late_payments_with_us")
    return BehaviourResult(points, decline, tuple(reasons))
