"""Merchant pricing: discount by payment type, promotion subsidy, nets per merchant.

The legacy figures are the constants shop/lending.py used before pricing was
policy data (3.0 % on every financed sale; 2.5 / 4.5 / 8.0 % subsidies for
3 / 6 / 12-month promotions), reproduced here as the oracle ``old_split``.
"""

import copy
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.errors import CreditInputError
from credit.money import allocate_by_weights, percent_of
from credit.policy import DEFAULT_POLICY, LEGACY_PRICING, PRODUCTS, Policy, PolicyError
from credit.pricing import MerchantSplit, discount_rates, merchant_split, payment_type

POLICY = Policy.from_dict(DEFAULT_POLICY)
LEGACY_DOCUMENT = {key: value for key, value in copy.deepcopy(DEFAULT_POLICY).items() if key != "pricing"}
LEGACY_DOCUMENT["version"] = "2026.1"
LEGACY = Policy.from_dict(LEGACY_DOCUMENT)


def old_split(total: int, lines: list[tuple[int, int]], product: str) -> tuple[list[tuple[int, int]], int, int]:
    """shop/lending.py ``_merchant_split`` before this change, on plain values."""
    totals: dict[int, int] = {}
    for merchant, line_total in lines:
        totals[merchant] = totals.get(merchant, 0) + line_total
    subsidy_percent = {3: Decimal("2.5"), 6: Decimal("4.5"), 12: Decimal("8.0")}
    subsidy_rate = subsidy_percent.get(int(product.split("_")[1]), Decimal(0)) if product.startswith("promo_") else 0
    discount, subsidy = percent_of(total, Decimal("3.0")), percent_of(total, Decimal(subsidy_rate))
    nets = allocate_by_weights(total - discount - subsidy, list(totals.values()))
    return list(zip(totals.keys(), nets, strict=True)), discount, subsidy


@pytest.mark.parametrize(
    ("product", "kind", "discount", "subsidy"),
    [
        (None, "card", 290, 0),
        ("card", "card", 290, 0),
        ("pay_in_4", "pay_in_4", 300, 0),
        ("monthly_12", "installments", 300, 0),
        ("promo_3", "promo", 300, 250),
        ("promo_6", "promo", 300, 450),
        ("promo_12", "promo", 300, 800),
    ],
)
def test_discount_and_subsidy_by_payment_type_on_a_100_dollar_order(
    product: str | None, kind: str, discount: int, subsidy: int
) -> None:
    split = merchant_split(10000, [(7, 10000)], product, POLICY)
    assert payment_type(product) == kind
    assert split == MerchantSplit(((7, 10000 - discount - subsidy),), discount, subsidy)


def test_nets_follow_each_merchants_line_totals_and_sum_to_the_whole() -> None:
    split = merchant_split(129999, [(1, 99999), (2, 20000), (1, 10000)], "promo_6", POLICY)
    assert (split.discount_cents, split.subsidy_cents) == (3900, 5850)  # 3 % and 4.5 % of 1,299.99, half up
    assert split.nets == ((1, 101749), (2, 18500))  # 1,202.49 x 1,099.99 / 1,299.99 = 1,017.486: the odd cent
    assert split.total_cents == 129999


def test_a_policy_stored_without_pricing_prices_financed_sales_as_before_and_card_sales_at_zero() -> None:
    assert LEGACY.to_dict() == LEGACY_DOCUMENT  # replays as stored: no section is added
    assert LEGACY.pricing == Policy.from_dict({**LEGACY_DOCUMENT, "pricing": LEGACY_PRICING}).pricing
    assert discount_rates(None, LEGACY) == (Decimal(0), Decimal(0))
    assert merchant_split(5000, [(3, 5000)], "card", LEGACY) == MerchantSplit(((3, 5000),), 0, 0)


@given(
    st.integers(0, 5_000_000),
    st.lists(st.tuples(st.integers(1, 4), st.integers(0, 2_000_000)), min_size=1, max_size=6).filter(
        lambda lines: any(total for _, total in lines)
    ),
    st.sampled_from([p for p in PRODUCTS]),
)
@settings(max_examples=200, deadline=None)
def test_legacy_policies_split_exactly_as_the_shop_did(total: int, lines: list[tuple[int, int]], product: str) -> None:
    nets, discount, subsidy = old_split(total, lines, product)
    assert merchant_split(total, lines, product, LEGACY) == MerchantSplit(tuple(nets), discount, subsidy)
    assert merchant_split(total, lines, product, POLICY).total_cents == total


def test_the_new_policy_version_only_adds_card_pricing() -> None:
    assert POLICY.version != LEGACY.version
    for product in PRODUCTS:
        assert discount_rates(product, POLICY) == discount_rates(product, LEGACY)
    assert discount_rates(None, POLICY) == (Decimal("2.9"), Decimal(0))


def test_an_order_of_zero_splits_into_zeros() -> None:
    assert merchant_split(0, [(1, 0), (2, 0)], None, POLICY) == MerchantSplit(((1, 0), (2, 0)), 0, 0)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((-1, [(1, 100)], None), "order_total_cents"),
        ((100, [], None), "merchant_line_totals"),
        ((100, [(1, -5)], None), "merchant_line_totals"),
        ((100, [(1, 0)], None), "merchant_line_totals"),
        ((100, [(1, 100)], "monthly_18"), "product"),
    ],
)
def test_bad_input_names_the_field(arguments: tuple[int, list[tuple[int, int]], str | None], field: str) -> None:
    with pytest.raises(CreditInputError, match=f"^{field}: "):
        merchant_split(*arguments, POLICY)


@pytest.mark.parametrize(
    ("pricing", "message"),
    [
        ({"merchant_discount_percent": {"card": "2.9"}, "promo_subsidy_percent": {}}, "merchant_discount_percent"),
        ({**DEFAULT_POLICY["pricing"], "promo_subsidy_percent": {"18": "1"}}, "promotion terms"),
        ({**DEFAULT_POLICY["pricing"], "promo_subsidy_percent": {"3": 2.5}}, "promo_subsidy_percent.3"),
        ({**DEFAULT_POLICY["pricing"], "promo_subsidy_percent": {"3": "97"}}, "below 100"),
        ({"promo_subsidy_percent": {}}, "pricing.merchant_discount_percent: required"),
    ],
)
def test_bad_pricing_sections_are_rejected_naming_the_field(pricing: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.from_dict({**DEFAULT_POLICY, "pricing": pricing})
