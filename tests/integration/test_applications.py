"""Credit applications against the database: consent, stored and replayable
decisions, policy versions, fraud counts, checkout outcomes, the shopper's own
repayment record and personal data at rest.

The pure pipeline (credit/engine.py and friends) has its own unit tests; these
check what the database layer feeds it and keeps of it."""

from __future__ import annotations

import copy
import html
import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from credit.policy import DEFAULT_POLICY, POLICY_2026_2
from credit.scorecard import CHECKING_BANDS, default_scorecard
from shop import pii
from shop.checkout.forms import CHECKING
from shop.extensions import db
from shop.models import Cart, CartItem, CreditApplication, CreditDecision, Loan, Order, PolicyVersion, User
from shop.services import applications, policies, repayments
from tests.support.builders import listing_by_sku
from tests.support.web import AuthActions, Shopper, accept_offer, apply_for_credit

LAPTOP, PHONE = "VC-LTP-01", "VC-PHN-01"  # $1,299 and $899, both electronics
LAPTOP_CENTS = 129900
# Form answers (as posted) that score in the electronics refer band, and below it, under policy
# 2026.3 (scorecard v2, refer band 488-499 for a $1,299 laptop): the weaker answers alone now
# score 508 (approved) and 499 (referred), so both add an overdrawn checking account (-13 points
# against any other answer) to stay a referral (495) and a decline (486).
BORDERLINE_FORM = {
    "savings_band": "none",
    "housing": "free",
    "employment_months": "12",
    "residence_years": "1",
    "other_installment_plans": "stores",
    "checking_band": "overdrawn",
}
POOR_FORM = {
    "savings_band": "none",
    "housing": "rent",
    "employment_months": "3",
    "residence_years": "0",
    "other_installment_plans": "bank",
    "checking_band": "overdrawn",
}
POOR = {
    "savings_band": "none",
    "housing": "rent",
    "employment_months": 3,
    "residence_years": 0,
    "other_installment_plans": "bank",
    "checking_band": "overdrawn",
}
RULES = DEFAULT_POLICY["fraud"]["rules"]
_ips = itertools.count(1)


# --- helpers -------------------------------------------------------------------


def _ready(client, stripe_base, session, sku=LAPTOP, **address):
    """A logged-in client with `sku` in the cart and an address entered."""
    shopper = Shopper(client, stripe_base)
    shopper.add(listing_by_sku(session, sku).id)
    assert shopper.enter_address(**address).status_code == 302
    return shopper


def _registered(app, stripe_base, session, email, sku=LAPTOP, **address):
    client = app.test_client()
    assert AuthActions(client).register(email).status_code == 302
    _ready(client, stripe_base, session, sku, **address)
    return client


def _user(session, email: str) -> User:
    user = session.scalars(select(User).filter_by(email=email)).first()
    if user is None:
        user = User(email=email, name=email.split("@")[0], password_hash="!", role="shopper")
        session.add(user)
        session.commit()
    return user


def _data(**overrides) -> applications.ApplicationData:
    answers = dict(
        legal_name="Sam Shopper",
        date_of_birth=date(1985, 4, 12),
        national_id="123-45-6789",
        monthly_income_cents=650_000,
        income_source="employed",
        employment_months=60,
        housing="own",
        other_installment_plans="none",
        savings_band="2500_plus",
        checking_band="480_plus",
        residence_years=6,
        billing_region="IL",
        existing_monthly_debt_cents=0,
        consent=True,
    )
    return applications.ApplicationData(**{**answers, **overrides})


def _meta(ip: str | None = None, device: str | None = None) -> applications.RequestMeta:
    return applications.RequestMeta(ip=ip or f"198.51.100.{next(_ips)}", user_agent="pytest", device_id=device)


def _submit(app, email, sku=LAPTOP, shipping="IL", meta=None, today=None, **answers) -> dict:
    """Apply through the service as `email`; the stored decision's result with its ids."""
    with app.app_context():
        s = db.session
        user = s.scalars(select(User).filter_by(email=email)).one()
        application, decision = applications.submit_application(
            s, user, _data(**answers), meta or _meta(), [(listing_by_sku(s, sku), 1)], shipping, today=today
        )
        s.commit()
        return {**decision.result, "application_id": application.id, "decision_id": decision.id}


