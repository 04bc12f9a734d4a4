"""The decision pipeline: gates, fraud, refer band, ability to repay, exposure, tiers,
behaviour, reasons and their order, the notice, and replay of a stored decision.

The pipeline's mechanics are pinned under policy 2026.2 (scorecard v1, whose
points tests/unit/test_scorecard.py pins); the default policy 2026.3
(scorecard v2 and its cut-offs) has its own tests at the end."""

import ast
import copy
import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from credit.behaviour import RepaymentRecord, behaviour_adjustment
from credit.engine import ApplicantInput, FraudContext, ReplayError, decide, new_payment_cents, replay
from credit.offers import Cart, CartLine
from credit.policy import DEFAULT_POLICY, POLICY_2026_1, POLICY_2026_2, Policy
from credit.scorecard import default_scorecard, load_scorecard

TODAY = date(2026, 3, 1)
POLICY = Policy.from_dict(POLICY_2026_2)
# The reference applicant scores 530 in electronics under v1 (see test_scorecard): approved, tier D.
BASE = ApplicantInput(
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
    shipping_region="CA",
    email="ann@example.com",
    national_id_hash="h1",
    consent_version="consent-2026.1",
    requested_term_months=12,
    scenes=("electronics",),
)


NO_FRAUD = FraudContext()


def run(applicant=BASE, fraud=NO_FRAUD, record=None, policy=POLICY, cart=None, today=TODAY):
    return decide(applicant, fraud, record, policy, cart, today)


def policy_with(**changes) -> Policy:
    """Policy 2026.2 with dotted-path changes, e.g. {"scenes.electronics.approve_min_score": 531}."""
    data = copy.deepcopy(POLICY_2026_2)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[leaf] = value
    return Policy.from_dict(data)


def test_the_reference_applicant_is_approved_with_tier_line_and_offers():
    d = run()
    assert (d.outcome, d.score, d.tier) == ("approved", 530, "D")
    assert d.credit_line_cents == 300_000  # min(tier D cap 3,000, 1.0 x income 4,000)
    assert d.available_credit_cents == 300_000
    # pay-in-4 stops at 1,000 and tier D gets no 36 months
    assert [o.product for o in d.offers] == ["monthly_3", "monthly_6", "monthly_12", "monthly_24"]
    assert d.reasons == () and d.adverse_action_notice is None
    assert [s.name for s in d.stages] == ["gates", "fraud", "score", "policy", "limit"]
    assert (d.policy_version, d.model_version) == ("2026.2", d.stage("score").details["scorecard"]["model_version"])
    assert d.latency_us >= 0


# ------------------------------------------------------------------ gates
@pytest.mark.parametrize(
    "changes,outcome,code",
    [
        ({"consent_version": None}, "incomplete", "consent_missing"),
        ({"consent_version": "consent-2025.3"}, "incomplete", "consent_outdated"),
        ({"date_of_birth": None}, "incomplete", "missing_fields"),
        ({"email": ""}, "incomplete", "missing_fields"),
        ({"national_id_hash": None}, "incomplete", "missing_fields"),
        ({"date_of_birth": date(2008, 3, 2)}, "declined", "under_age"),  # 18 tomorrow
        ({"billing_region": "IA"}, "declined", "region_not_served"),
        ({"billing_region": "ZZ"}, "declined", "region_not_served"),
        ({"requested_amount_cents": 3_499}, "declined", "amount_out_of_bounds"),
        ({"requested_amount_cents": 1_500_001}, "declined", "amount_out_of_bounds"),
        ({"requested_amount_cents": 1_200_000, "scenes": ("toys",)}, "declined", "amount_out_of_bounds"),
    ],
)
def test_each_gate_stops_the_pipeline(changes, outcome, code):
    d = run(replace(BASE, **changes))
    assert (d.outcome, d.reason_codes) == (outcome, (code,))
    assert [s.name for s in d.stages] == ["gates"]
    assert d.score is None and d.offers == ()


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": date(2008, 3, 1)},  # 18 today
        {"income_source": "none", "employment_months": None},  # no employment question without income
        {"requested_amount_cents": 3_500},
        {"requested_amount_cents": 1_500_000, "monthly_income_cents": 5_000_000},
    ],
)
def test_gates_pass_on_their_boundaries(changes):
    assert run(replace(BASE, **changes)).stage("gates").status == "pass"


def test_missing_fields_are_named():
    d = run(replace(BASE, housing=None, savings_band=None))
    assert d.stage("gates").details["missing"] == ["housing", "savings_band"]
    assert d.reasons == ("the application is incomplete",)


