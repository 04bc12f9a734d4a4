"""Money helpers: integer minor units, one rounding policy, exact splits.

Rounding policy (the only one used by ``credit/``)
-------------------------------------------------
Every computed amount is rounded **once**, to a whole minor unit, with
``ROUND_HALF_UP`` (ties away from zero: 0.5 -> 1, -0.5 -> -1), by one
function: :func:`div_round`.  Intermediate values are kept exact (integers,
integer ratios of ``Decimal`` rates) and only the final amount is rounded;
floats never touch an amount.  Where a total must be divided into parts,
the parts are computed so that they always sum to the whole (largest
remainder, or "the last part absorbs the remainder" where a rule says so).

The same function rounds a bound on the safe side where a rule says so
(``ROUND_FLOOR`` for a cap such as the income-based credit line,
``ROUND_CEILING`` for a stress estimate or a minimum percentage); and
:func:`round_decimal` is the same rule for a ``Decimal`` kept to a number of
places (an APR shown to 2 decimals).  Nothing in ``credit/`` rounds any other
way (``round()``, ``int(x + 0.5)``, ``Decimal.quantize``): a unit test greps
for it.

Amounts are ``int`` minor units (cents for USD/EUR/CNY, yen for JPY).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from math import lcm

from credit.errors import CreditInputError

ROUNDING = ROUND_HALF_UP
"""The one rounding mode for money: half up (away from zero on a tie)."""

CURRENCY_MINOR_DIGITS: dict[str, int] = {"USD": 2, "EUR": 2, "CNY": 2, "JPY": 0}
"""ISO 4217 minor-unit digits of the currencies the mall sells in."""


def minor_digits(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for USD, 0 for JPY)."""
    try:
        return CURRENCY_MINOR_DIGITS[currency]
    except KeyError:
        known = ", ".join(sorted(CURRENCY_MINOR_DIGITS))
        raise CreditInputError("currency", f"unknown currency {currency!r} (known: {known})") from None


def to_minor_units(amount: Decimal | int | str, currency: str = "USD") -> int:
    """Convert a major-unit amount (``Decimal("12.345")`` dollars) to minor units.

    Rounded once, half up: ``to_minor_units(Decimal("0.125"), "USD") == 13``.
    Floats are refused because they cannot represent most cent values.
    """
    if isinstance(amount, float):
        raise CreditInputError("amount", "must be a Decimal, int or str, not float")
    return div_round(Decimal(amount).scaleb(minor_digits(currency)))


def from_minor_units(minor: int, currency: str = "USD") -> Decimal:
    """Minor units to an exact major-unit ``Decimal`` (``1999 -> Decimal("19.99")``)."""
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def div_round(numerator: int | Decimal, denominator: int | Decimal = 1, rounding: str = ROUNDING) -> int:
    """``numerator / denominator`` rounded to a whole number: **the** rounding helper.

    Exact for ``int`` and ``Decimal`` arguments (a ``Decimal`` is taken as
    its exact integer ratio, never through the context's precision; a float
    is refused).  The default is the money policy, half up (away from zero on
    a tie: ``div_round(5, 2) == 3``, ``div_round(-5, 2) == -3``);
    ``ROUND_FLOOR`` and ``ROUND_CEILING`` are only for bounds that must err
    on the safe side.
    """
    if type(numerator) is not int or type(denominator) is not int:  # ints are the hot path
        (top, top_scale), (bottom, bottom_scale) = _ratio(numerator), _ratio(denominator)
        numerator, denominator = top * bottom_scale, bottom * top_scale
    if denominator == 0:
        raise ZeroDivisionError("div_round by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    if rounding == ROUND_HALF_UP:
        if numerator < 0:
            return -((-numerator * 2 + denominator) // (2 * denominator))
        return (numerator * 2 + denominator) // (2 * denominator)
    if rounding == ROUND_FLOOR:
        return numerator // denominator
    if rounding == ROUND_CEILING:
        return -(-numerator // denominator)
    raise CreditInputError("rounding", f"must be ROUND_HALF_UP, ROUND_FLOOR or ROUND_CEILING, got {rounding!r}")


def _ratio(value: int | Decimal) -> tuple[int, int]:
    """The exact integer ratio of an int or a finite Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise CreditInputError("value", f"must be an int or Decimal, not {type(value).__name__}")
    if isinstance(value, int):
        return value, 1
    if not value.is_finite():
        raise CreditInputError("value", f"must be finite, got {value}")
    return value.as_integer_ratio()


def round_decimal(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals by :func:`div_round`
    (``round_decimal(Decimal("9.685"), 2) == Decimal("9.69")``)."""
    return Decimal(div_round(value.scaleb(places))).scaleb(-places)


def rate_ratio(rate: Decimal) -> tuple[int, int]:
    """An exact ``(numerator, denominator)`` integer pair equal to ``rate``."""
    numerator, denominator = rate.as_integer_ratio()
    return numerator, denominator


def percent_of(amount_cents: int, percent: Decimal | int) -> int:
    """``percent`` % of ``amount_cents``, rounded once half up (10 % of 1005 -> 101)."""
    numerator, denominator = rate_ratio(Decimal(percent))
    return div_round(amount_cents * numerator, denominator * 100)


def split_evenly(total_cents: int, parts: int) -> list[int]:
    """Split ``total_cents`` into ``parts`` near-equal parts that sum to the whole.

    Largest remainder: every part gets ``total // parts`` and the leftover
    cents go one each to the first parts (``split_evenly(100, 3) == [34, 33, 33]``).
    """
    if parts <= 0:
        raise CreditInputError("parts", f"must be >= 1, got {parts}")
    base, extra = divmod(total_cents, parts)
    return [base + 1 if index < extra else base for index in range(parts)]


def allocate_by_weights(total_cents: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights`` (largest remainder method).

    Each part is first floored; the cents left over go to the parts with the
    largest fractional remainders (earlier parts win ties), so the parts sum
    exactly to ``total_cents``.  ``total_cents`` and weights must be >= 0.
    Exact: weights are taken as integer ratios, never rounded.
    """
    if total_cents < 0:
        raise CreditInputError("total_cents", f"must be >= 0, got {total_cents}")
    if not weights or any(weight < 0 for weight in weights):
        raise CreditInputError("weights", "must be a non-empty list of non-negative numbers")
    ratios = [_ratio(weight) for weight in weights]
    common = lcm(*(denominator for _, denominator in ratios))
    scaled = [numerator * (common // denominator) for numerator, denominator in ratios]
    weight_sum = sum(scaled)
    if weight_sum == 0:
        raise CreditInputError("weights", "must not all be zero")
    shares = [divmod(total_cents * weight, weight_sum) for weight in scaled]
    floors = [floor for floor, _ in shares]
    leftover = total_cents - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda index: (-shares[index][1], index))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return floors


def require_cents(value: int, field: str, *, minimum: int = 0) -> int:
    """Check that ``value`` is an ``int`` amount of at least ``minimum`` minor units."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise CreditInputError(field, f"must be an int amount in minor units, got {type(value).__name__}")
    if value < minimum:
        raise CreditInputError(field, f"must be >= {minimum}, got {value}")
    return value