def _stage(result: dict, name: str) -> dict:
    return next(stage for stage in result["stages"] if stage["name"] == name)


def _fraud_hits(result: dict) -> dict[str, str]:
    return {hit["rule"]: hit["action"] for hit in _stage(result, "fraud")["details"]["hits"]}


def _applications(app, session) -> list[CreditApplication]:
    """Loaded under an app context: the encrypted columns are decrypted with the app's key."""
    with app.app_context():
        return session.scalars(select(CreditApplication).order_by(CreditApplication.id)).all()


def _count_applications(session) -> int:
    return session.scalar(select(func.count(CreditApplication.id)))


def _backdate_applications(session, user_id: int, age: timedelta) -> None:
    session.execute(
        update(CreditApplication).where(CreditApplication.user_id == user_id).values(created_at=datetime.now(UTC) - age)
    )
    session.commit()


def _page_text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# --- 1. consent ------------------------------------------------------------------


def test_an_application_is_stored_only_with_consent_and_records_what_was_agreed_when_and_from_where(
    app, auth, client, stripe_base, session
):
    auth.login()
    _ready(client, stripe_base, session)
    client.environ_base.update(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (Installmall test)")
    refused = apply_for_credit(client, consent=None)
    assert refused.status_code == 400 and _count_applications(session) == 0
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="shopper@example.com")).one()
        with pytest.raises(ValueError, match="consent"):
            applications.submit_application(db.session, user, _data(consent=False), _meta(), [], "IL")
        db.session.rollback()
    assert _count_applications(session) == 0

    before = datetime.now(UTC)
    assert apply_for_credit(client).status_code == 302
    [row] = _applications(app, session)
    assert row.consent_version == applications.CONSENT_VERSION
    assert row.consent_ip == "203.0.113.7" and row.ip_address == "203.0.113.7"
    assert row.consent_user_agent == "Mozilla/5.0 (Installmall test)"
    consent_at = row.consent_at if row.consent_at.tzinfo else row.consent_at.replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= consent_at <= datetime.now(UTC)
    assert row.decision.result["inputs"]["applicant"]["consent_version"] == applications.CONSENT_VERSION


# --- 2. stored decisions, replay and policy versions ------------------------------


def test_a_stored_decision_holds_every_stage_and_replays_to_the_same_outcome_across_policy_versions(
    app, auth, client, stripe_base, session
):
    auth.login()
    _ready(client, stripe_base, session)
    assert apply_for_credit(client).status_code == 302
    row = session.scalars(select(CreditDecision)).one()
    assert row.outcome == "approved" and row.policy_version == "2026.3" == DEFAULT_POLICY["version"]
    assert row.model_version == DEFAULT_POLICY["model_version"] == row.result["model_version"]
    assert isinstance(row.latency_us, int) and row.latency_us == row.result["latency_us"] >= 0
    assert [s["name"] for s in row.result["stages"]] == ["gates", "fraud", "score", "policy", "limit"]
    assert all(s["status"] == "pass" for s in row.result["stages"])
    assert _stage(row.result, "score")["details"]["final_score"] == row.score
    assert _stage(row.result, "limit")["details"]["credit_line_cents"] == row.credit_line_cents > 0
    inputs = row.result["inputs"]
    assert set(inputs) >= {"applicant", "fraud", "behaviour", "cart", "today"}
    assert inputs["applicant"]["requested_amount_cents"] == LAPTOP_CENTS
    assert inputs["applicant"]["shipping_region"] == "IL" and inputs["behaviour"] is None
    stored = {k: v for k, v in row.result.items() if k != "latency_us"}

    with app.app_context():
        assert applications.replay_decision(db.session, db.session.get(CreditDecision, row.id)).outcome_dict() == stored
        stricter = copy.deepcopy(DEFAULT_POLICY)
        stricter["version"] = "2026.4"
        stricter["description"] = "Tighter electronics cut-offs."
        stricter["scenes"]["electronics"].update(approve_min_score=600, refer_min_score=590)
        policies.add_version(db.session, stricter, activate=True)
        db.session.commit()

    versions = {v.version: v.active for v in session.scalars(select(PolicyVersion))}
    assert versions == {"2026.3": False, "2026.4": True}
    with app.app_context():
        old = db.session.get(CreditDecision, row.id)
        assert applications.replay_decision(db.session, old).outcome_dict() == stored
        assert old.policy_version == "2026.3" and old.outcome == "approved"

    # The same applicant applying now is judged by 2026.4 and falls below its cut-offs.
    _user(session, "second@example.com")
    result = _submit(app, "second@example.com", national_id="222-33-4444")
    assert result["policy_version"] == "2026.4" and result["outcome"] == "declined"
    assert _stage(result, "policy")["details"]["approve_min_score"] == 600
    assert session.get(CreditDecision, result["decision_id"]).policy_version == "2026.4"
    with app.app_context():
        new = db.session.get(CreditDecision, result["decision_id"])
        assert applications.replay_decision(db.session, new).outcome_dict() == {
            k: v for k, v in result.items() if k not in ("latency_us", "application_id", "decision_id")
        }


