"""Servicing math: accrual, payoff, allocation waterfall, refunds, deferral.

Worked examples are hand-computed from the rules in ``credit/servicing.py``
and ``credit/allocation.py`` (simple daily interest, half-up rounding once,
waterfall past-due fees -> interest -> principal -> current -> future).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.allocation import (
    WATERFALL,
    Allocation,
    Buckets,
    OpenInstallment,
    allocate_payment,
    buckets_as_of,
)
from credit.errors import CreditInputError
from credit.schedule import Installment, level_payment_schedule, pay_in_4_schedule, promo_schedule
from credit.servicing import (
    LoanPosition,
    accrued_interest_cents,
    defer_installment,
    payoff_quote,
    position_from_schedule,
    reamortize,
    waivable_fee_cents,
)

START = date(2024, 1, 15)
RATE = Decimal("0.12")


# ---------------------------------------------------------------- accrual


@pytest.mark.parametrize(
    ("principal", "rate", "from_on", "to_on", "day_count", "expected"),
    [
        (100000, Decimal("0.10"), date(2024, 1, 1), date(2024, 2, 1), "actual/365", 849),  # 1000 * .1 * 31/365 = 8.493
        (365000, Decimal("0.10"), date(2024, 3, 1), date(2024, 3, 2), "actual/365", 100),  # one day
        (100000, Decimal("0.12"), date(2024, 1, 31), date(2024, 2, 29), "30/360", 1000),  # a whole 30/360 month
        (100000, Decimal("0.12"), date(2024, 1, 15), date(2024, 2, 29), "30/360", 1467),  # 30 + 14 days = 14.666
        (100000, Decimal("0.12"), date(2024, 2, 1), date(2024, 2, 1), "actual/365", 0),
        (100000, Decimal("0.12"), date(2024, 2, 5), date(2024, 2, 1), "actual/365", 0),
    ],
)
def test_daily_accrual(
    principal: int, rate: Decimal, from_on: date, to_on: date, day_count: str, expected: int
) -> None:
    assert accrued_interest_cents(principal, rate, from_on, to_on, day_count) == expected


# ---------------------------------------------------------------- payoff


def test_payoff_before_the_first_due_date_charges_interest_to_the_payoff_date_only() -> None:
    schedule = level_payment_schedule(365000, Decimal("0.10"), 12, START, day_count="actual/365")
    position = position_from_schedule(schedule, START, paid_count=0, as_of=date(2024, 1, 25))
    quote = payoff_quote(position, date(2024, 1, 25), Decimal("0.10"), "actual/365")
    assert (quote.principal_cents, quote.interest_cents, quote.fees_cents, quote.total_cents) == (
        365000,
        1000,
        0,
        366000,
    )


def test_payoff_with_a_missed_installment_includes_its_interest_and_fees() -> None:
    schedule = level_payment_schedule(120000, RATE, 6, START)
    as_of = date(2024, 3, 25)  # installment 1 paid, installment 2 (due Mar 15) missed
    position = position_from_schedule(schedule, START, paid_count=1, as_of=as_of, unpaid_fees_cents=1500)
    assert position == LoanPosition(schedule[0].balance_cents, date(2024, 3, 15), schedule[1].interest_cents, 1500)
    quote = payoff_quote(position, as_of, RATE, "30/360")
    accrued = accrued_interest_cents(schedule[0].balance_cents, RATE, date(2024, 3, 15), as_of, "30/360")
    assert accrued == 335  # 1004.94 * 12% * 10/360 = 3.3498
    assert quote.total_cents == schedule[0].balance_cents + schedule[1].interest_cents + accrued + 1500


@given(
    st.integers(10_000, 2_000_000),
    st.decimals(min_value=0, max_value=Decimal("0.36"), places=4),
    st.sampled_from([3, 6, 12, 24, 36]),
    st.data(),
)
@settings(max_examples=150, deadline=None)
def test_payoff_on_a_due_date_equals_balance_plus_that_installments_interest(
    principal: int, rate: Decimal, months: int, data: st.DataObject
) -> None:
    schedule = level_payment_schedule(principal, rate, months, START)
    paid = data.draw(st.integers(0, months - 1))
    due = schedule[paid]
    position = position_from_schedule(schedule, START, paid, as_of=due.due_on - timedelta(days=1))
    quote = payoff_quote(position, due.due_on, rate, "30/360")
    opening = principal if paid == 0 else schedule[paid - 1].balance_cents
    assert quote.total_cents == opening + due.interest_cents  # no penalty, nothing beyond the schedule
    assert quote.total_cents <= sum(row.total_cents for row in schedule[paid:])


# ---------------------------------------------------------------- allocation

OWED = Buckets(
    past_due_fees_cents=500,
    past_due_interest_cents=300,
    past_due_principal_cents=2000,
    current_fees_cents=0,
    current_interest_cents=250,
    current_principal_cents=1750,
    future_principal_cents=10000,
)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (400, Allocation(past_due_fees_cents=400)),
        (900, Allocation(500, 300, 100)),
        (2800, Allocation(500, 300, 2000)),
        (3000, Allocation(500, 300, 2000, 0, 200)),
        (4800, Allocation(500, 300, 2000, 0, 250, 1750)),
        (6800, Allocation(500, 300, 2000, 0, 250, 1750, 2000)),
        (20000, Allocation(500, 300, 2000, 0, 250, 1750, 10000, unapplied_cents=5200)),
        (0, Allocation()),
    ],
)
def test_waterfall_table(amount: int, expected: Allocation) -> None:
    assert allocate_payment(amount, OWED) == expected


def test_allocation_pairs_and_remaining() -> None:
    allocation = allocate_payment(900, OWED)
    assert allocation.as_pairs() == [
        ("past_due_fees_cents", 500),
        ("past_due_interest_cents", 300),
        ("past_due_principal_cents", 100),
    ]
    assert allocation.remaining(OWED).past_due_principal_cents == 1900
    assert allocation.remaining(OWED).total_cents == OWED.total_cents - 900


amounts = st.integers(0, 100_000)


@given(amounts, st.builds(Buckets, amounts, amounts, amounts, amounts, amounts, amounts, amounts))
@settings(max_examples=200)
def test_waterfall_splits_exactly_and_fills_buckets_in_order(amount: int, owed: Buckets) -> None:
    allocation = allocate_payment(amount, owed)
    assert allocation.applied_cents + allocation.unapplied_cents == amount
    filled = [getattr(allocation, name) for name in WATERFALL]
    limits = [getattr(owed, name) for name in WATERFALL]
    assert all(0 <= got <= limit for got, limit in zip(filled, limits, strict=True))
    for index, got in enumerate(filled):
        if got:
            assert filled[:index] == limits[:index]
    assert allocation.unapplied_cents == max(amount - owed.total_cents, 0)


def test_allocation_rejects_negative_amounts() -> None:
    with pytest.raises(CreditInputError, match="^amount_cents: "):
        allocate_payment(-1, OWED)


def test_buckets_as_of_sorts_installments_by_due_date() -> None:
    rows = [
        OpenInstallment(1, date(2024, 2, 15), 1000, 100, 500),
        OpenInstallment(2, date(2024, 3, 15), 1010, 90),
        OpenInstallment(3, date(2024, 4, 15), 1020, 80),
        OpenInstallment(4, date(2024, 5, 15), 1030, 70),
    ]
    assert buckets_as_of(rows, date(2024, 3, 1)) == Buckets(500, 100, 1000, 0, 90, 1010, 2050)
    assert buckets_as_of(rows, date(2024, 3, 15)).current_principal_cents == 1010


# ---------------------------------------------------------------- refunds


def test_refund_reduces_installments_from_the_last_backwards() -> None:
    schedule = promo_schedule(100000, 4, START)  # 4 x 250.00
    result = reamortize(schedule, 30000, "last_first")
    assert [row.total_cents for row in result.installments] == [25000, 25000, 20000, 0]
    assert [row.balance_cents for row in result.installments] == [45000, 20000, 0, 0]
    assert (result.applied_cents, result.refund_due_cents) == (30000, 0)


def test_refund_spread_evenly_over_the_remaining_installments() -> None:
    schedule = promo_schedule(100000, 4, START)
    result = reamortize(schedule[1:], 10001, "even")  # installment 1 already paid
    assert [row.total_cents for row in result.installments] == [21667, 21666, 21666]  # odd cent cut from the latest
    assert [row.number for row in result.installments] == [2, 3, 4]
    assert result.installments[-1].balance_cents == 0


def test_refund_above_the_balance_is_refunded_to_the_shopper() -> None:
    schedule = pay_in_4_schedule(10000, START)
    result = reamortize(schedule[2:], 8000, "last_first")  # 2 payments of 25.00 left
    assert (result.applied_cents, result.refund_due_cents) == (5000, 3000)
    assert all(row.total_cents == 0 for row in result.installments)


def test_refund_on_an_interest_bearing_loan_recomputes_interest_on_the_new_balance() -> None:
    schedule = level_payment_schedule(120000, RATE, 12, START)
    result = reamortize(schedule, 60000, "last_first", annual_rate=RATE, day_count="30/360", period_start_on=START)
    assert result.installments[0].interest_cents == 600  # 600.00 * 1%
    assert sum(row.principal_cents for row in result.installments) == 60000
    assert result.installments[-1].balance_cents == 0
    kept = reamortize(schedule, 60000, "last_first")
    assert [row.interest_cents for row in kept.installments] == [row.interest_cents for row in schedule]


@given(
    st.integers(1000, 1_000_000),
    st.sampled_from([3, 6, 12]),
    st.integers(0, 1_200_000),
    st.sampled_from(["last_first", "even"]),
    st.integers(0, 2),
)
@settings(max_examples=200, deadline=None)
def test_reamortization_keeps_the_books_exact(
    principal: int, months: int, reduction: int, strategy: str, paid: int
) -> None:
    remaining = promo_schedule(principal, months, START)[paid:]
    owed = sum(row.principal_cents for row in remaining)
    result = reamortize(remaining, reduction, strategy)
    rows = result.installments
    assert result.applied_cents + result.refund_due_cents == reduction
    assert sum(row.principal_cents for row in rows) == owed - result.applied_cents
    assert all(new.principal_cents <= old.principal_cents for new, old in zip(rows, remaining, strict=True))
    assert all(row.principal_cents >= 0 and row.total_cents >= 0 for row in rows)
    assert rows[-1].balance_cents == 0
    balances = [row.balance_cents for row in rows]
    assert balances == sorted(balances, reverse=True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reduction_cents": -1}, "reduction_cents"),
        ({"strategy": "first_first"}, "strategy"),
        ({"annual_rate": RATE}, "period_start_on"),
    ],
)
def test_reamortize_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"reduction_cents": 100, **kwargs}
    with pytest.raises(CreditInputError, match=f"^{field}: "):
        reamortize(promo_schedule(30000, 3, START), **arguments)  # type: ignore[arg-type]


# ---------------------------------------------------------------- deferral


def test_deferral_shifts_the_installment_and_later_ones_by_a_month_with_clamping() -> None:
    schedule = promo_schedule(60000, 6, date(2023, 12, 31))
    moved = defer_installment(schedule, 2)
    assert [row.due_on for row in moved] == [
        date(2024, 1, 31),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
        date(2024, 7, 31),
    ]
    assert [row.total_cents for row in moved] == [row.total_cents for row in schedule]


def test_deferral_of_a_pay_in_4_payment_moves_it_two_weeks() -> None:
    schedule = pay_in_4_schedule(10000, START)
    moved = defer_installment(schedule, 3)
    assert [row.due_on for row in moved] == [START, START + timedelta(14), START + timedelta(42), START + timedelta(56)]


def test_deferral_of_the_last_remaining_installment_needs_the_unit_period() -> None:
    last = promo_schedule(30000, 3, START)[-1:]
    with pytest.raises(CreditInputError, match="^unit_period: "):
        defer_installment(last, 3)
    assert defer_installment(last, 3, "month")[0].due_on == date(2024, 5, 15)


def test_deferral_of_an_unknown_installment_names_the_field() -> None:
    with pytest.raises(CreditInputError, match="^number: "):
        defer_installment(promo_schedule(30000, 3, START), 9)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 1, 1)), st.integers(3, 36), st.data())
@settings(max_examples=150, deadline=None)
def test_deferral_moves_dates_one_month_and_keeps_the_day_of_month(
    start: date, months: int, data: st.DataObject
) -> None:
    schedule = promo_schedule(1_000_000, months, start)
    number = data.draw(st.integers(1, months))
    moved = defer_installment(schedule, number)
    assert [row.due_on for row in moved[: number - 1]] == [row.due_on for row in schedule[: number - 1]]
    later = [row.due_on for row in moved[number - 1 :]]
    expected = [row.due_on for row in schedule[number:]]
    assert later[:-1] == expected
    assert all(isinstance(row, Installment) for row in moved)


@pytest.mark.parametrize(("fee", "paid", "waived"), [(1500, 0, 1500), (1500, 500, 1000), (1500, 1500, 0), (0, 0, 0)])
def test_a_fee_waiver_forgives_the_unpaid_part_of_the_fee(fee, paid, waived):
    assert waivable_fee_cents(fee, paid) == waived


def test_a_fee_waiver_refuses_a_fee_paid_beyond_itself():
    with pytest.raises(CreditInputError):
        waivable_fee_cents(1000, 1500)
