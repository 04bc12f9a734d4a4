"""Money helpers: the rounding policy and exact splits.

Sources: ISO 4217 minor units (USD/EUR/CNY 2, JPY 0); largest remainder
method as used by django-hordak.
"""

import io
import tokenize
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.errors import CreditInputError
from credit.money import (
    allocate_by_weights,
    div_round,
    from_minor_units,
    minor_digits,
    percent_of,
    require_cents,
    round_decimal,
    split_evenly,
    to_minor_units,
)

CREDIT = Path(__file__).resolve().parents[2] / "credit"


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 2, 3), (7, 2, 4), (3, 2, 2), (1, 3, 0), (2, 3, 1), (-5, 2, -3), (-1, 3, 0), (10, 5, 2), (5, -2, -3)],
)
def test_div_round_rounds_half_up_away_from_zero(numerator: int, denominator: int, expected: int) -> None:
    assert div_round(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounding", "expected"),
    [
        (5, 2, ROUND_FLOOR, 2),
        (-5, 2, ROUND_FLOOR, -3),
        (5, 2, ROUND_CEILING, 3),
        (4, 2, ROUND_CEILING, 2),
        (Decimal("1234.5"), 1, "ROUND_HALF_UP", 1235),
        (Decimal("100"), Decimal("0.35"), "ROUND_HALF_UP", 286),  # 285.714...
        (100000 * Decimal("0.35"), 1, ROUND_FLOOR, 35000),
        (Decimal("1" + "0" * 30 + ".5"), 1, "ROUND_HALF_UP", 10**30 + 1),  # beyond the context's 28 digits
    ],
)
def test_div_round_is_exact_for_decimals_and_rounds_bounds_on_request(
    numerator: int | Decimal, denominator: int | Decimal, rounding: str, expected: int
) -> None:
    assert div_round(numerator, denominator, rounding) == expected


def test_div_round_refuses_floats_and_unknown_modes() -> None:
    with pytest.raises(CreditInputError, match="^value: "):
        div_round(0.5)  # type: ignore[arg-type]
    with pytest.raises(CreditInputError, match="^rounding: "):
        div_round(1, 2, "ROUND_HALF_EVEN")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("9.685708"), 2, "9.69"),
        (Decimal("9.685"), 2, "9.69"),  # half up, where quantize's default would give 9.68
        (Decimal("-0.125"), 2, "-0.13"),
        (Decimal(0), 6, "0.000000"),
        (Decimal("10"), 2, "10.00"),
    ],
)
def test_round_decimal_keeps_places_and_rounds_half_up(value: Decimal, places: int, expected: str) -> None:
    assert str(round_decimal(value, places)) == expected


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
@settings(max_examples=200)
def test_div_round_matches_decimal_round_half_up(numerator: int, denominator: int) -> None:
    exact = Decimal(numerator) / Decimal(denominator)
    assert div_round(numerator, denominator) == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("12.34"), "USD", 1234),
        (Decimal("0.125"), "USD", 13),  # half up
        (Decimal("0.115"), "EUR", 12),
        (Decimal("99.995"), "CNY", 10000),
        (Decimal("1500"), "JPY", 1500),
        (Decimal("1500.5"), "JPY", 1501),
        ("-0.005", "USD", -1),
        (7, "USD", 700),
    ],
)
def test_to_minor_units_rounds_once_half_up(amount: Decimal, currency: str, minor: int) -> None:
    assert to_minor_units(amount, currency) == minor


def test_from_minor_units_is_exact() -> None:
    assert from_minor_units(1999, "USD") == Decimal("19.99")
    assert str(from_minor_units(5, "EUR")) == "0.05"
    assert from_minor_units(1500, "JPY") == Decimal(1500)


def test_currencies_with_zero_and_two_minor_digits() -> None:
    assert [minor_digits(code) for code in ("USD", "EUR", "CNY", "JPY")] == [2, 2, 2, 0]


def test_unknown_currency_names_the_field() -> None:
    with pytest.raises(CreditInputError, match="^currency: unknown currency 'GBX'"):
        minor_digits("GBX")