def test_the_application_asks_the_checking_balance_in_dollars_and_stores_the_answer(
    app, auth, client, stripe_base, session
):
    auth.login()
    _ready(client, stripe_base, session)
    page = client.get("/checkout/credit").get_data(as_text=True)
    assert "Checking account balance today" in page
    select = re.search(r'<select id="checking_band".*?</select>', page, re.S).group(0)
    assert all(label in select for label in ("Balance $480 or more", "Balance under $480", "is overdrawn"))
    assert "DM" not in select  # the German data's currency stays in the model card
    assert {value for value, _ in CHECKING if value} == set(CHECKING_BANDS)
    missing = apply_for_credit(client, checking_band="")
    assert missing.status_code == 400 and _count_applications(session) == 0
    assert "Choose your checking account balance." in missing.get_data(as_text=True)
    assert apply_for_credit(client, checking_band="lots").status_code == 400 and _count_applications(session) == 0

    assert apply_for_credit(client, checking_band="under_480").status_code == 302
    [row] = _applications(app, session)
    assert row.checking_band == "under_480"
    assert row.decision.result["inputs"]["applicant"]["checking_band"] == "under_480"
    scored = {
        f["feature"]: f["value"] for f in _stage(row.decision.result, "score")["details"]["scorecard"]["features"]
    }
    assert scored["status_of_existing_checking_account"] == "0 <= ... < 200 DM"


def test_decisions_made_under_2026_2_replay_with_the_launch_card_after_2026_3_is_activated(app, session):
    """An install that ran 2026.2 (scorecard v1, no checking question) and then activates 2026.3."""
    with app.app_context():
        policies.add_version(db.session, copy.deepcopy(POLICY_2026_2), activate=True)
        db.session.commit()
    _user(session, "before@example.com")
    _user(session, "asked@example.com")
    _user(session, "after@example.com")
    before = _submit(app, "before@example.com", national_id="301-00-0001", checking_band=None)  # not asked then
    asked = _submit(app, "asked@example.com", national_id="301-00-0002", checking_band="overdrawn")
    assert "checking_band" not in before["inputs"]["applicant"]
    assert before["model_version"] == asked["model_version"] == default_scorecard().model_version
    assert before["policy_version"] == asked["policy_version"] == "2026.2"
    assert (before["outcome"], before["score"]) == (asked["outcome"], asked["score"])  # v1 ignores the answer
    with app.app_context():
        policies.activate_version(db.session, DEFAULT_POLICY["version"])
        db.session.commit()
    after = _submit(app, "after@example.com", national_id="301-00-0003", checking_band="480_plus")
    assert (after["policy_version"], after["model_version"]) == ("2026.3", DEFAULT_POLICY["model_version"])
    assert after["outcome"] == "approved"
    with app.app_context():
        for made in (before, asked, after):
            row = db.session.get(CreditDecision, made["decision_id"])
            stored = {k: v for k, v in made.items() if k not in ("latency_us", "application_id", "decision_id")}
            assert applications.replay_decision(db.session, row).outcome_dict() == stored


# --- 3. fraud rules counted in the database --------------------------------------


