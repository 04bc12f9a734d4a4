"""Credit policy as data: cut-offs, fraud thresholds, tiers, lines, offer catalog, pricing.

A policy is a plain JSON-serialisable dict (``DEFAULT_POLICY`` is version
"2026.3"), stored versioned in the database by the app and turned into a
validated, frozen :class:`Policy` with :meth:`Policy.from_dict`. Activating a
new version never changes an old one, so any stored decision can be replayed
under the policy it was made with. The documents the project shipped before
stay here for that and for tests: ``POLICY_2026_1`` (launch) and
``POLICY_2026_2`` (pricing added).

Model (since "2026.3"): a top-level ``"model_version"`` names the committed
scorecard the cut-offs are calibrated for (``credit.scorecard.load_scorecard``);
a document without it is scored with the launch card. "2026.3" names
scorecard v2 (``gc-scorecard-c324ac0c6f``), which asks the shopper's
checking-account balance band; its cut-offs and tiers are the v1 ones carried
over at equal approval share (``docs/model_card.md``).

Units in the dict (strings keep Decimals exact through JSON):

* amounts: ``*_cents`` ints (USD cents);
* rates: ``apr_percent`` / ``*_percent`` are Decimal strings **in percent**
  (``"9.99"`` means 9.99 % a year); ``max_debt_to_income`` is a Decimal
  string **fraction** (``"0.35"``);
* scores: whole scorecard points (see ``credit/data/scorecard.json``).

Scenes: each has an approve cut-off, a refer floor (``refer_min_score`` up to
``approve_min_score`` is the refer band) and a ``restrictiveness`` rank; a
mixed-scene cart is judged by its most restrictive scene, and a scene the
policy does not know is judged as ``fallback_scene`` (which validation
requires to be the most restrictive).

Offer catalog rows: scene x product x tier x amount range -> APR, down
payment percent, enabled. Products: ``pay_in_4``, ``monthly_N`` (N in 3, 6,
12, 24, 36) and ``promo_N`` (N in 3, 6, 12; 0 %, only when every cart line's
merchant opted in to that promotion).

Pricing (since "2026.2"): what a merchant pays on a sale, in percent of the
order total (see ``credit.pricing``)::

    "pricing": {
        "merchant_discount_percent": {"card": "2.9", "pay_in_4": "3.0", "installments": "3.0", "promo": "3.0"},
        "promo_subsidy_percent": {"3": "2.5", "6": "4.5", "12": "8.0"}
    }

``installments`` is every ``monthly_N`` product; a ``promo_N`` sale pays the
``promo`` discount plus the subsidy for its term N (0 when the term is not
listed).  A document without the section (stored before "2026.2") prices as
the shop did then: ``LEGACY_PRICING``, 3.0 % on every financed sale, those
subsidies, nothing on card sales; its ``to_dict`` stays as stored.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from credit.scorecard import model_versions

PRODUCTS: tuple[str, ...] = (
    "pay_in_4",
    "monthly_3",
    "monthly_6",
    "monthly_12",
    "monthly_24",
    "monthly_36",
    "promo_3",
    "promo_6",
    "promo_12",
)
TIERS: tuple[str, ...] = ("A", "B", "C", "D", "E")
PAYMENT_TYPES: tuple[str, ...] = ("card", "pay_in_4", "installments", "promo")
"""Payment types a merchant discount rate is set for (``installments`` = ``monthly_N``)."""
ACTIONS: tuple[str, ...] = ("decline", "refer")
FRAUD_RULES: tuple[str, ...] = (
    "velocity_account",
    "velocity_device",
    "velocity_ip",
    "velocity_id_hash",
    "shared_national_id",
    "disposable_email",
    "region_mismatch",
    "repeated_declines",
)


class PolicyError(ValueError):
    """A policy document is malformed (a broken input, not a business outcome)."""


def product_months(product: str) -> int:
    """Term of a product in months; pay-in-4 (6 weeks) counts as 2."""
    return 2 if product == "pay_in_4" else int(product.split("_")[1])


def product_kind(product: str) -> str:
    """``"pay_in_4"``, ``"monthly"`` or ``"promo"``."""
    return product if product == "pay_in_4" else product.split("_")[0]


# --------------------------------------------------------------------------- data
_US_REGIONS = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]
_NOT_SERVED = {"IA", "WV"}  # e.g. no lending licence there yet

_APR_BY_TIER = {"A": "9.99", "B": "14.99", "C": "19.99", "D": "27.99", "E": "35.99"}
_DOWN_BY_TIER = {"A": "0", "B": "0", "C": "5", "D": "10", "E": "20"}
# product -> (min cents, max cents, tiers allowed)
_PRODUCT_RANGES = {
    "pay_in_4": (3_500, 100_000, "ABCDE"),
    "monthly_3": (10_000, 500_000, "ABCDE"),
    "monthly_6": (10_000, 500_000, "ABCDE"),
    "monthly_12": (20_000, 1_000_000, "ABCDE"),
    "monthly_24": (50_000, 1_500_000, "ABCD"),
    "monthly_36": (100_000, 1_500_000, "ABC"),
    "promo_3": (10_000, 500_000, "ABCD"),
    "promo_6": (20_000, 1_000_000, "ABCD"),
    "promo_12": (30_000, 1_000_000, "ABC"),
}
# scene -> products it sells and an APR surcharge (percentage points)
_SCENE_PRODUCTS = {
    "electronics": (PRODUCTS, "0"),
    "home-appliances": (PRODUCTS, "0"),
    "furniture": (PRODUCTS, "0"),
    "travel": (PRODUCTS[:4] + ("promo_3", "promo_6"), "2.00"),  # trip is consumed early
    "education": (PRODUCTS, "0"),
    "health-beauty": (PRODUCTS[:4] + ("promo_3", "promo_6", "promo_12"), "1.00"),
    "other": (PRODUCTS[:4], "4.00"),  # unknown scene: short terms only, no promotions
}


def _catalog() -> list[dict[str, Any]]:
    rows = []
    for scene, (products, surcharge) in _SCENE_PRODUCTS.items():
        for product in products:
            low, high, tiers = _PRODUCT_RANGES[product]
            for tier in tiers:
                if product_kind(product) == "monthly":
                    apr, down = str(Decimal(_APR_BY_TIER[tier]) + Decimal(surcharge)), _DOWN_BY_TIER[tier]
                else:  # pay-in-4's first payment is its down payment; promotions have none
                    apr, down = "0", "0"
                rows.append(
                    {
                        "scene": scene,
                        "product": product,
                        "tier": tier,
                        "min_amount_cents": low,
                        "max_amount_cents": high,
                        "apr_percent": apr,
                        "down_payment_percent": down,
                        "enabled": True,
                    }
                )
    return rows


LEGACY_PRICING: dict[str, Any] = {
    # what shop/lending.py charged before pricing was policy data (MERCHANT_DISCOUNT_PERCENT,
    # PROMO_SUBSIDY_PERCENT); card sales paid no discount then
    "merchant_discount_percent": {"card": "0", "pay_in_4": "3.0", "installments": "3.0", "promo": "3.0"},
    "promo_subsidy_percent": {"3": "2.5", "6": "4.5", "12": "8.0"},
}
"""Pricing of a policy document that has no ``pricing`` section (versions before "2026.2")."""

POLICY_2026_2: dict[str, Any] = {
    "version": "2026.2",
    "description": "Launch policy (cut-offs calibrated on the German Credit scorecard) with pricing as data: "
    "merchant discount by payment type, card 2.9 %.",
    "gates": {
        "consent_versions": ["consent-2026.1"],
        "min_age_years": 18,
        "regions_served": [r for r in _US_REGIONS if r not in _NOT_SERVED],
        "min_amount_cents": 3_500,
        "max_amount_cents": 1_500_000,
    },
    "fraud": {
        "window_hours": 24,
        "declines_window_days": 30,
        # velocity/decline rules hit when the count of *earlier* events in the
        # window reaches `limit`; shared_national_id when the number of
        # distinct accounts (this one included) using the ID hash reaches it.
        "rules": {
            "velocity_account": {"limit": 3, "action": "refer"},
            "velocity_device": {"limit": 4, "action": "refer"},
            "velocity_ip": {"limit": 10, "action": "refer"},
            "velocity_id_hash": {"limit": 3, "action": "decline"},
            "shared_national_id": {"limit": 2, "action": "decline"},
            "disposable_email": {"action": "decline"},
            "region_mismatch": {"min_amount_cents": 100_000, "action": "refer"},
            "repeated_declines": {"limit": 3, "action": "decline"},
        },
    },
    "scenes": {
        "electronics": {"approve_min_score": 512, "refer_min_score": 500, "restrictiveness": 1},
        "home-appliances": {"approve_min_score": 512, "refer_min_score": 500, "restrictiveness": 2},
        "furniture": {"approve_min_score": 515, "refer_min_score": 503, "restrictiveness": 3},
        "health-beauty": {"approve_min_score": 515, "refer_min_score": 503, "restrictiveness": 4},
        "education": {"approve_min_score": 520, "refer_min_score": 508, "restrictiveness": 5},
        "travel": {"approve_min_score": 522, "refer_min_score": 510, "restrictiveness": 6},
        "other": {"approve_min_score": 535, "refer_min_score": 523, "restrictiveness": 99},
    },
    "fallback_scene": "other",
    "ability_to_repay": {
        # existing monthly installments + the new one <= this share of income;
        # the new one is priced at a stress APR over the requested term.
        "max_debt_to_income": "0.35",
        "stress_apr_percent": "35.99",
    },
    "max_exposure_cents": 1_500_000,
    "tiers": [  # highest first; a score below the last min_score has no tier
        {"tier": "A", "min_score": 560, "income_multiple": "3.0", "max_line_cents": 1_500_000},
        {"tier": "B", "min_score": 545, "income_multiple": "2.0", "max_line_cents": 1_000_000},
        {"tier": "C", "min_score": 532, "income_multiple": "1.5", "max_line_cents": 600_000},
        {"tier": "D", "min_score": 520, "income_multiple": "1.0", "max_line_cents": 300_000},
        {"tier": "E", "min_score": 505, "income_multiple": "0.5", "max_line_cents": 150_000},
    ],
    "down_payment_top_up": {
        # an offer above the available credit may still be shown with a larger
        # down payment, up to this share of the price
        "enabled": True,
        "max_down_payment_percent": "50",
    },
    "behaviour": {
        "points_per_on_time_payment": 2,
        "max_on_time_bonus": 30,
        "current_past_due_points": -60,
        "decline_current_days_past_due": 31,
        "recent_past_due_points": [  # max days past due in the last 12 months
            {"min_days": 1, "points": -10},
            {"min_days": 31, "points": -30},
            {"min_days": 61, "points": -60},
        ],
        "decline_on_charge_off": True,
    },
    "offers": _catalog(),
    "pricing": {
        "merchant_discount_percent": {"card": "2.9", "pay_in_4": "3.0", "installments": "3.0", "promo": "3.0"},
        "promo_subsidy_percent": {"3": "2.5", "6": "4.5", "12": "8.0"},
    },
}
"""Launch cut-offs (scorecard v1) with pricing as data; the default until "2026.3"."""

POLICY_2026_1: dict[str, Any] = {
    **{key: value for key, value in copy.deepcopy(POLICY_2026_2).items() if key != "pricing"},
    "version": "2026.1",
    "description": "Launch policy: cut-offs calibrated on the German Credit scorecard.",
}
"""The launch policy: "2026.2" without the pricing section (priced by ``LEGACY_PRICING``)."""

MODEL_V2 = "gc-scorecard-c324ac0c6f"


DEFAULT_POLICY: dict[str, Any] = {
    **copy.deepcopy(POLICY_2026_2),
    "version": "2026.3",
    "description": "Scorecard v2 (asks the checking-account balance band) with its cut-offs and tiers, "
    "carried over from 2026.2 at equal approval share; everything else as in 2026.2.",
    "model_version": MODEL_V2,
    "scenes": {
        "electronics": {"approve_min_score": 500, "refer_min_score": 488, "restrictiveness": 1},
        "home-appliances": {"approve_min_score": 501, "refer_min_score": 489, "restrictiveness": 2},
        "furniture": {"approve_min_score": 504, "refer_min_score": 493, "restrictiveness": 3},
        "health-beauty": {"approve_min_score": 504, "refer_min_score": 493, "restrictiveness": 4},
        "education": {"approve_min_score": 510, "refer_min_score": 499, "restrictiveness": 5},
        "travel": {"approve_min_score": 512, "refer_min_score": 498, "restrictiveness": 6},
        "other": {"approve_min_score": 532, "refer_min_score": 513, "restrictiveness": 99},
    },
    "tiers": [
        {**tier, "min_score": score}
        for tier, score in zip(POLICY_2026_2["tiers"], (551, 536, 522, 510, 495), strict=True)
    ],
}
"""The policy a fresh install activates: "2026.3", scored with scorecard v2."""


# --------------------------------------------------------------------------- typed view
@dataclass(frozen=True, slots=True)
class SceneRule:
    slug: str
    approve_min_score: int
    refer_min_score: int
    restrictiveness: int


@dataclass(frozen=True, slots=True)
class FraudRule:
    name: str
    action: str
    limit: int | None = None
    min_amount_cents: int | None = None


@dataclass(frozen=True, slots=True)
class TierRule:
    tier: str
    min_score: int
    income_multiple: Decimal
    max_line_cents: int


@dataclass(frozen=True, slots=True)
class OfferRow:
    scene: str
    product: str
    tier: str
    min_amount_cents: int
    max_amount_cents: int
    apr_percent: Decimal
    down_payment_percent: Decimal
    enabled: bool

    @property
    def months(self) -> int:
        return product_months(self.product)

    @property
    def kind(self) -> str:
        return product_kind(self.product)


@dataclass(frozen=True, slots=True)
class BehaviourRule:
    points_per_on_time_payment: int
    max_on_time_bonus: int
    current_past_due_points: int
    decline_current_days_past_due: int
    recent_past_due_points: tuple[tuple[int, int], ...]  # (min_days, points), ascending
    decline_on_charge_off: bool


@dataclass(frozen=True, slots=True)
class Pricing:
    """Merchant discount percent by payment type (``PAYMENT_TYPES``) and the
    promotion subsidy percent by term in months; both of the order total."""

    discount_percent: Mapping[str, Decimal]
    promo_subsidy_percent: Mapping[int, Decimal]


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    consent_versions: frozenset[str]
    min_age_years: int
    regions_served: frozenset[str]
    min_amount_cents: int
    max_amount_cents: int
    fraud_window_hours: int
    declines_window_days: int
    fraud_rules: tuple[FraudRule, ...]
    scenes: Mapping[str, SceneRule]
    fallback_scene: str
    max_debt_to_income: Decimal
    stress_apr_percent: Decimal
    max_exposure_cents: int
    tiers: tuple[TierRule, ...]
    top_up_enabled: bool
    max_down_payment_percent: Decimal
    behaviour: BehaviourRule
    offers: tuple[OfferRow, ...]
    offer_index: Mapping[tuple[str, str], tuple[OfferRow, ...]]
    pricing: Pricing
    model_version: str | None  # the scorecard the cut-offs are for; None: the launch card
    document: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Validate a policy document; raise :class:`PolicyError` naming the bad field."""
        return _parse(copy.deepcopy(dict(data)))

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.document))

    def scene_rule(self, scene: str) -> SceneRule:
        return self.scenes.get(scene) or self.scenes[self.fallback_scene]

    def effective_scene(self, scenes: tuple[str, ...] | list[str]) -> str:
        """The most restrictive of ``scenes`` (unknown ones count as the fallback)."""
        known = [s if s in self.scenes else self.fallback_scene for s in scenes]
        if not known:
            return self.fallback_scene
        return max(known, key=lambda s: (self.scenes[s].restrictiveness, s))

    def tier_for(self, score: int) -> TierRule | None:
        for rule in self.tiers:
            if score >= rule.min_score:
                return rule
        return None

    def offer_rows(self, scene: str, tier: str) -> tuple[OfferRow, ...]:
        """Enabled catalog rows for ``scene`` and ``tier``."""
        return self.offer_index.get((scene, tier), ())


