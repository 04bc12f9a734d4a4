"""Servicing math (pure): days past due, delinquency stages, late fees,
charge-off, autopay retries, credit-line signals and the collection strategy.

The servicing policy is versioned data, like the credit policy: a plain
JSON-serialisable dict (``DEFAULT_SERVICING_POLICY`` is version "2026.1-s")
turned into a validated, frozen :class:`ServicingPolicy`.  The app stores
every version and runs each business date under the active one.

Rules:

* **Days past due** (DPD) on a business date is the number of days since
  the oldest installment that is still owed fell due; an installment due
  today is not past due (DPD 0).
* **Stage** by DPD: current (0), 1-30, 31-60, 61-90, 90+ (bounds from the
  policy's ``stages``, ascending by ``min_dpd``).
* **Late fee**: one per installment, assessed on the first business date on
  which that installment is more than ``grace_days`` past due; the lesser of
  ``late_fee_fixed_cents`` and ``late_fee_percent`` of the installment
  (rounded once, half up), never more than what is left under the loan's
  ``late_fee_cap_cents``.
* **Charge-off** once DPD reaches ``charge_off_dpd`` (default 120).
* **Autopay**: a failed charge is retried ``autopay_retry_days`` after the
  first failure (default +2 and +4); after the last retry fails autopay is
  paused for the loan.
* **Credit line**: available credit is frozen while any loan is past due;
  after ``line_raise_on_time_months`` months of on-time payments the line is
  raised by ``line_raise_percent`` (capped at ``line_raise_max_cents``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from credit.money import percent_of

STAGE_CURRENT: Final = "current"
STAGES: Final = ("current", "dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")
ACTIONS: Final = ("none", "reminder", "call", "letter", "escalation")

DEFAULT_SERVICING_POLICY: dict[str, Any] = {
    "version": "2026.1-s",
    "description": "Launch servicing: 10-day grace, $10 or 5 % late fee capped at $40 a loan, charge-off at 120 DPD",
    "grace_days": 10,
    "late_fee_fixed_cents": 1000,
    "late_fee_percent": "5",
    "late_fee_cap_cents": 4000,
    "charge_off_dpd": 120,
    "stages": [
        {"stage": "current", "min_dpd": 0},
        {"stage": "dpd_1_30", "min_dpd": 1},
        {"stage": "dpd_31_60", "min_dpd": 31},
        {"stage": "dpd_61_90", "min_dpd": 61},
        {"stage": "dpd_90_plus", "min_dpd": 91},
    ],
    "autopay_retry_days": [2, 4],
    "reminder_days_before": 3,
    "line_raise_on_time_months": 6,
    "line_raise_percent": "10",
    "line_raise_max_cents": 1_000_000,
    "hardship_max_deferred_installments": 3,
    "hardship_max_extra_months": 12,
    "collection_strategy": {
        "dpd_1_30": {"action": "reminder", "every_days": 7},
        "dpd_31_60": {"action": "call", "every_days": 5},
        "dpd_61_90": {"action": "letter", "every_days": 10},
        "dpd_90_plus": {"action": "escalation", "every_days": 7},
    },
}


class ServicingPolicyError(ValueError):
    """A servicing policy document that does not validate (names the field)."""


@dataclass(frozen=True, slots=True)
class StrategyStep:
    action: str
    every_days: int


@dataclass(frozen=True, slots=True)
class ServicingPolicy:
    version: str
    grace_days: int
    late_fee_fixed_cents: int
    late_fee_percent: Decimal
    late_fee_cap_cents: int
    charge_off_dpd: int
    stage_bounds: tuple[tuple[int, str], ...]  # (min_dpd, stage), ascending
    autopay_retry_days: tuple[int, ...]
    reminder_days_before: int
    line_raise_on_time_months: int
    line_raise_percent: Decimal
    line_raise_max_cents: int
    hardship_max_deferred_installments: int
    hardship_max_extra_months: int
    strategy: Mapping[str, StrategyStep]
    document: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServicingPolicy:
        """Validate a servicing policy document; raise :class:`ServicingPolicyError` naming the bad field."""
        return _parse(copy.deepcopy(dict(data)))

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.document))


def _int(d: Mapping[str, Any], key: str, minimum: int = 0) -> int:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ServicingPolicyError(f"{key}: must be an integer >= {minimum}, got {value!r}")
    return value


def _dec(d: Mapping[str, Any], key: str) -> Decimal:
    try:
        value = Decimal(str(d.get(key)))
    except InvalidOperation:
        raise ServicingPolicyError(f"{key}: must be a decimal string, got {d.get(key)!r}") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ServicingPolicyError(f"{key}: must be between 0 and 100 percent, got {value}")
    return value


def _parse(d: dict[str, Any]) -> ServicingPolicy:
    version = d.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ServicingPolicyError("version: must be a non-empty string")
    raw_stages = d.get("stages")
    if not isinstance(raw_stages, list) or [row.get("stage") for row in raw_stages] != list(STAGES):
        raise ServicingPolicyError(f"stages: must list {', '.join(STAGES)} in that order")
    bounds = tuple((_int(row, "min_dpd"), str(row["stage"])) for row in raw_stages)
    if bounds[0][0] != 0 or bounds[1][0] != 1 or any(a[0] >= b[0] for a, b in zip(bounds, bounds[1:], strict=False)):
        raise ServicingPolicyError("stages: min_dpd must start 0, 1 and increase")
    retries = d.get("autopay_retry_days")
    if not isinstance(retries, list) or any(isinstance(x, bool) or not isinstance(x, int) or x < 1 for x in retries):
        raise ServicingPolicyError("autopay_retry_days: must be a list of positive day offsets")
    if retries != sorted(set(retries)):
        raise ServicingPolicyError("autopay_retry_days: must increase")
    return ServicingPolicy(
        version=version,
        grace_days=_int(d, "grace_days"),
        late_fee_fixed_cents=_int(d, "late_fee_fixed_cents"),
        late_fee_percent=_dec(d, "late_fee_percent"),
        late_fee_cap_cents=_int(d, "late_fee_cap_cents"),
        charge_off_dpd=_int(d, "charge_off_dpd", minimum=bounds[-1][0]),
        stage_bounds=bounds,
        autopay_retry_days=tuple(retries),
        reminder_days_before=_int(d, "reminder_days_before"),
        line_raise_on_time_months=_int(d, "line_raise_on_time_months", minimum=1),
        line_raise_percent=_dec(d, "line_raise_percent"),
        line_raise_max_cents=_int(d, "line_raise_max_cents"),
        hardship_max_deferred_installments=_int(d, "hardship_max_deferred_installments", minimum=1),
        hardship_max_extra_months=_int(d, "hardship_max_extra_months", minimum=1),
        strategy=_parse_strategy(d.get("collection_strategy")),
        document=d,
    )


def _parse_strategy(raw: Any) -> dict[str, StrategyStep]:
    if not isinstance(raw, dict) or set(raw) != set(STAGES[1:]):
        raise ServicingPolicyError(f"collection_strategy: must have one step for each of {', '.join(STAGES[1:])}")
    steps = {}
    for stage, step in raw.items():
        if not isinstance(step, dict) or step.get("action") not in ACTIONS:
            raise ServicingPolicyError(f"collection_strategy.{stage}.action: must be one of {', '.join(ACTIONS)}")
        steps[stage] = StrategyStep(step["action"], _int(step, "every_days", minimum=1))
    return steps


# ---------------------------------------------------------------- the rules


def days_past_due(oldest_unpaid_due_on: date | None, today: date) -> int:
    """Days since the oldest installment still owed fell due; 0 when nothing is past due."""
    if oldest_unpaid_due_on is None or oldest_unpaid_due_on >= today:
        return 0
    return (today - oldest_unpaid_due_on).days


def stage_for(dpd: int, policy: ServicingPolicy) -> str:
    """The delinquency stage of a loan ``dpd`` days past due."""
    stage = STAGE_CURRENT
    for min_dpd, name in policy.stage_bounds:
        if dpd >= min_dpd:
            stage = name
    return stage


def late_fee_due_on(due_on: date, policy: ServicingPolicy) -> date:
    """The business date on which an installment still owed is charged its late fee."""
    return due_on + timedelta(days=policy.grace_days + 1)


def late_fee_cents(installment_cents: int, already_charged_cents: int, policy: ServicingPolicy) -> int:
    """The lesser of the fixed fee and the percentage of the installment,
    never more than what is left under the loan's cap (0 when it is reached)."""
    fee = min(policy.late_fee_fixed_cents, percent_of(installment_cents, policy.late_fee_percent))
    return max(min(fee, policy.late_fee_cap_cents - already_charged_cents), 0)


def is_charge_off(dpd: int, policy: ServicingPolicy) -> bool:
    return dpd >= policy.charge_off_dpd


def autopay_retry_on(first_failed_on: date, failures: int, policy: ServicingPolicy) -> date | None:
    """When to try a failed autopay charge again after ``failures`` failures
    (the first on ``first_failed_on``); None once the retries are used up:
    autopay is then paused."""
    if failures < 1 or failures > len(policy.autopay_retry_days):
        return None
    return first_failed_on + timedelta(days=policy.autopay_retry_days[failures - 1])


def raised_line_cents(line_cents: int, policy: ServicingPolicy) -> int:
    """The line after a raise for on-time payment (never lowered, capped)."""
    raised = line_cents + percent_of(line_cents, policy.line_raise_percent)
    return max(line_cents, min(raised, policy.line_raise_max_cents))


def next_action(stage: str, from_on: date, policy: ServicingPolicy) -> tuple[str, date | None]:
    """What the collection strategy asks for at ``stage`` and when, counted from ``from_on``."""
    step = policy.strategy.get(stage)
    if step is None:
        return "none", None
    return step.action, from_on + timedelta(days=step.every_days)