def test_a_fourth_application_from_one_account_within_the_window_is_referred_and_older_ones_do_not_count(app, session):
    limit = RULES["velocity_account"]["limit"]
    assert (limit, RULES["velocity_account"]["action"]) == (3, "refer")
    user = _user(session, "busy@example.com")
    for n in range(limit):
        result = _submit(app, user.email, national_id=f"300-00-000{n}")
        assert result["outcome"] == "approved", result["reasons"]
    result = _submit(app, user.email, national_id="300-00-0009")
    assert result["inputs"]["fraud"]["account_applications"] == limit
    assert _fraud_hits(result) == {"velocity_account": "refer"}
    assert result["outcome"] == "referred" and "too many credit applications in a short time" in result["reasons"]

    _backdate_applications(session, user.id, timedelta(hours=DEFAULT_POLICY["fraud"]["window_hours"], minutes=5))
    later = _submit(app, user.email, national_id="300-00-0010")
    assert later["inputs"]["fraud"]["account_applications"] == 0
    assert later["outcome"] == "approved" and _fraud_hits(later) == {}


def test_the_device_cookie_links_accounts_and_a_fifth_application_from_one_device_is_referred(
    app, auth, client, stripe_base, session
):
    assert (RULES["velocity_device"]["limit"], RULES["velocity_device"]["action"]) == (4, "refer")
    auth.login()
    _ready(client, stripe_base, session)
    assert "Get my decision" in client.get("/checkout/credit").get_data(as_text=True)
    device = client.get_cookie("im_device").value
    assert len(device) >= 16
    assert apply_for_credit(client).status_code == 302

    other = _registered(app, stripe_base, session, "sibling@example.com")
    other.set_cookie("im_device", device)
    assert apply_for_credit(other, national_id="400-10-0001").status_code == 302
    rows = _applications(app, session)
    assert [r.device_id for r in rows] == [device, device] and rows[0].user_id != rows[1].user_id
    assert rows[1].decision.result["inputs"]["fraud"]["device_applications"] == 1

    for n in (2, 3):
        _user(session, f"device{n}@example.com")
        result = _submit(app, f"device{n}@example.com", national_id=f"400-00-000{n}", meta=_meta(device=device))
        assert result["outcome"] == "approved"
    _user(session, "device4@example.com")
    result = _submit(app, "device4@example.com", national_id="400-00-0004", meta=_meta(device=device))
    assert result["inputs"]["fraud"]["device_applications"] == 4
    assert _fraud_hits(result) == {"velocity_device": "refer"} and result["outcome"] == "referred"
    # A different device (same accounts aside) is not affected.
    _user(session, "device5@example.com")
    fresh = _submit(app, "device5@example.com", national_id="400-00-0005", meta=_meta(device="another-device"))
    assert fresh["inputs"]["fraud"]["device_applications"] == 0


def test_an_eleventh_application_from_one_ip_address_is_referred(app, session):
    limit = RULES["velocity_ip"]["limit"]
    assert (limit, RULES["velocity_ip"]["action"]) == (10, "refer")
    for n in range(limit + 1):
        _user(session, f"ip{n}@example.com")
    for n in range(limit):
        result = _submit(app, f"ip{n}@example.com", national_id=f"500-00-{n:04d}", meta=_meta(ip="192.0.2.50"))
        assert result["inputs"]["fraud"]["ip_applications"] == n and result["outcome"] == "approved"
    result = _submit(app, f"ip{limit}@example.com", national_id="500-00-9999", meta=_meta(ip="192.0.2.50"))
    assert _fraud_hits(result) == {"velocity_ip": "refer"} and result["outcome"] == "referred"


def test_a_fourth_application_with_one_national_id_within_the_window_is_declined(app, session):
    limit = RULES["velocity_id_hash"]["limit"]
    assert (limit, RULES["velocity_id_hash"]["action"]) == (3, "decline")
    email = _user(session, "repeat@example.com").email
    for _ in range(limit):
        _submit(app, email, national_id="600-00-0001")
    result = _submit(app, email, national_id="600000001")  # same number, typed without dashes
    assert result["inputs"]["fraud"]["id_hash_applications"] == limit
    assert _fraud_hits(result)["velocity_id_hash"] == "decline"
    assert result["outcome"] == "declined" and "velocity_id_hash" in result["reason_codes"]