# ------------------------------------------------------------------ fraud
@pytest.mark.parametrize(
    "fraud,applicant_changes,outcome,code",
    [
        (FraudContext(account_applications=3), {}, "referred", "velocity_account"),
        (FraudContext(device_applications=4), {}, "referred", "velocity_device"),
        (FraudContext(ip_applications=10), {}, "referred", "velocity_ip"),
        (FraudContext(id_hash_applications=3), {}, "declined", "velocity_id_hash"),
        (FraudContext(accounts_sharing_id_hash=2), {}, "declined", "shared_national_id"),
        (FraudContext(recent_declines=3), {}, "declined", "repeated_declines"),
        (FraudContext(), {"email": "ann@mailinator.com"}, "declined", "disposable_email"),
        (FraudContext(), {"shipping_region": "NY", "requested_amount_cents": 100_000}, "referred", "region_mismatch"),
    ],
)
def test_each_fraud_rule_declines_or_refers(fraud, applicant_changes, outcome, code):
    d = run(replace(BASE, **applicant_changes), fraud)
    assert d.outcome == outcome
    assert d.reason_codes[0] == code
    if outcome == "declined":
        assert [s.name for s in d.stages] == ["gates", "fraud"]  # nothing scored after a fraud decline
    else:
        assert d.tier == "D" and d.offers  # a reviewer sees what would be offered


def test_a_fraud_referral_that_is_declined_later_is_declined_for_the_later_reason():
    d = run(replace(BASE, monthly_income_cents=30_000), FraudContext(account_applications=3))
    assert d.outcome == "declined"
    assert "velocity_account" not in d.reason_codes
    assert d.reason_codes[0] == "ability_to_repay"


# ------------------------------------------------------------------ score cut-offs and refer band
@pytest.mark.parametrize(
    "approve,refer,outcome",
    [
        (530, 518, "approved"),  # score 530 exactly at the approve cut-off
        (531, 518, "referred"),  # one point short: refer band
        (531, 530, "referred"),  # exactly at the refer floor
        (532, 531, "declined"),  # below the refer floor
    ],
)
def test_refer_band(approve, refer, outcome):
    policy = policy_with(
        **{"scenes.electronics": {"approve_min_score": approve, "refer_min_score": refer, "restrictiveness": 1}}
    )
    d = run(policy=policy)
    assert d.outcome == outcome
    if outcome == "referred":
        assert d.reason_codes[0] == "manual_review"
    if outcome == "declined":
        assert d.reason_codes[0] == "savings_account_and_bonds"  # the characteristic that lost the most


def test_the_most_restrictive_scene_of_a_mixed_cart_sets_the_cut_off():
    cart = Cart((CartLine("electronics", 60_000), CartLine("travel", 60_000)))
    d = run(cart=cart)
    assert d.scene == "travel"
    assert d.stage("policy").details["approve_min_score"] == 522


# ------------------------------------------------------------------ tiers
@pytest.mark.parametrize(
    "tier_a,tier_b,tier_c,tier_d,tier",
    [
        (530, 525, 520, 515, "A"),
        (531, 530, 520, 515, "B"),
        (540, 535, 530, 515, "C"),
        (540, 535, 531, 530, "D"),
        (540, 535, 533, 531, "E"),
    ],
)
def test_tier_boundaries_set_tier_and_line(tier_a, tier_b, tier_c, tier_d, tier):
    policy = policy_with(
        **{
            "tiers.0.min_score": tier_a,
            "tiers.1.min_score": tier_b,
            "tiers.2.min_score": tier_c,
            "tiers.3.min_score": tier_d,
        }
    )
    d = run(policy=policy)
    assert (d.outcome, d.tier) == ("approved", tier)
    expected_line = {"A": 1_200_000, "B": 800_000, "C": 600_000, "D": 300_000, "E": 150_000}[tier]
    assert d.credit_line_cents == expected_line


# ------------------------------------------------------------------ ability to repay and exposure
@pytest.mark.parametrize(
    "declared_debt,outcome",
    [
        (0, "approved"),
        (140_000 - 12_055, "approved"),  # 35 % of 4,000 income = 1,400; new payment 120.55 fits exactly
        (140_000 - 12_055 + 1, "declined"),  # one cent over
    ],
)
def test_ability_to_repay_boundary(declared_debt, outcome):
    assert new_payment_cents(120_000, 12, POLICY) == 12_055  # 1,200 over 12 months at the 35.99 % stress APR
    d = run(replace(BASE, existing_monthly_debt_cents=declared_debt))
    details = d.stage("policy").details
    assert details["monthly_obligations_cents"] == declared_debt + 12_055
    assert details["max_obligations_cents"] == 140_000
    assert d.outcome == outcome
    if outcome == "declined":
        assert d.reasons == ("income too low for the requested payment",)  # score passed: no characteristics


