"""APR by the Regulation Z Appendix J actuarial method.

Sources: the worked examples of 12 CFR 1026 Appendix J (c) and two
published loans, in ``vectors/appendix_j_examples.json`` (a copy of
``/work/shared/vectors/appendix_j_examples.json``; the copy is preferred so
a clean clone works), and the other eleven Appendix J (c) examples in
``vectors/appendix_j_more_examples.json`` (the quarterly, weekly, 4-weekly,
irregular final payment, single advance single payment (c)(5)(i)-(iv) and
skipped-payment examples; Appendix J states some of them by unit periods and
fractions only, so their dates are chosen to give exactly those).  The 0 %
example has no dates in the source: the test uses an advance on 2024-01-15
and monthly payments from 2024-02-15 (any dates give APR 0.00 because the
payments add up to the amount financed).
"""

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.apr import annual_percentage_rate, infer_unit_period, parse_unit_period, periods_between, unit_period_dates
from credit.errors import CreditInputError
from credit.schedule import add_months, level_payment_schedule

VECTORS = "appendix_j_examples.json"
MORE_VECTORS = "appendix_j_more_examples.json"
UNDATED_ADVANCE_ON = date(2024, 1, 15)


def vectors_file() -> Path:
    local = Path(__file__).resolve().parent / "vectors" / VECTORS
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / VECTORS
    return local if local.exists() else shared


EXAMPLES: list[dict[str, Any]] = (
    json.loads(vectors_file().read_text())["examples"]
    + json.loads((Path(__file__).resolve().parent / "vectors" / MORE_VECTORS).read_text())["examples"]
)


def cents(dollars: float) -> int:
    return int((Decimal(str(dollars)) * 100).to_integral_value())


def expand(example: dict[str, Any]) -> tuple[date, list[tuple[date, int]]]:
    """The advance date and every payment of an example's payment groups."""
    advance_on = date.fromisoformat(example.get("advance_date", UNDATED_ADVANCE_ON.isoformat()))
    payments: list[tuple[date, int]] = []
    next_on = add_months(advance_on, 1)
    for group in example["payments"]:
        first_on = date.fromisoformat(group["first_date"]) if "first_date" in group else next_on
        dates = unit_period_dates(first_on, group["count"] + 1, group["unit_period"])
        if "last_date" in group:
            assert dates[-2] == date.fromisoformat(group["last_date"])
        payments += [(due_on, cents(group["amount"])) for due_on in dates[:-1]]
        next_on = dates[-1]
    return advance_on, payments


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["id"] for example in EXAMPLES])
def test_appendix_j_examples_reproduce_the_published_apr(example: dict[str, Any]) -> None:
    advance_on, payments = expand(example)
    assert sum(amount for _, amount in payments) == cents(example["total_of_payments"])
    expected = Decimal(str(example["expected_apr"])).quantize(Decimal("0.01"))
    for unit_period in (None, example["payments"][0]["unit_period"]):
        apr = annual_percentage_rate(cents(example["amount_financed"]), advance_on, payments, unit_period)
        assert apr.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") == expected
        assert abs(apr - expected) <= Decimal("0.005")


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["id"] for example in EXAMPLES])
def test_inferred_unit_period_matches_the_example(example: dict[str, Any]) -> None:
    advance_on, payments = expand(example)
    inferred = infer_unit_period(advance_on, [due_on for due_on, _ in payments])
    assert inferred == parse_unit_period(example["payments"][0]["unit_period"])


def test_appendix_j_c1i_unrounded_value() -> None:
    payments = [(add_months(date(1978, 2, 10), k), 23000) for k in range(24)]
    assert annual_percentage_rate(500000, date(1978, 1, 10), payments) == Decimal("9.685708")


def test_zero_percent_loan_has_apr_exactly_zero() -> None:
    payments = [(add_months(date(2024, 2, 15), k), 13889) for k in range(35)] + [(date(2027, 1, 15), 13885)]
    assert annual_percentage_rate(500000, UNDATED_ADVANCE_ON, payments) == 0


@pytest.mark.parametrize(
    ("advance_on", "first_on", "unit_period", "expected"),
    [
        (date(1978, 2, 10), date(1978, 4, 1), "month", 1 + 19 / 30),  # (c)(1)(ii): 1 month, 19 odd days
        (date(1978, 2, 23), date(1978, 3, 1), "semimonth", 6 / 15),  # (c)(1)(iii)
        (date(1978, 4, 3), date(1978, 4, 11), "2 weeks", 8 / 14),  # (c)(3)(ii)
        (date(1978, 1, 10), date(1978, 3, 1), "2 months", 52 / 60),  # (c)(4)(ii): 30 + 22 days
        (date(2023, 12, 31), date(2024, 2, 29), "month", 2.0),  # clamped month end counts back to the 31st
        (date(2024, 1, 1), date(2024, 7, 1), "year", 6 / 12),  # (b)(5)(v)(A): whole months over 12
        (date(2024, 1, 1), date(2025, 7, 1), "year", 1 + 6 / 12),  # (c)(5)(iii): 18 months
        (date(2024, 1, 1), date(2025, 7, 15), "year", 1 + 196 / 365),  # (b)(5)(v)(B): not whole months: days
        (date(2024, 1, 10), date(2024, 3, 1), "year", 51 / 365),
    ],
)
def test_periods_between_counts_back_whole_unit_periods(
    advance_on: date, first_on: date, unit_period: str, expected: float
) -> None:
    schedule_day = 31 if unit_period == "month" and first_on.day == 29 else first_on.day
    assert periods_between(advance_on, first_on, parse_unit_period(unit_period), schedule_day) == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("dates", "label"),
    [
        ([date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)], "month"),
        ([date(2024, 1, 1), date(2024, 1, 15), date(2024, 1, 29)], "2 weeks"),
        ([date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)], "week"),
        ([date(2024, 1, 1), date(2024, 1, 29), date(2024, 2, 26)], "4 weeks"),
        ([date(2024, 1, 15), date(2024, 1, 31), date(2024, 2, 15), date(2024, 2, 29)], "semimonth"),
        ([date(2024, 1, 10), date(2024, 4, 10), date(2024, 7, 10)], "3 months"),
        ([date(2024, 1, 10), date(2025, 1, 10)], "year"),
        ([date(2024, 1, 10), date(2024, 1, 20), date(2024, 1, 30)], "10 days"),
    ],
)
def test_unit_period_is_inferred_from_the_payment_dates(dates: list[date], label: str) -> None:
    assert infer_unit_period(dates[0] - timedelta(days=3), dates).label == label