def test_one_national_id_used_by_a_second_account_is_declined_and_its_declines_follow_the_id(app, session):
    assert (RULES["shared_national_id"]["limit"], RULES["shared_national_id"]["action"]) == (2, "decline")
    _user(session, "first@example.com")
    _user(session, "impostor@example.com")
    assert _submit(app, "first@example.com", national_id="700-00-0001")["outcome"] == "approved"
    result = _submit(app, "impostor@example.com", national_id="700-00-0001")
    assert result["inputs"]["fraud"]["accounts_sharing_id_hash"] == 2
    assert result["outcome"] == "declined" and result["reasons"] == ["unable to verify your identity"]
    # The ID is now shared: its owner applying again is declined too, and the
    # impostor's decline counts against the ID, not only the impostor's account.
    again = _submit(app, "first@example.com", national_id="700-00-0001")
    assert again["inputs"]["fraud"]["accounts_sharing_id_hash"] == 2
    assert again["inputs"]["fraud"]["recent_declines"] == 1 and again["outcome"] == "declined"
    with app.app_context():
        s = db.session
        _, policy = policies.active(s)
        newcomer = _user(s, "newcomer@example.com")
        now = datetime.now(UTC)
        ctx = applications.fraud_context(s, newcomer, pii.keyed_hash("700000001"), _meta(), policy, now)
        assert (ctx.recent_declines, ctx.accounts_sharing_id_hash, ctx.id_hash_applications) == (2, 3, 3)
        clean = applications.fraud_context(s, newcomer, pii.keyed_hash("700-00-0002"), _meta(), policy, now)
        assert (clean.recent_declines, clean.accounts_sharing_id_hash, clean.id_hash_applications) == (0, 1, 0)


def test_a_shopper_registered_with_a_disposable_email_domain_is_declined(app, stripe_base, session):
    assert RULES["disposable_email"]["action"] == "decline"
    client = _registered(app, stripe_base, session, "deal.hunter@mailinator.com")
    assert apply_for_credit(client).status_code == 302
    page = client.get("/checkout/credit")
    assert 'data-testid="declined"' in page.get_data(as_text=True)
    assert "unable to verify your e-mail address" in _page_text(page)
    row = session.scalars(select(CreditDecision)).one()
    assert row.outcome == "declined" and _fraud_hits(row.result) == {"disposable_email": "decline"}


def test_shipping_to_another_state_than_billing_is_referred_above_the_policy_amount(app, stripe_base, session):
    rule = RULES["region_mismatch"]
    assert (rule["min_amount_cents"], rule["action"]) == (100_000, "refer")
    client = _registered(app, stripe_base, session, "traveller@example.com", region="CA")
    assert apply_for_credit(client, billing_region="IL").status_code == 302
    [row] = _applications(app, session)
    assert (row.billing_region, row.shipping_region, row.requested_amount_cents) == ("IL", "CA", LAPTOP_CENTS)
    assert row.decision.outcome == "referred" and _fraud_hits(row.decision.result) == {"region_mismatch": "refer"}
    # Below the amount (the $899 phone) the same mismatch is no fraud hit.
    _user(session, "traveller2@example.com")
    result = _submit(app, "traveller2@example.com", sku=PHONE, shipping="CA", national_id="800-00-0002")
    assert result["amount_cents"] < rule["min_amount_cents"]
    assert _fraud_hits(result) == {} and result["outcome"] == "approved"


def test_a_shopper_declined_three_times_within_thirty_days_is_declined_again(app, session):
    rule = RULES["repeated_declines"]
    assert (rule["limit"], rule["action"], DEFAULT_POLICY["fraud"]["declines_window_days"]) == (3, "decline", 30)
    user = _user(session, "unlucky@example.com")
    for n in range(rule["limit"]):
        assert _submit(app, user.email, national_id=f"900-00-000{n}", **POOR)["outcome"] == "declined"
    _backdate_applications(session, user.id, timedelta(days=2))  # out of the velocity window, inside 30 days
    result = _submit(app, user.email, national_id="900-00-0009")  # a good application this time
    assert result["inputs"]["fraud"]["recent_declines"] == rule["limit"]
    assert result["inputs"]["fraud"]["account_applications"] == 0
    assert _fraud_hits(result) == {"repeated_declines": "decline"} and result["outcome"] == "declined"
    assert result["reasons"] == ["recent applications were declined"]

    # Declines older than the window no longer count.
    _backdate_applications(session, user.id, timedelta(days=31))
    assert _submit(app, user.email, national_id="900-00-0010")["outcome"] == "approved"