@pytest.mark.parametrize("term,months_charged", [(2, None), (12, 12), (36, 36)])
def test_new_payment_for_ability_to_repay(term, months_charged):
    payment = new_payment_cents(120_000, term, POLICY)
    assert payment == (60_000 if months_charged is None else payment)
    assert payment * (months_charged or 2) >= 120_000


def test_own_loans_count_toward_obligations_and_exposure():
    payment = new_payment_cents(120_000, 12, POLICY)
    fits = RepaymentRecord(monthly_installments_cents=140_000 - payment)
    too_much = RepaymentRecord(monthly_installments_cents=140_000 - payment + 1)
    assert run(record=fits).outcome == "approved"
    assert run(record=too_much).reason_codes[0] == "ability_to_repay"


@pytest.mark.parametrize(
    "outstanding,outcome", [(1_380_000, "declined"), (1_379_999, "declined"), (100_000, "approved")]
)
def test_maximum_exposure(outstanding, outcome):
    rich = replace(BASE, monthly_income_cents=10_000_000)
    d = run(rich, record=RepaymentRecord(outstanding_balance_cents=outstanding))
    assert d.outcome == outcome
    exposure = outstanding + 120_000
    assert ("max_exposure" in d.reason_codes) is (exposure > 1_500_000)


def test_available_credit_is_the_line_less_what_is_owed():
    d = run(record=RepaymentRecord(outstanding_balance_cents=100_000))
    assert (d.credit_line_cents, d.available_credit_cents) == (300_000, 200_000)


def test_a_request_no_offer_can_fit_is_declined():
    d = run(record=RepaymentRecord(outstanding_balance_cents=290_000))  # 100 dollars available for 1,200
    assert (d.outcome, d.reason_codes) == ("declined", ("no_offer_for_amount",))


# ------------------------------------------------------------------ behaviour
BEHAVIOUR = POLICY.behaviour


@pytest.mark.parametrize(
    "record,points,decline,codes",
    [
        (None, 0, False, ()),
        (RepaymentRecord(), 0, False, ()),
        (RepaymentRecord(on_time_payments=5), 10, False, ()),
        (RepaymentRecord(on_time_payments=40), 30, False, ()),  # capped
        (RepaymentRecord(on_time_payments=5, max_days_past_due_12m=1), 0, False, ("late_payments_with_us",)),
        (RepaymentRecord(max_days_past_due_12m=31), -30, False, ("late_payments_with_us",)),
        (RepaymentRecord(max_days_past_due_12m=61), -60, False, ("late_payments_with_us",)),
        (
            RepaymentRecord(current_days_past_due=5, max_days_past_due_12m=5),
            -70,
            False,
            ("past_due_with_us", "late_payments_with_us"),
        ),
        (
            RepaymentRecord(current_days_past_due=31, max_days_past_due_12m=31),
            -90,
            True,
            ("past_due_with_us", "late_payments_with_us"),
        ),
        (RepaymentRecord(charged_off_loans=1, on_time_payments=3), 6, True, ("charged_off_with_us",)),
    ],
)
def test_behaviour_adjustment(record, points, decline, codes):
    result = behaviour_adjustment(record, BEHAVIOUR)
    assert (result.points, result.decline, result.reason_codes) == (points, decline, codes)


def test_on_time_repayments_raise_the_score_and_can_lift_the_tier():
    d = run(record=RepaymentRecord(on_time_payments=10))
    assert (d.score, d.tier) == (550, "B")


def test_current_delinquency_declines_with_the_behaviour_reason_first():
    d = run(record=RepaymentRecord(current_days_past_due=40, max_days_past_due_12m=40))
    assert d.outcome == "declined"
    assert d.reasons[:2] == ("a loan with us is past due", "late payments on loans with us")