def test_floats_are_refused() -> None:
    with pytest.raises(CreditInputError, match="amount"):
        to_minor_units(0.1, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "parts", "expected"),
    [(100, 3, [34, 33, 33]), (101, 4, [26, 25, 25, 25]), (3, 4, [1, 1, 1, 0]), (0, 2, [0, 0]), (10, 1, [10])],
)
def test_split_evenly_gives_leftover_cents_to_the_first_parts(total: int, parts: int, expected: list[int]) -> None:
    assert split_evenly(total, parts) == expected


@given(st.integers(0, 10**10), st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any))
@settings(max_examples=200)
def test_allocate_by_weights_parts_sum_to_the_whole(total: int, weights: list[int]) -> None:
    parts = allocate_by_weights(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(Decimal(part) - Decimal(total) * weight / weight_sum) < 1


def test_allocate_by_weights_largest_remainder_table() -> None:
    assert allocate_by_weights(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate_by_weights(10, [Decimal("0.5"), Decimal("0.3"), Decimal("0.2")]) == [5, 3, 2]
    assert allocate_by_weights(7, [2, 1, 1]) == [3, 2, 2]  # remainders .5, .75, .75
    assert allocate_by_weights(2, [1, 1, 1]) == [1, 1, 0]  # equal remainders: earlier wins


@pytest.mark.parametrize(
    ("amount", "percent", "expected"), [(1005, 10, 101), (100000, Decimal("12.5"), 12500), (999, 0, 0)]
)
def test_percent_of_rounds_once(amount: int, percent: Decimal, expected: int) -> None:
    assert percent_of(amount, percent) == expected


def test_require_cents_rejects_negative_and_non_int() -> None:
    with pytest.raises(CreditInputError, match="^price_cents: must be >= 0"):
        require_cents(-1, "price_cents")
    with pytest.raises(CreditInputError, match="^price_cents: must be an int"):
        require_cents(Decimal(1), "price_cents")  # type: ignore[arg-type]


# ---------------------------------------------------------------- one rounding rule, in source


def _code_tokens(path: Path) -> list[tokenize.TokenInfo]:
    """The tokens of a module without its strings and comments (docstrings may show bad examples)."""
    skip = {tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    return [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline) if t.type not in skip]


def _calls(tokens: list[tokenize.TokenInfo], name: str) -> list[int]:
    """Line numbers where ``name(`` is called as a bare name or an attribute."""
    return [
        token.start[0]
        for token, after in zip(tokens, tokens[1:], strict=False)
        if token.type == tokenize.NAME and token.string == name and after.string == "("
    ]


@pytest.mark.parametrize("path", sorted(CREDIT.glob("*.py")), ids=lambda path: path.name)
def test_credit_rounds_money_only_through_the_money_helpers(path: Path) -> None:
    """One rounding rule: ``credit.money.div_round`` (and ``round_decimal`` on top of it).
    No ``round()``, ``int(x + 0.5)``, ``math.floor``/``ceil``, ``int(Decimal...)`` truncation or
    ``Decimal.quantize``/``to_integral`` outside money.py, and floats only in the APR solver."""
    tokens = _code_tokens(path)
    found: list[str] = [f"round() on line {line}" for line in _calls(tokens, "round")]
    found += [f"{name}() on line {line}" for name in ("floor", "ceil", "trunc") for line in _calls(tokens, name)]
    found += [f"float literal {t.string} on line {t.start[0]}" for t in tokens if t.string in ("0.5", ".5", "0.50")]
    found += [
        f"int(Decimal...) on line {token.start[0]}"
        for token, paren, after in zip(tokens, tokens[1:], tokens[2:], strict=False)
        if token.string == "int" and paren.string == "(" and after.string == "Decimal"
    ]
    if path.name != "money.py":
        for name in ("quantize", "to_integral_value", "to_integral", "to_integral_exact"):
            found += [f"{name}() on line {line}" for line in _calls(tokens, name)]
        found += [f"{t.string} on line {t.start[0]}" for t in tokens if t.string.startswith("ROUND_HALF")]
    if path.name != "apr.py":  # the APR solver searches the rate in floats; no amount is ever a float
        found += [f"float() on line {line}" for line in _calls(tokens, "float")]
    assert not found, f"{path.name}: round money with credit.money.div_round: {found}"
