"""Offers: eligibility per scene, product, tier and amount; promotions; available credit and
down-payment top-up; schedules and disclosures; the listing teaser."""

import copy
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.offers import (
    Cart,
    CartLine,
    Teaser,
    build_offer,
    build_offers,
    eligible_terms,
    schedule_for,
    teaser,
    teaser_monthly_cents,
)
from credit.policy import DEFAULT_POLICY, Policy
from credit.schedule import pay_in_4_parts

POLICY = Policy.from_dict(DEFAULT_POLICY)
START = date(2026, 1, 31)
ALL_PROMOS = frozenset({3, 6, 12})
PLENTY = 10_000_000


def products(scene, tier, amount, available=PLENTY, promos=ALL_PROMOS, policy=POLICY):
    return [t.product for t in eligible_terms(policy, scene, tier, amount, available, promos)]


@pytest.mark.parametrize(
    "scene,tier,amount,expected",
    [
        (
            "electronics",
            "A",
            50_000,
            ["pay_in_4", "monthly_3", "monthly_6", "monthly_12", "monthly_24", "promo_3", "promo_6", "promo_12"],
        ),
        (
            "electronics",
            "A",
            120_000,
            ["monthly_3", "monthly_6", "monthly_12", "monthly_24", "monthly_36", "promo_3", "promo_6", "promo_12"],
        ),
        ("electronics", "D", 120_000, ["monthly_3", "monthly_6", "monthly_12", "monthly_24", "promo_3", "promo_6"]),
        ("electronics", "E", 120_000, ["monthly_3", "monthly_6", "monthly_12"]),
        ("electronics", "E", 5_000, ["pay_in_4"]),
        ("electronics", "A", 3_499, []),
        ("furniture", "C", 1_200_000, ["monthly_24", "monthly_36"]),
        ("travel", "A", 120_000, ["monthly_3", "monthly_6", "monthly_12", "promo_3", "promo_6"]),
        ("health-beauty", "B", 120_000, ["monthly_3", "monthly_6", "monthly_12", "promo_3", "promo_6", "promo_12"]),
        (
            "education",
            "C",
            120_000,
            ["monthly_3", "monthly_6", "monthly_12", "monthly_24", "monthly_36", "promo_3", "promo_6", "promo_12"],
        ),
        ("other", "A", 120_000, ["monthly_3", "monthly_6", "monthly_12"]),
    ],
)
def test_offer_eligibility_per_scene_product_tier_and_amount(scene, tier, amount, expected):
    assert products(scene, tier, amount) == expected


@pytest.mark.parametrize(
    "amount,eligible",
    [(3_499, False), (3_500, True), (100_000, True), (100_001, False)],
)
def test_pay_in_4_amount_range_is_inclusive(amount, eligible):
    assert ("pay_in_4" in products("electronics", "A", amount)) is eligible


@pytest.mark.parametrize(
    "lines,promos",
    [
        ([CartLine("electronics", 40_000, (3, 6, 12))], {3, 6, 12}),
        ([CartLine("electronics", 40_000, (6, 12)), CartLine("furniture", 40_000, (6,))], {6}),
        ([CartLine("electronics", 40_000, (6, 12)), CartLine("furniture", 40_000, ())], set()),
        ([], set()),
    ],
)
def test_a_promotion_needs_every_lines_merchant_to_opt_in(lines, promos):
    cart = Cart(tuple(lines))
    assert cart.promo_months == promos
    offered = {
        t.months
        for t in eligible_terms(POLICY, "electronics", "A", 80_000, PLENTY, cart.promo_months)
        if t.product.startswith("promo_")
    }
    assert offered == promos


def test_monthly_terms_carry_apr_and_down_payment_by_tier():
    by_product = {t.product: t for t in eligible_terms(POLICY, "electronics", "E", 100_000, PLENTY)}
    monthly = by_product["monthly_12"]
    assert (monthly.apr_percent, monthly.down_payment_percent) == (Decimal("35.99"), Decimal("20"))
    assert (monthly.down_payment_cents, monthly.financed_cents) == (20_000, 80_000)
    pay_in_4 = by_product["pay_in_4"]
    assert (pay_in_4.apr_percent, pay_in_4.down_payment_cents, pay_in_4.financed_cents) == (0, 25_000, 75_000)


@pytest.mark.parametrize(
    "available,product,down_percent,topped_up",
    [
        (120_000, "monthly_12", Decimal("0"), False),  # fits as is
        (119_999, "monthly_12", Decimal("1"), True),  # one cent short: 1 % more down
        (60_000, "monthly_12", Decimal("50"), True),  # exactly the maximum top-up
        (59_999, "monthly_12", None, False),  # would need more than 50 % down: not shown
        (90_000, "promo_6", Decimal("25"), True),  # a promotion can be topped up too
    ],
)
def test_offers_above_available_credit_get_a_larger_down_payment_or_are_not_shown(
    available, product, down_percent, topped_up
):
    terms = {t.product: t for t in eligible_terms(POLICY, "electronics", "A", 120_000, available, ALL_PROMOS)}
    if down_percent is None:
        assert product not in terms
        return
    offer = terms[product]
    assert (offer.down_payment_percent, offer.topped_up) == (down_percent, topped_up)
    assert offer.financed_cents <= available
    assert offer.down_payment_cents + offer.financed_cents == 120_000


def test_pay_in_4_is_never_topped_up():
    assert "pay_in_4" in products("electronics", "A", 80_000, available=60_000)
    assert "pay_in_4" not in products("electronics", "A", 80_000, available=59_999)


def test_without_top_up_an_offer_above_available_credit_is_not_shown():
    data = copy.deepcopy(DEFAULT_POLICY)
    data["down_payment_top_up"]["enabled"] = False
    strict = Policy.from_dict(data)
    assert products("electronics", "A", 120_000, available=119_999, policy=strict) == []


