"""Policy as data: the default document, validation, scenes and tiers."""

import copy
import json

import pytest

from credit.policy import (
    DEFAULT_POLICY,
    LEGACY_PRICING,
    POLICY_2026_1,
    POLICY_2026_2,
    PRODUCTS,
    Policy,
    PolicyError,
    product_months,
)
from credit.scorecard import default_scorecard, load_scorecard, scorecard_for_policy

V2 = "gc-scorecard-c324ac0c6f"


@pytest.fixture
def policy() -> Policy:
    return Policy.from_dict(DEFAULT_POLICY)


@pytest.mark.parametrize("document", [DEFAULT_POLICY, POLICY_2026_2, POLICY_2026_1], ids=lambda d: d["version"])
def test_every_shipped_policy_is_plain_json_and_round_trips(document):
    text = json.dumps(document, sort_keys=True)
    policy = Policy.from_dict(document)
    assert json.dumps(policy.to_dict(), sort_keys=True) == text
    assert Policy.from_dict(json.loads(text)) == policy


def test_2026_3_is_2026_2_with_scorecard_v2_and_its_cut_offs(policy):
    assert (policy.version, policy.model_version) == ("2026.3", V2)
    assert scorecard_for_policy(policy) is load_scorecard(V2)
    cut_offs = {slug: (r.approve_min_score, r.refer_min_score, r.restrictiveness) for slug, r in policy.scenes.items()}
    assert cut_offs == {
        "electronics": (500, 488, 1),
        "home-appliances": (501, 489, 2),
        "furniture": (504, 493, 3),
        "health-beauty": (504, 493, 4),
        "education": (510, 499, 5),
        "travel": (512, 498, 6),
        "other": (532, 513, 99),
    }
    assert [(t.tier, t.min_score) for t in policy.tiers] == [("A", 551), ("B", 536), ("C", 522), ("D", 510), ("E", 495)]
    old = {key: value for key, value in POLICY_2026_2.items() if key not in ("scenes", "version", "description")}
    new = {key: value for key, value in DEFAULT_POLICY.items() if key not in ("scenes", "version", "description")}
    old_tiers, new_tiers = old.pop("tiers"), new.pop("tiers")
    assert new.pop("model_version") == V2 and new == old  # pricing, offers, fraud, gates... unchanged
    assert [{**t, "min_score": 0} for t in new_tiers] == [{**t, "min_score": 0} for t in old_tiers]


def test_the_policies_before_2026_3_keep_their_documents_and_the_launch_card():
    v1, v2 = Policy.from_dict(POLICY_2026_1), Policy.from_dict(POLICY_2026_2)
    assert (v1.version, v2.version) == ("2026.1", "2026.2")
    assert v1.model_version is v2.model_version is None
    assert scorecard_for_policy(v1) is scorecard_for_policy(v2) is default_scorecard()
    assert (
        "pricing" not in POLICY_2026_1
        and v1.pricing == Policy.from_dict({**POLICY_2026_2, "pricing": LEGACY_PRICING}).pricing
    )
    assert {key: value for key, value in POLICY_2026_2.items() if key not in ("pricing", "version", "description")} == {
        key: value for key, value in POLICY_2026_1.items() if key not in ("version", "description")
    }
    assert v2.scenes["electronics"].approve_min_score == 512 and v2.tiers[0].min_score == 560


@pytest.mark.parametrize("value", ["gc-scorecard-0000000000", "", 7])
def test_a_policy_naming_a_model_that_is_not_committed_is_rejected(value):
    with pytest.raises(PolicyError, match="model_version"):
        Policy.from_dict({**DEFAULT_POLICY, "model_version": value})


def test_to_dict_is_a_copy_that_cannot_change_the_policy(policy):
    data = policy.to_dict()
    data["scenes"]["electronics"]["approve_min_score"] = 0
    assert policy.scenes["electronics"].approve_min_score == 500


def test_default_catalog_covers_every_scene_and_product(policy):
    products = {row.product for row in policy.offers}
    assert products == set(PRODUCTS)
    assert {row.scene for row in policy.offers} == set(policy.scenes)


