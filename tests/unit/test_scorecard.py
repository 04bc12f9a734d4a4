"""The committed scorecard: no protected characteristic, known points, sensible monotonicity,
and (when the training libraries are installed) exact reproduction by the training script."""

import importlib.util
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from credit.gates import ApplicantInput
from credit.scorecard import (
    SAVINGS_BANDS,
    SCORECARD_PATH,
    characteristics,
    default_scorecard,
    employment_band,
    installment_rate_band,
)

ROOT = Path(__file__).resolve().parents[2]
CARD = default_scorecard()
RAW = json.loads(SCORECARD_PATH.read_text())

PROTECTED_WORDS = (
    "sex",
    "marital",
    "personal",
    "age",
    "foreign",
    "telephone",
    "phone",
    "dependents",
    "liable",
    "maintenance",
)


def words(name: str) -> set[str]:
    return set(name.split("_"))


def applicant(**overrides) -> ApplicantInput:
    values = dict(
        requested_amount_cents=120_000,
        date_of_birth=date(1990, 5, 1),
        monthly_income_cents=400_000,
        income_source="employed",
        employment_months=30,
        housing="rent",
        other_installment_plans="none",
        savings_band="under_250",
        residence_years=3,
        billing_region="CA",
        email="ann@example.com",
        national_id_hash="h",
        consent_version="consent-2026.1",
        requested_term_months=12,
    )
    values.update(overrides)
    return ApplicantInput(**values)


def points(feature: str, value) -> int:
    return next(f for f in CARD.features if f.name == feature).bin_for(value).points


def test_no_protected_characteristic_is_a_feature():
    for name in CARD.feature_names:
        assert not words(name) & set(PROTECTED_WORDS), name
    excluded = set(RAW["excluded_protected"])
    assert {
        "personal_status_and_sex",
        "age_in_years",
        "foreign_worker",
        "telephone",
        "number_of_people_being_liable_to_provide_maintenance_for",
    } <= excluded
    assert not excluded & set(CARD.feature_names)


def test_the_applicant_input_asks_nothing_protected_beyond_date_of_birth_for_the_age_gate():
    mapped = characteristics(applicant(), "electronics")
    assert set(mapped) >= set(CARD.feature_names)
    assert not any(words(key) & set(PROTECTED_WORDS) for key in mapped)


def test_scaling_is_600_points_at_50_to_1_and_20_points_to_double():
    assert RAW["scaling"] == {"base_score": 600, "base_odds_good_to_bad": 50, "points_to_double_odds": 20}


def test_a_known_applicant_scores_known_points():
    result = CARD.score(characteristics(applicant(), "electronics"))
    by_feature = {f.feature: f.points for f in result.features}
    assert by_feature == {
        "credit_amount": 1,
        "duration_in_month": 11,
        "housing": -9,
        "installment_rate_in_percentage_of_disposable_income": 7,
        "other_installment_plans": 4,
        "present_employment_since": 0,
        "purpose": 12,
        "savings_account_and_bonds": -7,
    }
    assert result.base_points == 511
    assert result.score == 530
    assert result.model_version == RAW["model_version"]


def test_points_lost_are_measured_against_each_features_best_bin():
    result = CARD.score(characteristics(applicant(), "electronics"))
    lost = [(f.feature, f.points_lost) for f in result.by_points_lost()]
    assert lost == [
        ("savings_account_and_bonds", 29),
        ("housing", 13),
        ("purpose", 13),
        ("duration_in_month", 10),
        ("present_employment_since", 6),
    ]


@pytest.mark.parametrize("shorter,longer", [(3, 12), (12, 24), (24, 36), (6, 36)])
def test_a_longer_term_never_scores_more(shorter, longer):
    assert points("duration_in_month", shorter) >= points("duration_in_month", longer)


@pytest.mark.parametrize("smaller,larger", [(100, 3000), (3000, 5000), (5000, 20000)])
def test_a_larger_amount_never_scores_more(smaller, larger):
    assert points("credit_amount", smaller) >= points("credit_amount", larger)


@pytest.mark.parametrize("months", [0, 11, 12, 47, 48, 83, 84, 240])
def test_longer_employment_never_scores_less(months):
    band = employment_band("employed", months)
    later = employment_band("employed", months + 12)
    assert points("present_employment_since", later) >= points("present_employment_since", band)
    assert points("present_employment_since", "unemployed") <= points("present_employment_since", band)


def test_more_savings_never_scores_less():
    order = ["none", "under_250", "250_to_1250", "1250_to_2500", "2500_plus"]
    scored = [points("savings_account_and_bonds", SAVINGS_BANDS[b]) for b in order]
    assert scored == sorted(scored)


def test_other_installment_plans_and_renting_cost_points():
    assert points("other_installment_plans", "none") > points("other_installment_plans", "bank")
    assert points("housing", "own") > points("housing", "rent")


def test_an_unknown_value_scores_the_worst_bin():
    unknown_scene = characteristics(applicant(), "toys")
    assert unknown_scene["purpose"] is None
    worst = min(b.points for b in next(f for f in CARD.features if f.name == "purpose").bins)
    assert points("purpose", None) == points("purpose", "spaceships") == worst


@pytest.mark.parametrize(
    "amount,term,income,band",
    [
        (120_000, 12, 400_000, 1),
        (192_000, 12, 400_000, 2),
        (360_000, 12, 400_000, 2),
        (384_000, 12, 400_000, 3),
        (480_000, 12, 350_000, 3),
        (480_000, 6, 400_000, 4),
        (100, 12, 0, 4),
        (100, 12, None, 4),
    ],
)
def test_installment_rate_band_from_payment_to_income(amount, term, income, band):
    assert installment_rate_band(amount, term, income) == band


@pytest.mark.parametrize(
    "scene,purpose",
    [
        ("electronics", "radio/television"),
        ("home-appliances", "domestic appliances"),
        ("furniture", "furniture/equipment"),
        ("travel", "others"),
        ("education", "education"),
        ("health-beauty", "repairs"),
    ],
)
def test_every_mall_scene_maps_to_a_purpose_the_card_has_points_for(scene, purpose):
    assert CARD.scene_to_purpose[scene] == purpose
    purpose_bins = next(f for f in CARD.features if f.name == "purpose").bins
    assert any(purpose in b.values for b in purpose_bins)


def test_model_card_numbers_match_the_committed_scorecard():
    text = (ROOT / "docs" / "model_card.md").read_text()
    metrics = RAW["metrics"]
    assert f"{metrics['holdout_auc']:.4f}" in text
    assert f"{metrics['holdout_ks']:.4f}" in text
    assert RAW["model_version"] in text


def _training_python() -> str | None:
    needed = ("numpy", "pandas", "sklearn", "scorecardpy")
    if all(importlib.util.find_spec(m) for m in needed):
        return sys.executable
    return os.environ.get("INSTALLMALL_TRAIN_PYTHON")  # e.g. /tmp/trainenv/bin/python


@pytest.mark.skipif(
    _training_python() is None,
    reason="training deps (requirements-train.txt + scorecardpy) not installed here and "
    "INSTALLMALL_TRAIN_PYTHON not set",
)
def test_training_script_reproduces_the_committed_json_exactly():
    done = subprocess.run(
        [_training_python(), "seed/train_scorecard.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