# ------------------------------------------------------------------ reasons
def test_declined_reasons_put_policy_reasons_first_then_characteristics_by_points_lost():
    weak = replace(
        BASE,
        monthly_income_cents=20_000,
        other_installment_plans="stores",
        requested_term_months=36,
        requested_amount_cents=200_000,
    )
    d = run(weak)
    assert d.outcome == "declined"
    lost = {f["feature"]: f["points_lost"] for f in d.stage("score").details["scorecard"]["features"]}
    characteristic_codes = [c for c in d.reason_codes if c in lost]
    assert d.reason_codes[0] == "ability_to_repay"
    assert [lost[c] for c in characteristic_codes] == sorted((lost[c] for c in characteristic_codes), reverse=True)
    assert d.reasons == (
        "income too low for the requested payment",
        "length of the repayment term requested",
        "level of savings",
        "other installment credit you already have",
    )


@pytest.mark.parametrize("income", [30_000, 400_000])
def test_reasons_never_say_score_and_are_at_most_four(income):
    weak = replace(
        BASE,
        monthly_income_cents=income,
        housing="free",
        other_installment_plans="bank",
        requested_term_months=36,
        income_source="none",
        employment_months=None,
        scenes=("education",),
    )
    d = run(weak)
    assert d.outcome == "declined"
    assert 1 <= len(d.reasons) <= 4
    assert not any("score" in r.lower() for r in d.reasons)


def test_adverse_action_notice_states_action_reasons_right_to_know_and_ecoa():
    d = run(replace(BASE, monthly_income_cents=30_000))
    notice = d.adverse_action_notice
    assert "unable to approve your application" in notice
    assert "Income too low for the requested payment" in notice
    assert "right to a statement of the specific reasons" in notice
    assert "Equal Credit Opportunity Act" in notice
    assert "2026-03-01" in notice


# ------------------------------------------------------------------ storage and replay
REPLAY_CASES = {
    "approved": dict(),
    "approved with cart": dict(
        cart=Cart((CartLine("furniture", 80_000, (6, 12)), CartLine("electronics", 40_000, (6,))))
    ),
    "referred": dict(fraud=FraudContext(account_applications=3)),
    "declined by score": dict(applicant=replace(BASE, other_installment_plans="bank", housing="free")),
    "declined by gate": dict(applicant=replace(BASE, billing_region="IA")),
    "incomplete": dict(applicant=replace(BASE, consent_version=None)),
    "existing customer": dict(record=RepaymentRecord(on_time_payments=4, outstanding_balance_cents=50_000)),
}


@pytest.mark.parametrize("case", list(REPLAY_CASES))
def test_a_stored_decision_replays_to_the_same_outcome(case):
    d = run(**REPLAY_CASES[case])
    stored = json.loads(json.dumps(d.to_dict()))  # what the database keeps
    again = replay(stored, Policy.from_dict(POLICY_2026_2))
    assert again.outcome_dict() == d.outcome_dict()
    assert replay(stored["inputs"], POLICY).outcome_dict() == d.outcome_dict()


def test_replay_under_another_policy_version_can_differ():
    stored = json.loads(json.dumps(run().to_dict()))
    strict = policy_with(
        version="2026.3-strict",
        **{"scenes.electronics": {"approve_min_score": 560, "refer_min_score": 550, "restrictiveness": 1}},
    )
    again = replay(stored, strict)
    assert (again.outcome, again.policy_version) == ("declined", "2026.3-strict")


def test_replay_refuses_a_decision_made_by_another_model():
    stored = run().to_dict()
    stored["model_version"] = "gc-scorecard-0000000000"
    with pytest.raises(ReplayError):
        replay(stored, POLICY)


def test_decision_dict_is_json_and_carries_versions_inputs_and_latency():
    data = json.loads(json.dumps(run(replace(BASE, monthly_income_cents=30_000)).to_dict()))
    assert {
        "outcome",
        "tier",
        "credit_line_cents",
        "reasons",
        "stages",
        "policy_version",
        "model_version",
        "latency_us",
        "inputs",
        "adverse_action_notice",
    } <= set(data)
    assert data["inputs"]["applicant"]["date_of_birth"] == "1990-05-01"
    assert data["inputs"]["today"] == "2026-03-01"


def test_applicant_round_trips_through_a_dict():
    assert ApplicantInput.from_dict(json.loads(json.dumps(BASE.to_dict()))) == BASE


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"requested_amount_cents": -1}, "requested_amount_cents"),
        ({"housing": "castle"}, "housing"),
        ({"monthly_income_cents": 12.5}, "monthly_income_cents"),
        ({"requested_term_months": 0}, "requested_term_months"),
        ({"savings_band": "lots"}, "savings_band"),
    ],
)
def test_broken_input_raises(changes, field):
    with pytest.raises(ValueError, match=field):
        replace(BASE, **changes)


