"""Score an applicant with a committed points scorecard, in plain Python.

The scorecards in ``credit/data/scorecard*.json`` are written by
``seed/train_scorecard.py`` from the Statlog German Credit data (see
``docs/model_card.md``). Each card is identified by its ``model_version``;
:func:`load_scorecard` finds one by that id, so a stored decision can be
replayed with the model it was made with. :func:`default_scorecard` is the
launch card (``scorecard.json``, policies 2026.1 and 2026.2); a policy document that
names a ``model_version`` is scored with that card
(:func:`scorecard_for_policy`). Each feature has
bins with whole points; the score is ``base_points`` plus one bin's points
per feature. Scores are on the training scale: 600 points at good:bad odds of
50:1, 20 points to double the odds.

The scorecard's characteristics are the data's; :func:`characteristics`
translates what a shopper answered into them (amounts scaled from USD cents
to 1970s DM, the cart's scene to a loan purpose, and so on). A value that
falls in no bin (an unknown category) scores the feature's worst bin.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SCORECARD_PATH = DATA_DIR / "scorecard.json"  # the launch card (gc-scorecard-d3837f4800), the default

# Shopper's answers -> the data's code tables.
SAVINGS_BANDS: dict[str, str] = {
    # USD bands, scaled at 2.40 USD per DM (see docs/model_card.md)
    "none": "... < 100 DM",
    "under_250": "... < 100 DM",
    "250_to_1250": "100 <= ... < 500 DM",
    "1250_to_2500": "500 <= ... < 1000 DM",
    "2500_plus": "... >= 1000 DM",
}
# Checking-account balance (asked from scorecard v2 on), same 2.40 USD per DM:
# 200 DM -> 480 USD. No answer maps to the data's "no checking account", which
# means no account *at the lending bank* and scores as the best band; a
# shopper without a checking account has a zero balance.
CHECKING_BANDS: dict[str, str] = {
    "overdrawn": "... < 0 DM",
    "none": "0 <= ... < 200 DM",
    "under_480": "0 <= ... < 200 DM",
    "480_plus": "... >= 200 DM / salary assignments for at least 1 year",
}
HOUSING: dict[str, str] = {"own": "own", "rent": "rent", "free": "for free"}
OTHER_PLANS: dict[str, str] = {"none": "none", "bank": "bank", "stores": "stores"}
INCOME_SOURCES: tuple[str, ...] = ("employed", "self_employed", "retired", "benefits", "other", "none")
# share of monthly income taken by the new payment -> the data's 1-4 band
INSTALLMENT_RATE_BANDS: tuple[tuple[int, int], ...] = ((4, 1), (8, 2), (12, 3))  # (< percent, band)


@dataclass(frozen=True, slots=True)
class Bin:
    label: str
    points: int
    low: float | None = None
    high: float | None = None
    values: frozenset[str] | None = None

    def contains(self, value: Any) -> bool:
        if self.values is not None:
            return value in self.values
        return (self.low is None or value > self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    bins: tuple[Bin, ...]
    best_points: int
    worst: Bin

    def bin_for(self, value: Any) -> Bin:
        if value is not None:
            for b in self.bins:
                if b.contains(value):
                    return b
        return self.worst


@dataclass(frozen=True, slots=True)
class FeatureScore:
    feature: str
    value: Any
    bin_label: str
    points: int
    points_lost: int  # versus the feature's best bin

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "value": self.value,
            "bin": self.bin_label,
            "points": self.points,
            "points_lost": self.points_lost,
        }


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: int
    base_points: int
    features: tuple[FeatureScore, ...]
    model_version: str

    def by_points_lost(self) -> list[FeatureScore]:
        """Features that cost points, most points lost first (ties by name)."""
        lost = [f for f in self.features if f.points_lost > 0]
        return sorted(lost, key=lambda f: (-f.points_lost, f.feature))

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "base_points": self.base_points,
            "model_version": self.model_version,
            "features": [f.to_dict() for f in self.features],
        }


@dataclass(frozen=True, slots=True)
class Scorecard:
    model_version: str
    base_points: int
    features: tuple[Feature, ...]
    scene_to_purpose: Mapping[str, str]
    cents_per_dm: int
    excluded_protected: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        features = []
        for f in data["features"]:
            bins = tuple(
                Bin(
                    label=b["label"],
                    points=int(b["points"]),
                    low=b.get("low"),
                    high=b.get("high"),
                    values=frozenset(b["values"]) if "values" in b else None,
                )
                for b in f["bins"]
            )
            worst = min(bins, key=lambda b: b.points)
            features.append(Feature(f["name"], bins, max(b.points for b in bins), worst))
        return cls(
            model_version=data["model_version"],
            base_points=int(data["base_points"]),
            features=tuple(features),
            scene_to_purpose=dict(data["scene_to_purpose"]),
            cents_per_dm=int(data["amount_scaling"]["cents_per_dm"]),
            excluded_protected=tuple(data["excluded_protected"]),
        )

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def score(self, values: Mapping[str, Any]) -> ScoreResult:
        """Points for a mapping of characteristic name -> value (in the data's terms)."""
        total = self.base_points
        parts = []
        for feature in self.features:
            value = values.get(feature.name)
            b = feature.bin_for(value)
            total += b.points
            parts.append(FeatureScore(feature.name, value, b.label, b.points, feature.best_points - b.points))
        return ScoreResult(total, self.base_points, tuple(parts), self.model_version)


class UnknownModelError(LookupError):
    """No committed scorecard has this model version."""


@lru_cache(maxsize=1)
def default_scorecard() -> Scorecard:
    """The launch scorecard (loaded once per process)."""
    return Scorecard.from_dict(json.loads(SCORECARD_PATH.read_text()))


@lru_cache(maxsize=1)
def _model_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(DATA_DIR.glob("scorecard*.json")):
        version = json.loads(path.read_text())["model_version"]
        if version in files:
            raise ValueError(f"model {version} committed twice: {files[version].name}, {path.name}")
        files[version] = path
    return files


def model_versions() -> tuple[str, ...]:
    """Every committed model version."""
    return tuple(sorted(_model_files()))


@lru_cache(maxsize=8)
def load_scorecard(model_version: str) -> Scorecard:
    """The committed scorecard with this ``model_version`` (loaded once per process)."""
    if model_version == default_scorecard().model_version:
        return default_scorecard()
    path = _model_files().get(model_version)
    if path is None:
        raise UnknownModelError(f"no committed scorecard is model {model_version!r}")
    return Scorecard.from_dict(json.loads(path.read_text()))


def scorecard_for_policy(policy: Any) -> Scorecard:
    """The scorecard a policy (a :class:`~credit.policy.Policy` or its document)
    was calibrated for: its top-level ``model_version``, else the launch card."""
    document = getattr(policy, "document", policy)
    version = document.get("model_version") if isinstance(document, Mapping) else None
    return load_scorecard(version) if version else default_scorecard()


def employment_band(income_source: str | None, employment_months: int | None) -> str | None:
    """The data's ``present_employment_since`` from the income source and months in it."""
    if income_source == "none":
        return "unemployed"
    if employment_months is None:
        return None
    for limit, band in ((12, "... < 1 year"), (48, "1 <= ... < 4 years"), (84, "4 <= ... < 7 years")):
        if employment_months < limit:
            return band
    return "... >= 7 years"


def installment_rate_band(amount_cents: int, term_months: int, monthly_income_cents: int | None) -> int:
    """Band 1-4 of the new payment (amount / term, before interest) as a share of income.

    The data's ``installment_rate_in_percentage_of_disposable_income`` is an
    ordinal 1-4 whose code table is known to be unreliable; empirically a
    higher band means a heavier burden, and the mall's bands are chosen so.
    """
    if not monthly_income_cents or monthly_income_cents <= 0:
        return 4
    payment = amount_cents / max(term_months, 1)
    percent = 100 * payment / monthly_income_cents
    for below, band in INSTALLMENT_RATE_BANDS:
        if percent < below:
            return band
    return 4


def characteristics(applicant: Any, scene: str, card: Scorecard | None = None) -> dict[str, Any]:
    """Translate an :class:`~credit.engine.ApplicantInput` into the scorecard's characteristics."""
    card = card or default_scorecard()
    term = applicant.requested_term_months
    residence = applicant.residence_years
    return {
        "duration_in_month": term,
        "credit_amount": applicant.requested_amount_cents / card.cents_per_dm,
        "installment_rate_in_percentage_of_disposable_income": installment_rate_band(
            applicant.requested_amount_cents, term, applicant.monthly_income_cents
        ),
        "present_residence_since": None if residence is None else min(4, max(1, residence)),
        "present_employment_since": employment_band(applicant.income_source, applicant.employment_months),
        "savings_account_and_bonds": SAVINGS_BANDS.get(applicant.savings_band or ""),
        # v2 only (the gates require the answer when the card scores it); unanswered -> the worst bin
        "status_of_existing_checking_account": CHECKING_BANDS.get(getattr(applicant, "checking_band", None) or ""),
        "purpose": card.scene_to_purpose.get(scene),  # unknown scene -> worst purpose bin
        "other_installment_plans": OTHER_PLANS.get(applicant.other_installment_plans or ""),
        "housing": HOUSING.get(applicant.housing or ""),
    }