def test_default_down_payment_is_within_0_to_20_percent(policy):
    assert {str(r.down_payment_percent) for r in policy.offers} <= {"0", "5", "10", "20"}


@pytest.mark.parametrize("tier,apr", [("A", "9.99"), ("B", "14.99"), ("C", "19.99"), ("D", "27.99"), ("E", "35.99")])
def test_monthly_apr_by_tier_in_electronics(policy, tier, apr):
    rows = [r for r in policy.offer_rows("electronics", tier) if r.product == "monthly_12"]
    assert [str(r.apr_percent) for r in rows] == [apr]


def _mutated(path, value):
    data = copy.deepcopy(DEFAULT_POLICY)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "path,value,message",
    [
        (("version",), "", "version"),
        (("gates",), KeyError, "gates: required"),
        (("gates", "min_age_years"), 16, "gates.min_age_years"),
        (("gates", "consent_versions"), [], "gates.consent_versions"),
        (("gates", "regions_served"), "CA", "gates.regions_served"),
        (("ability_to_repay", "max_debt_to_income"), 0.35, "max_debt_to_income"),
        (("ability_to_repay", "max_debt_to_income"), "1.5", "max_debt_to_income"),
        (("scenes", "electronics", "refer_min_score"), 600, "refer_min_score"),
        (
            ("scenes", "electronics"),
            {"approve_min_score": 400, "refer_min_score": 390, "restrictiveness": 1},
            "below the lowest tier",
        ),
        (("fallback_scene",), "electronics", "most restrictive"),
        (("fallback_scene",), "toys", "not a scene"),
        (("fraud", "rules", "velocity_ip", "action"), "block", "action"),
        (("fraud", "rules", "velocity_ip", "limit"), 0, "velocity_ip.limit"),
        (("fraud", "rules", "teleport"), {"action": "refer"}, "teleport"),
        (("tiers", 1, "min_score"), 700, "strictly decrease"),
        (("tiers", 0, "tier"), "Z", "tier"),
        (("offers", 0, "product"), "monthly_18", "product"),
        (("offers", 0, "scene"), "toys", "unknown scene"),
        (("offers", 0, "apr_percent"), "abc", "apr_percent"),
        (("offers", 0, "apr_percent"), "5", "0 %"),  # row 0 is pay-in-4: interest-free by definition
        (("offers", 0, "max_amount_cents"), 1, "max_amount_cents"),
    ],
)
def test_invalid_documents_are_rejected_naming_the_field(path, value, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        Policy.from_dict(_mutated(path, value))


def test_duplicate_catalog_rows_are_rejected():
    data = copy.deepcopy(DEFAULT_POLICY)
    data["offers"].append(dict(data["offers"][0]))
    with pytest.raises(PolicyError, match="duplicate"):
        Policy.from_dict(data)


@pytest.mark.parametrize(
    "scenes,expected",
    [
        (["electronics"], "electronics"),
        (["electronics", "furniture"], "furniture"),
        (["travel", "electronics", "education"], "travel"),
        (["health-beauty", "home-appliances"], "health-beauty"),
        (["electronics", "toys"], "other"),  # unknown scene -> the most restrictive fallback
        ([], "other"),
    ],
)
def test_mixed_scene_cart_uses_the_most_restrictive_scene(policy, scenes, expected):
    assert policy.effective_scene(scenes) == expected


@pytest.mark.parametrize(
    "score,tier",
    [
        (700, "A"),
        (551, "A"),
        (550, "B"),
        (536, "B"),
        (535, "C"),
        (522, "C"),
        (521, "D"),
        (510, "D"),
        (509, "E"),
        (495, "E"),
        (494, None),
    ],
)
def test_tier_boundaries(policy, score, tier):
    rule = policy.tier_for(score)
    assert (rule.tier if rule else None) == tier


@pytest.mark.parametrize("product,months", [("pay_in_4", 2), ("monthly_3", 3), ("monthly_36", 36), ("promo_12", 12)])
def test_product_months(product, months):
    assert product_months(product) == months