def test_credit_modules_import_no_web_database_payment_or_shop_code():
    credit = Path(__file__).resolve().parents[2] / "credit"
    for path in sorted(credit.glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "stripe", "shop"}, path.name


# ------------------------------------------------------------------ policy 2026.3: scorecard v2
V2_POLICY = Policy.from_dict(DEFAULT_POLICY)
V2_BASE = replace(BASE, checking_band="480_plus")
VECTORS = json.loads((Path(__file__).parent / "vectors" / "decisions_before_2026_3.json").read_text())
SHIPPED = {"2026.1": Policy.from_dict(POLICY_2026_1), "2026.2": POLICY}


def test_the_default_policy_scores_with_v2_and_approves_the_reference_applicant_in_tier_c():
    d = run(V2_BASE, policy=V2_POLICY)
    assert (d.policy_version, d.model_version) == ("2026.3", "gc-scorecard-c324ac0c6f")
    assert d.stage("score").details["scorecard"]["model_version"] == d.model_version
    assert (d.outcome, d.score, d.tier) == ("approved", 529, "C")  # v2 points: see test_scorecard
    assert d.credit_line_cents == 600_000  # min(tier C cap 6,000, 1.5 x income 4,000)


def test_v2_requires_the_checking_band_and_the_launch_card_does_not():
    d = run(BASE, policy=V2_POLICY)
    assert (d.outcome, d.reason_codes) == ("incomplete", ("missing_fields",))
    assert d.stage("gates").details["missing"] == ["checking_band"] and d.score is None
    assert run(BASE).outcome == "approved"  # 2026.2 (v1) never asked it
    assert run(V2_BASE).outcome_dict()["score"] == run(BASE).score  # and ignores it


def test_an_overdrawn_account_costs_13_points_and_is_a_principal_reason_of_a_decline():
    assert run(replace(V2_BASE, checking_band="overdrawn"), policy=V2_POLICY).score == 529 - 13
    d = run(
        replace(V2_BASE, checking_band="overdrawn", requested_term_months=36, other_installment_plans="bank"),
        policy=V2_POLICY,
    )
    assert d.outcome == "declined" and "balance of your checking account" in d.reasons


def test_the_checking_band_is_validated_and_kept_only_when_answered():
    with pytest.raises(ValueError, match="checking_band"):
        replace(BASE, checking_band="rich")
    assert "checking_band" not in BASE.to_dict()  # inputs stored before v2 look the same
    assert V2_BASE.to_dict()["checking_band"] == "480_plus"
    assert ApplicantInput.from_dict(json.loads(json.dumps(V2_BASE.to_dict()))) == V2_BASE


@pytest.mark.parametrize("case", list(REPLAY_CASES))
def test_a_v2_decision_replays_with_the_model_it_names(case):
    changes = dict(REPLAY_CASES[case])
    changes["applicant"] = replace(changes.get("applicant", BASE), checking_band="under_480")
    d = run(**changes, policy=V2_POLICY)
    stored = json.loads(json.dumps(d.to_dict()))
    assert replay(stored, V2_POLICY).outcome_dict() == d.outcome_dict()
    assert replay(stored["inputs"], V2_POLICY).outcome_dict() == d.outcome_dict()  # the policy names v2
    with pytest.raises(ReplayError):
        replay(stored, V2_POLICY, scorecard=default_scorecard())


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_policies_before_2026_3_keep_their_shipped_documents(version):
    document = SHIPPED[version].to_dict()
    assert (
        hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest() == VECTORS["policy_sha256"][version]
    )


@pytest.mark.parametrize(
    "stored", VECTORS["decisions"], ids=[f"{v['decision']['policy_version']}-{v['case']}" for v in VECTORS["decisions"]]
)
def test_a_decision_stored_before_2026_3_replays_identically(stored):
    """Decisions the previous release stored (tests/unit/vectors, made by credit/ before
    this policy existed) replay to the same dict under their policy and model."""
    made = stored["decision"]
    policy = SHIPPED[made["policy_version"]]
    assert made["model_version"] == default_scorecard().model_version
    again = replay(made, policy).outcome_dict()
    assert again == {key: value for key, value in made.items() if key != "latency_us"}
    assert replay(made, policy, scorecard=load_scorecard(made["model_version"])).outcome_dict() == again
    with pytest.raises(ReplayError):
        replay(made, policy, scorecard=load_scorecard("gc-scorecard-c324ac0c6f"))