# --- 4. outcomes through the checkout ----------------------------------------------


def test_a_declined_shopper_sees_plain_reasons_and_the_notice_and_can_still_pay_in_full(
    auth, client, stripe_base, session
):
    auth.login()
    shopper = _ready(client, stripe_base, session)
    assert apply_for_credit(client, **POOR_FORM).status_code == 302
    page = client.get("/checkout/credit")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="declined"' in body
    shown = re.search(r'data-testid="decline-reasons">(.*?)</ul>', body, re.S).group(1)
    reasons = [html.unescape(r).strip() for r in re.findall(r"<li>(.*?)</li>", shown, re.S)]
    assert 1 <= len(reasons) <= 4 and "level of savings" in reasons
    assert "score" not in _page_text(page).lower()

    row = session.scalars(select(CreditDecision)).one()
    assert row.outcome == "declined" and reasons == row.result["reasons"]
    notice = row.adverse_action_notice
    assert "Dear Sam Shopper," in notice and "we are unable to approve your application" in notice
    assert all(f"{r[0].upper()}{r[1:]}" in notice for r in reasons)
    assert "You have the right to a statement of the specific reasons" in notice
    assert "Equal Credit Opportunity Act" in notice and "score" not in notice.lower()
    shown_notice = re.search(r'data-testid="adverse-action-notice">(.*?)</pre>', body, re.S).group(1)
    assert html.unescape(shown_notice) == notice
    # Coming back to pay over time shows the same decision, not the form again.
    again = client.get("/checkout/credit").get_data(as_text=True)
    assert 'data-testid="declined"' in again and "Get my decision" not in again
    assert _count_applications(session) == 1

    assert client.get("/checkout/payment").status_code == 200
    paid, _, _ = shopper.pay("4242424242424242")
    assert paid.status_code == 302 and "/checkout/done/" in paid.headers["Location"]
    order = session.scalars(select(Order)).one()
    assert order.status == "paid" and order.total_cents == LAPTOP_CENTS


def test_a_referred_shopper_gets_a_held_order_with_stock_taken_and_an_empty_cart(
    app, auth, client, stripe_base, session
):
    auth.login()
    stock_before = listing_by_sku(session, LAPTOP).stock
    _ready(client, stripe_base, session)
    assert apply_for_credit(client, **BORDERLINE_FORM).status_code == 302
    [application] = _applications(app, session)
    assert application.decision.outcome == "referred" and application.status == "referred"

    order = session.scalars(select(Order)).one()
    assert order.status == "awaiting_credit_review" and order.credit_application_id == application.id
    assert order.hold_expires_at is not None
    hold = order.hold_expires_at if order.hold_expires_at.tzinfo else order.hold_expires_at.replace(tzinfo=UTC)
    assert hold > datetime.now(UTC)
    session.expire_all()
    assert listing_by_sku(session, LAPTOP).stock == stock_before - 1

    page = client.get("/checkout/credit")
    text_ = _page_text(page)
    assert 'data-testid="referred"' in page.get_data(as_text=True)
    assert order.number in text_ and "awaiting credit review" in text_ and f"#{order.credit_application_id}" in text_
    assert "Your cart is empty." in _page_text(client.get("/cart"))
    assert session.scalar(select(func.count(CartItem.id)).join(Cart).where(Cart.user_id == order.user_id)) == 0
    assert client.get("/checkout/payment").status_code == 302  # the checkout was handed to the held order
    assert _count_applications(session) == 1


def test_a_second_checkout_within_thirty_days_reuses_the_decision_and_line(app, auth, client, stripe_base, session):
    auth.login()
    _ready(client, stripe_base, session, PHONE)
    assert apply_for_credit(client).status_code == 302
    response, _ = accept_offer(client, stripe_base, "monthly_12")
    assert response.status_code == 302
    decision = session.scalars(select(CreditDecision)).one()

    _ready(client, stripe_base, session, LAPTOP)
    page = client.get("/checkout/credit").get_data(as_text=True)
    assert "Get my decision" not in page and "You're approved" in page
    response, _ = accept_offer(client, stripe_base, "monthly_12")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    loans = session.scalars(select(Loan).order_by(Loan.id)).all()
    assert [loan.decision_id for loan in loans] == [decision.id, decision.id]
    assert _count_applications(session) == 1

    # After 30 days the shopper applies afresh.
    _backdate_applications(
        session, session.scalar(select(CreditApplication.user_id)), timedelta(days=applications.REUSE_DAYS + 1)
    )
    _ready(client, stripe_base, session, PHONE)
    assert "Get my decision" in client.get("/checkout/credit").get_data(as_text=True)