@pytest.mark.parametrize(
    ("advance_on", "payment", "expected"),
    [
        (date(2024, 1, 15), (date(2024, 2, 15), 101000), Decimal("12.00")),  # one month at 1 %
        (date(2024, 1, 1), (date(2025, 1, 1), 110000), Decimal("10.00")),  # one year at 10 %
        (date(2024, 1, 1), (date(2026, 1, 1), 121000), Decimal("10.00")),  # two years: year unit, compounded
        (date(2024, 1, 1), (date(2024, 1, 31), 101000), Decimal("12.17")),  # 30 days: 365/30 periods a year
    ],
)
def test_single_payment_uses_the_term_as_unit_period(
    advance_on: date, payment: tuple[date, int], expected: Decimal
) -> None:
    apr = annual_percentage_rate(100000, advance_on, [payment])
    assert apr.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") == expected


@given(
    st.integers(50_000, 5_000_000),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.36"), places=4),
    st.sampled_from([3, 6, 12, 24, 36]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 1, 1)),
)
@settings(max_examples=200, deadline=None)
def test_apr_of_a_regular_level_schedule_is_its_note_rate(
    principal: int, rate: Decimal, months: int, start: date
) -> None:
    schedule = level_payment_schedule(principal, rate, months, start)
    apr = annual_percentage_rate(principal, start, [(row.due_on, row.total_cents) for row in schedule])
    # cent rounding of the installments moves the true APR a little on small, short loans
    assert abs(apr - rate * 100) < Decimal("0.05")


@pytest.mark.parametrize(
    ("amount", "advance_on", "payments", "field"),
    [
        (-1, date(2024, 1, 1), [(date(2024, 2, 1), 100)], "amount_financed_cents"),
        (100, date(2024, 1, 1), [], "payments"),
        (100, date(2024, 1, 1), [(date(2023, 12, 1), 110)], "payments"),
        (100, date(2024, 1, 1), [(date(2024, 2, 1), -110)], "payments"),
    ],
)
def test_bad_input_names_the_field(amount: int, advance_on: date, payments: list[tuple[date, int]], field: str) -> None:
    with pytest.raises(CreditInputError, match=f"^{field}: "):
        annual_percentage_rate(amount, advance_on, payments)


@pytest.mark.parametrize("text", ["fortnight", "0 months", "13 months", "2 years"])
def test_unknown_unit_period_is_refused(text: str) -> None:
    with pytest.raises(CreditInputError, match="^unit_period: "):
        parse_unit_period(text)


def test_vectors_copy_matches_the_shared_file_when_present() -> None:
    # shared/ sits beside the repository in CI; /work/shared on the team's machines.
    candidates = [Path(__file__).resolve().parents[2].parent / "shared", Path("/work/shared")]
    shared = next((c / "vectors" / VECTORS for c in candidates if (c / "vectors" / VECTORS).exists()), None)
    local = Path(__file__).resolve().parent / "vectors" / VECTORS
    if shared is None:
        pytest.skip("no shared/ checkout next to the repo")
    assert json.loads(local.read_text()) == json.loads(shared.read_text())


@given(
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("60"), places=3),
    st.integers(2, 48),
    st.sampled_from(["month", "semimonth", "2 weeks", "week", "3 months"]),
    st.integers(0, 40),
    st.lists(st.integers(1_000_000, 100_000_000), min_size=1, max_size=3),
)
@settings(max_examples=200, deadline=None)
def test_solver_recovers_the_rate_a_payment_stream_was_priced_at(
    apr_percent: Decimal, count: int, unit: str, odd_days: int, amounts: list[int]
) -> None:
    period = parse_unit_period(unit)
    advance_on = date(2024, 1, 1)
    first_on = unit_period_dates(advance_on, 2, unit)[1] + timedelta(days=odd_days % 15)
    dates = unit_period_dates(first_on, count, unit)
    payments = [(due_on, amounts[index % len(amounts)]) for index, due_on in enumerate(dates)]
    unit_rate = float(apr_percent) / 100 / period.per_year
    present_value = 0.0
    for due_on, amount in payments:
        time = periods_between(advance_on, due_on, period, max(day.day for day in dates))
        whole = int(time + 1e-12)
        present_value += amount / ((1 + (time - whole) * unit_rate) * (1 + unit_rate) ** whole)
    apr = annual_percentage_rate(round(present_value), advance_on, payments, unit)
    assert abs(apr - apr_percent) < Decimal("0.001")
