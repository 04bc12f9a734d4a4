"""What the shopper entered (:class:`ApplicantInput`) and the eligibility gates.

Gates run first, in this order: consent given to an accepted consent version,
required fields present, age at least the policy minimum, billing region
served, amount within the product bounds of the cart's scene. A missing
consent or missing fields make the application *incomplete* (no decision is
made: nothing is scored); the other gates decline.

Required fields are :data:`REQUIRED_FIELDS` plus the answers the scorecard in
use asks beyond them (:data:`SCORECARD_FIELDS`): the checking-account band is
required only when the policy's model scores it (scorecard v2, policy 2026.3
on), so inputs stored before the question existed still replay under the
launch card instead of turning *incomplete*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from credit.policy import Policy
from credit.scorecard import CHECKING_BANDS, HOUSING, INCOME_SOURCES, OTHER_PLANS, SAVINGS_BANDS, Scorecard

REQUIRED_FIELDS: tuple[str, ...] = (
    "date_of_birth",
    "monthly_income_cents",
    "income_source",
    "employment_months",
    "housing",
    "other_installment_plans",
    "savings_band",
    "residence_years",
    "billing_region",
    "email",
    "national_id_hash",
)
# scorecard characteristic -> the applicant's answer it needs, for answers only some cards use
SCORECARD_FIELDS: dict[str, str] = {"status_of_existing_checking_account": "checking_band"}
_CHOICES: dict[str, tuple[str, ...]] = {
    "income_source": INCOME_SOURCES,
    "housing": tuple(HOUSING),
    "other_installment_plans": tuple(OTHER_PLANS),
    "savings_band": tuple(SAVINGS_BANDS),
    "checking_band": tuple(CHECKING_BANDS),
}
# A decline on one of these alone came from an input the application form can
# check (a typo in the date of birth): the shopper may correct it and apply
# again instead of having the decline reused.
FORM_CHECKABLE_DECLINES: frozenset[str] = frozenset({"under_age"})
LEGAL_MIN_AGE_YEARS = 18  # the form refuses a younger applicant before anything is decided

_NON_NEGATIVE_INTS = (
    "monthly_income_cents",
    "employment_months",
    "residence_years",
    "existing_monthly_debt_cents",
    "requested_amount_cents",
)


@dataclass(frozen=True, slots=True)
class ApplicantInput:
    """One credit application as the shopper entered it (no raw national ID:
    only its keyed hash). ``None`` means "not answered"; the gates decide what
    that means. Out-of-range values are broken input and raise ``ValueError``.

    ``employment_months``: months with the current employer or income source
    (ignored when ``income_source == "none"``). ``existing_monthly_debt_cents``:
    other installment payments per month declared by the shopper (loans with
    us come from the repayment record). ``requested_term_months``: the term the
    shopper asks about; pay-in-4 counts as 2. ``checking_band``: the balance
    of the shopper's checking account (``credit.scorecard.CHECKING_BANDS``),
    asked since scorecard v2; :meth:`to_dict` leaves it out while unanswered,
    so a decision stored before it existed replays to the same inputs.
    """

    requested_amount_cents: int
    date_of_birth: date | None = None
    monthly_income_cents: int | None = None
    income_source: str | None = None
    employment_months: int | None = None
    housing: str | None = None
    other_installment_plans: str | None = None
    savings_band: str | None = None
    residence_years: int | None = None
    billing_region: str | None = None
    shipping_region: str | None = None
    email: str | None = None
    national_id_hash: str | None = None
    consent_version: str | None = None
    requested_term_months: int = 12
    scenes: tuple[str, ...] = ()
    existing_monthly_debt_cents: int = 0
    checking_band: str | None = None

    def __post_init__(self) -> None:
        for name in _NON_NEGATIVE_INTS:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"{name}: must be a non-negative int, got {value!r}")
        for name, allowed in _CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ValueError(f"{name}: must be one of {', '.join(allowed)}, got {value!r}")
        if not isinstance(self.requested_term_months, int) or not 1 <= self.requested_term_months <= 60:
            raise ValueError(f"requested_term_months: must be 1..60, got {self.requested_term_months!r}")
        if self.date_of_birth is not None and not isinstance(self.date_of_birth, date):
            raise ValueError("date_of_birth: must be a date")
        if not isinstance(self.scenes, tuple):
            object.__setattr__(self, "scenes", tuple(self.scenes))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        data["scenes"] = list(self.scenes)
        if self.checking_band is None:
            del data["checking_band"]  # not asked before scorecard v2: stored inputs stay as they were
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApplicantInput:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        if values.get("date_of_birth"):
            values["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
        values["scenes"] = tuple(values.get("scenes") or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class GateResult:
    status: str  # "pass" | "incomplete" | "decline"
    reason_codes: tuple[str, ...]
    details: dict[str, Any]


def age_on(date_of_birth: date, today: date) -> int:
    """Whole years of age on ``today`` (a 29 February birthday turns over on 1 March)."""
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def required_fields(card: Scorecard | None = None) -> tuple[str, ...]:
    """:data:`REQUIRED_FIELDS` plus the answers ``card`` scores beyond them."""
    names = card.feature_names if card is not None else ()
    return REQUIRED_FIELDS + tuple(SCORECARD_FIELDS[n] for n in names if n in SCORECARD_FIELDS)


def missing_fields(applicant: ApplicantInput, card: Scorecard | None = None) -> list[str]:
    missing = [name for name in required_fields(card) if getattr(applicant, name) in (None, "")]
    if applicant.income_source == "none" and "employment_months" in missing:
        missing.remove("employment_months")
    return missing


def amount_bounds(policy: Policy, scene: str) -> tuple[int, int] | None:
    """Smallest and largest amount any enabled product finances in ``scene``."""
    rows = [row for row in policy.offers if row.enabled and row.scene == scene]
    if not rows:
        return None
    low = max(policy.min_amount_cents, min(r.min_amount_cents for r in rows))
    high = min(policy.max_amount_cents, max(r.max_amount_cents for r in rows))
    return low, high


def run_gates(
    applicant: ApplicantInput, policy: Policy, scene: str, today: date, card: Scorecard | None = None
) -> GateResult:
    """The eligibility gates, stopping at the first that fails. ``card``: the
    scorecard that will score the application (its extra questions are required)."""
    if applicant.consent_version is None:
        return GateResult("incomplete", ("consent_missing",), {})
    if applicant.consent_version not in policy.consent_versions:
        return GateResult("incomplete", ("consent_outdated",), {"consent_version": applicant.consent_version})
    missing = missing_fields(applicant, card)
    if missing:
        return GateResult("incomplete", ("missing_fields",), {"missing": missing})
    assert applicant.date_of_birth is not None  # required field, checked above
    age = age_on(applicant.date_of_birth, today)
    if age < policy.min_age_years:
        return GateResult("decline", ("under_age",), {"min_age_years": policy.min_age_years})
    if applicant.billing_region not in policy.regions_served:
        return GateResult("decline", ("region_not_served",), {"billing_region": applicant.billing_region})
    bounds = amount_bounds(policy, scene)
    amount = applicant.requested_amount_cents
    if bounds is None or not bounds[0] <= amount <= bounds[1]:
        return GateResult(
            "decline",
            ("amount_out_of_bounds",),
            {"amount_cents": amount, "bounds_cents": list(bounds) if bounds else None},
        )
    return GateResult("pass", (), {"age_checked": True, "scene": scene})


def is_correctable_decline(outcome: str, reason_codes: Sequence[str]) -> bool:
    """True for a decline whose only reasons are inputs the form can check."""
    return outcome == "declined" and bool(reason_codes) and set(reason_codes) <= FORM_CHECKABLE_DECLINES


def is_valid_ssn(digits: str) -> bool:
    """The shape of a number the SSA can issue: 9 digits, area not 000 or 666,
    group not 00, serial not 0000.  Area 900-999 is left to the decision (those
    are taxpayer IDs, which some applicants hold instead of an SSN)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and group != "00" and serial != "0000"