# --- 5. behaviour: the shopper's own loans ------------------------------------------


def test_repayments_on_own_loans_raise_the_score_and_a_past_due_installment_lowers_it_or_declines(
    app, auth, client, stripe_base, session
):
    behaviour = DEFAULT_POLICY["behaviour"]
    auth.login()
    _ready(client, stripe_base, session)
    assert apply_for_credit(client).status_code == 302
    assert accept_offer(client, stripe_base, "monthly_12")[0].status_code == 302
    first = session.scalars(select(CreditDecision)).one()
    loan = session.scalars(select(Loan)).one()
    installments = [i for i in loan.installments if i.kind == "installment"]
    first_due, second_due = installments[0].due_on, installments[1].due_on

    with app.app_context():
        s = db.session
        user = s.get(User, loan.user_id)
        assert applications.repayment_record(s, user, date.today()).on_time_payments == 0
        repayments.record_repayment(
            s,
            user,
            s.get(Loan, loan.id),
            amount_cents=None,
            kind="next",
            key="test-on-time-1",
            payment_method_id=loan.stripe_payment_method_id,
            today=first_due,
        )
        s.commit()
        record = applications.repayment_record(s, user, first_due)
        assert record.on_time_payments == 1 and record.current_days_past_due == 0
        assert 0 < record.outstanding_balance_cents < LAPTOP_CENTS and record.monthly_installments_cents > 0
        late = applications.repayment_record(s, user, second_due + timedelta(days=10))
        assert late.current_days_past_due == 10 and late.on_time_payments == 1

    on_time = _submit(app, "shopper@example.com", today=first_due)
    assert _stage(on_time, "score")["details"]["behaviour"]["points"] == behaviour["points_per_on_time_payment"]
    assert on_time["score"] == first.score + behaviour["points_per_on_time_payment"]

    past_due = _submit(app, "shopper@example.com", today=second_due + timedelta(days=10))
    details = _stage(past_due, "score")["details"]["behaviour"]
    assert details["points"] < 0 and "past_due_with_us" in details["reason_codes"]
    assert past_due["inputs"]["behaviour"]["current_days_past_due"] == 10
    assert past_due["score"] < first.score

    _backdate_applications(session, loan.user_id, timedelta(days=2))  # keep velocity rules out of it
    days = behaviour["decline_current_days_past_due"] + 9
    seriously = _submit(app, "shopper@example.com", today=second_due + timedelta(days=days))
    assert seriously["inputs"]["behaviour"]["current_days_past_due"] == days
    assert _stage(seriously, "score")["status"] == "decline" and seriously["outcome"] == "declined"
    assert "a loan with us is past due" in seriously["reasons"]


# --- 6. personal data at rest ----------------------------------------------------------


def test_no_plaintext_national_id_is_stored_anywhere_and_its_masked_form_shows_only_the_last_four(
    app, auth, client, stripe_base, session
):
    auth.login()
    _ready(client, stripe_base, session)
    assert apply_for_credit(client, national_id="987-65-4321").status_code == 302
    for table in ("credit_applications", "credit_decisions", "credit_accounts"):
        for raw in session.execute(text(f"select * from {table}")).all():
            flat = " ".join(str(v) for v in raw)
            assert "987654321" not in flat and "987-65-4321" not in flat, table
    [application] = _applications(app, session)
    assert application.national_id == "987654321"  # decrypted for the lender's own use only
    assert pii.mask(application.national_id) == "•••••4321"
    assert pii.mask(application.national_id_last4) == "•••4321"
    assert pii.mask(None) == ""
    for page in ("/checkout/credit", "/account/credit"):
        body = client.get(page).get_data(as_text=True)
        assert "987654321" not in body and "987-65-4321" not in body