# --------------------------------------------------------------------------- validation
def _need(data: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(data, Mapping) or key not in data:
        raise PolicyError(f"{path}{key}: required")
    return data[key]


def _int(value: Any, path: str, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{path}: must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise PolicyError(f"{path}: must be >= {minimum}, got {value}")
    return value


def _dec(value: Any, path: str, low: str = "0", high: str | None = None) -> Decimal:
    if isinstance(value, (float, bool)):
        raise PolicyError(f"{path}: must be a Decimal string, not {type(value).__name__}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise PolicyError(f"{path}: not a number: {value!r}") from None
    if not result.is_finite() or result < Decimal(low) or (high is not None and result > Decimal(high)):
        raise PolicyError(f"{path}: must be between {low} and {high}, got {value}")
    return result


def _choice(value: Any, allowed: tuple[str, ...], path: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise PolicyError(f"{path}: must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _parse(d: dict[str, Any]) -> Policy:
    version = _need(d, "version", "")
    if not isinstance(version, str) or not version:
        raise PolicyError("version: must be a non-empty string")
    gates = _need(d, "gates", "")
    fraud = _need(d, "fraud", "")
    atr = _need(d, "ability_to_repay", "")
    top_up = _need(d, "down_payment_top_up", "")
    scenes = _parse_scenes(_need(d, "scenes", ""))
    fallback = _need(d, "fallback_scene", "")
    if fallback not in scenes:
        raise PolicyError(f"fallback_scene: {fallback!r} is not a scene")
    if any(s.restrictiveness > scenes[fallback].restrictiveness for s in scenes.values()):
        raise PolicyError("fallback_scene: must be the most restrictive scene")
    min_amount = _int(_need(gates, "min_amount_cents", "gates."), "gates.min_amount_cents", 1)
    max_amount = _int(_need(gates, "max_amount_cents", "gates."), "gates.max_amount_cents", min_amount)
    regions = _need(gates, "regions_served", "gates.")
    consents = _need(gates, "consent_versions", "gates.")
    if not isinstance(regions, list) or not all(isinstance(r, str) and r for r in regions):
        raise PolicyError("gates.regions_served: must be a list of region codes")
    if not isinstance(consents, list) or not consents or not all(isinstance(c, str) for c in consents):
        raise PolicyError("gates.consent_versions: must be a non-empty list of strings")
    offers = _parse_offers(_need(d, "offers", ""), scenes)
    tiers = _parse_tiers(_need(d, "tiers", ""))
    for slug, rule in scenes.items():
        if rule.approve_min_score < tiers[-1].min_score:
            raise PolicyError(f"scenes.{slug}.approve_min_score: below the lowest tier's min_score")
    return Policy(
        version=version,
        consent_versions=frozenset(consents),
        min_age_years=_int(_need(gates, "min_age_years", "gates."), "gates.min_age_years", 18),
        regions_served=frozenset(regions),
        min_amount_cents=min_amount,
        max_amount_cents=max_amount,
        fraud_window_hours=_int(_need(fraud, "window_hours", "fraud."), "fraud.window_hours", 1),
        declines_window_days=_int(_need(fraud, "declines_window_days", "fraud."), "fraud.declines_window_days", 1),
        fraud_rules=_parse_fraud(_need(fraud, "rules", "fraud.")),
        scenes=scenes,
        fallback_scene=fallback,
        max_debt_to_income=_dec(
            _need(atr, "max_debt_to_income", "ability_to_repay."), "ability_to_repay.max_debt_to_income", "0.01", "1"
        ),
        stress_apr_percent=_dec(
            _need(atr, "stress_apr_percent", "ability_to_repay."), "ability_to_repay.stress_apr_percent", "0", "100"
        ),
        max_exposure_cents=_int(_need(d, "max_exposure_cents", ""), "max_exposure_cents", 1),
        tiers=tiers,
        top_up_enabled=bool(_need(top_up, "enabled", "down_payment_top_up.")),
        max_down_payment_percent=_dec(
            _need(top_up, "max_down_payment_percent", "down_payment_top_up."),
            "down_payment_top_up.max_down_payment_percent",
            "0",
            "90",
        ),
        behaviour=_parse_behaviour(_need(d, "behaviour", "")),
        offers=offers,
        offer_index=_index_offers(offers),
        pricing=_parse_pricing(d.get("pricing", LEGACY_PRICING)),
        model_version=_parse_model_version(d.get("model_version")),
        document=d,
    )


def _parse_model_version(raw: Any) -> str | None:
    if raw is None:
        return None
    known = model_versions()
    if not isinstance(raw, str) or raw not in known:
        raise PolicyError(f"model_version: must be a committed scorecard ({', '.join(known)}), got {raw!r}")
    return raw


def _parse_scenes(raw: Any) -> dict[str, SceneRule]:
    if not isinstance(raw, Mapping) or not raw:
        raise PolicyError("scenes: must be a non-empty mapping")
    scenes = {}
    for slug, rule in raw.items():
        path = f"scenes.{slug}."
        approve = _int(_need(rule, "approve_min_score", path), path + "approve_min_score", None)
        refer = _int(_need(rule, "refer_min_score", path), path + "refer_min_score", None)
        if refer > approve:
            raise PolicyError(f"{path}refer_min_score: must be <= approve_min_score")
        rank = _int(_need(rule, "restrictiveness", path), path + "restrictiveness", 0)
        scenes[slug] = SceneRule(slug, approve, refer, rank)
    return scenes


def _parse_fraud(raw: Any) -> tuple[FraudRule, ...]:
    if not isinstance(raw, Mapping):
        raise PolicyError("fraud.rules: must be a mapping")
    rules = []
    for name, rule in raw.items():
        path = f"fraud.rules.{name}"
        _choice(name, FRAUD_RULES, path)
        action = _choice(_need(rule, "action", path + "."), ACTIONS, path + ".action")
        limit = rule.get("limit")
        amount = rule.get("min_amount_cents")
        if name == "region_mismatch":
            amount = _int(amount, path + ".min_amount_cents")
        elif name != "disposable_email":
            limit = _int(limit, path + ".limit", 1)
        rules.append(FraudRule(name, action, limit, amount))
    return tuple(sorted(rules, key=lambda r: FRAUD_RULES.index(r.name)))


def _parse_tiers(raw: Any) -> tuple[TierRule, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError("tiers: must be a non-empty list")
    tiers = []
    for i, t in enumerate(raw):
        path = f"tiers[{i}]."
        tiers.append(
            TierRule(
                tier=_choice(_need(t, "tier", path), TIERS, path + "tier"),
                min_score=_int(_need(t, "min_score", path), path + "min_score", None),
                income_multiple=_dec(_need(t, "income_multiple", path), path + "income_multiple", "0", "24"),
                max_line_cents=_int(_need(t, "max_line_cents", path), path + "max_line_cents"),
            )
        )
    scores = [t.min_score for t in tiers]
    if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
        raise PolicyError("tiers: min_score must strictly decrease from the first tier to the last")
    if len({t.tier for t in tiers}) != len(tiers):
        raise PolicyError("tiers: each tier letter at most once")
    return tuple(tiers)


def _parse_behaviour(raw: Any) -> BehaviourRule:
    p = "behaviour."
    steps = _need(raw, "recent_past_due_points", p)
    if not isinstance(steps, list):
        raise PolicyError(p + "recent_past_due_points: must be a list")
    pairs = tuple(
        sorted(
            (_int(_need(s, "min_days", p), p + "min_days", 1), _int(_need(s, "points", p), p + "points", None))
            for s in steps
        )
    )
    return BehaviourRule(
        points_per_on_time_payment=_int(_need(raw, "points_per_on_time_payment", p), p + "points_per_on_time_payment"),
        max_on_time_bonus=_int(_need(raw, "max_on_time_bonus", p), p + "max_on_time_bonus"),
        current_past_due_points=_int(_need(raw, "current_past_due_points", p), p + "current_past_due_points", None),
        decline_current_days_past_due=_int(
            _need(raw, "decline_current_days_past_due", p), p + "decline_current_days_past_due", 1
        ),
        recent_past_due_points=pairs,
        decline_on_charge_off=bool(_need(raw, "decline_on_charge_off", p)),
    )


def _parse_offers(raw: Any, scenes: Mapping[str, SceneRule]) -> tuple[OfferRow, ...]:
    if not isinstance(raw, list):
        raise PolicyError("offers: must be a list of rows")
    rows, seen = [], set()
    for i, r in enumerate(raw):
        path = f"offers[{i}]."
        scene = _need(r, "scene", path)
        if scene not in scenes:
            raise PolicyError(f"{path}scene: unknown scene {scene!r}")
        product = _choice(_need(r, "product", path), PRODUCTS, path + "product")
        low = _int(_need(r, "min_amount_cents", path), path + "min_amount_cents", 1)
        row = OfferRow(
            scene=scene,
            product=product,
            tier=_choice(_need(r, "tier", path), TIERS, path + "tier"),
            min_amount_cents=low,
            max_amount_cents=_int(_need(r, "max_amount_cents", path), path + "max_amount_cents", low),
            apr_percent=_dec(_need(r, "apr_percent", path), path + "apr_percent", "0", "100"),
            down_payment_percent=_dec(_need(r, "down_payment_percent", path), path + "down_payment_percent", "0", "90"),
            enabled=_need(r, "enabled", path) is True,
        )
        if row.kind != "monthly" and (row.apr_percent != 0 or row.down_payment_percent != 0):
            raise PolicyError(f"{path}: {product} is 0 % with no down payment")
        key = (row.scene, row.product, row.tier, row.min_amount_cents)
        if key in seen:
            raise PolicyError(f"{path}: duplicate row for {key}")
        seen.add(key)
        rows.append(row)
    return tuple(rows)


def _parse_pricing(raw: Any) -> Pricing:
    p = "pricing."
    rates = _need(raw, "merchant_discount_percent", p)
    if not isinstance(rates, Mapping) or set(rates) != set(PAYMENT_TYPES):
        raise PolicyError(f"{p}merchant_discount_percent: must give a percent for each of {', '.join(PAYMENT_TYPES)}")
    discount = {kind: _dec(rates[kind], f"{p}merchant_discount_percent.{kind}", "0", "100") for kind in PAYMENT_TYPES}
    subsidies = _need(raw, "promo_subsidy_percent", p)
    terms = {str(product_months(product)) for product in PRODUCTS if product_kind(product) == "promo"}
    if not isinstance(subsidies, Mapping) or not set(subsidies) <= terms:
        raise PolicyError(f"{p}promo_subsidy_percent: keys must be promotion terms ({', '.join(sorted(terms))})")
    subsidy = {
        int(term): _dec(value, f"{p}promo_subsidy_percent.{term}", "0", "100") for term, value in subsidies.items()
    }
    if discount["promo"] + max(subsidy.values(), default=Decimal(0)) >= 100:
        raise PolicyError(f"{p}promo_subsidy_percent: the promo discount plus a subsidy must stay below 100")
    return Pricing(discount, subsidy)


def _index_offers(rows: tuple[OfferRow, ...]) -> dict[tuple[str, str], tuple[OfferRow, ...]]:
    index: dict[tuple[str, str], list[OfferRow]] = {}
    for row in rows:
        if row.enabled:
            index.setdefault((row.scene, row.tier), []).append(row)
    return {key: tuple(value) for key, value in index.items()}