def test_a_disabled_catalog_row_is_not_offered():
    data = copy.deepcopy(DEFAULT_POLICY)
    for row in data["offers"]:
        if row["scene"] == "electronics" and row["product"] == "monthly_6":
            row["enabled"] = False
    assert "monthly_6" not in products("electronics", "A", 120_000, policy=Policy.from_dict(data))


@pytest.mark.parametrize(
    "product,amount",
    [
        ("pay_in_4", 90_000),
        ("monthly_3", 90_000),
        ("monthly_12", 90_000),
        ("monthly_36", 250_000),
        ("promo_12", 90_000),
    ],
)
def test_each_offer_carries_its_schedule_and_disclosure(product, amount):
    terms = next(
        t for t in eligible_terms(POLICY, "electronics", "C", amount, PLENTY, ALL_PROMOS) if t.product == product
    )
    offer = build_offer(terms, amount, START)
    assert sum(row.principal_cents for row in offer.schedule) == amount
    assert offer.disclosure.amount_financed_cents == terms.financed_cents
    assert offer.disclosure.down_payment_cents == terms.down_payment_cents
    assert offer.disclosure.total_sale_price_cents == amount + offer.disclosure.finance_charge_cents
    if product.startswith("monthly_"):
        assert offer.disclosure.apr == Decimal("19.99")
        assert len(offer.schedule) == terms.months + 1  # down payment (5 % in tier C) + months
        assert offer.schedule[2].due_on == date(2026, 3, 31)  # month-end due dates clamp and recover
    else:
        assert offer.disclosure.finance_charge_cents == 0 and offer.disclosure.apr == 0


class _Approved:
    outcome = "approved"
    amount_cents = 90_000

    def __init__(self, offers):
        self.offers = offers


def test_build_offers_for_a_decision_and_nothing_unless_approved():
    cart = Cart((CartLine("electronics", 90_000, (6,)),))
    terms = eligible_terms(POLICY, "electronics", "B", 90_000, PLENTY, cart.promo_months)
    built = build_offers(_Approved(terms), cart, START)
    assert [o.product for o in built] == [t.product for t in terms]
    assert all(o.monthly_payment_cents > 0 for o in built)
    declined = _Approved(terms)
    declined.outcome = "declined"
    assert build_offers(declined, cart, START) == []


@pytest.mark.parametrize(
    "amount,scene,promos,expected",
    [
        (120_000, "electronics", (), 3_871),  # 36 months at tier A's 9.99 %
        (120_000, "electronics", (12,), 3_871),  # 0 % over 12 is 10,000 a month: 36 months is still lower
        (50_000, "electronics", (), 2_307),  # under 1,000: 24 months at 9.99 %
        (50_000, "travel", (), 4_442),  # travel: 12 months at 11.99 % (9.99 % + 2 points)
        (50_000, "travel", (6,), 4_442),  # 0 % over 6 months is 8,333: higher
        (30_000, "travel", (6,), 2_665),
        (2_000, "electronics", (), None),  # too small for any monthly product
        (50_000, "toys", (), 4_489),  # unknown scene: fallback rows (12 months at 13.99 %)
    ],
)
def test_teaser_is_the_lowest_monthly_payment_for_the_best_tier(amount, scene, promos, expected):
    assert teaser_monthly_cents(amount, scene, POLICY, promos) == expected


@pytest.mark.parametrize(
    "amount,scenes,promos,expected",
    [
        (120_000, "electronics", (), Teaser(3_871, 36, Decimal("9.99"), 0)),
        (50_000, "travel", (), Teaser(4_442, 12, Decimal("11.99"), 0)),
        (30_000, "travel", (6,), Teaser(2_665, 12, Decimal("11.99"), 0)),
        (50_000, ("electronics", "travel"), (), Teaser(4_442, 12, Decimal("11.99"), 0)),  # most restrictive scene
        (50_000, ("electronics", "toys"), (), Teaser(4_489, 12, Decimal("13.99"), 0)),  # unknown: the fallback
        (2_000, "electronics", (), None),
    ],
)
def test_teaser_states_payment_term_apr_and_down_payment(amount, scenes, promos, expected):
    """Regulation Z 1026.24(d): a payment amount in an ad brings the term, the APR and the down payment."""
    assert teaser(amount, scenes, POLICY, promos) == expected


def test_teaser_with_a_down_payment_advertises_the_payment_on_the_amount_financed():
    data = copy.deepcopy(DEFAULT_POLICY)
    data["tiers"] = data["tiers"][2:]  # best tier C: 5 % down
    example = teaser(120_000, "electronics", Policy.from_dict(data))
    assert (example.months, example.apr, example.down_payment_cents) == (36, Decimal("19.99"), 6_000)


def test_a_cart_teaser_is_the_same_function_as_a_listing_teaser():
    cart = Cart((CartLine("electronics", 40_000, (6, 12)), CartLine("furniture", 30_000, (6,))))
    from_cart = teaser(cart.total_cents, cart.scenes, POLICY, cart.promo_months)
    assert from_cart == teaser(70_000, "furniture", POLICY, (6,))


@given(st.integers(3_500, 100_000))
@settings(max_examples=100, deadline=None)
def test_pay_in_4_down_payment_is_the_schedules_first_part(amount):
    (terms,) = [t for t in eligible_terms(POLICY, "electronics", "A", amount, PLENTY) if t.product == "pay_in_4"]
    schedule = schedule_for(terms, amount, START)
    assert terms.down_payment_cents == schedule[0].total_cents == pay_in_4_parts(amount)[0]
    assert terms.financed_cents == sum(row.total_cents for row in schedule[1:])
