"""Servicing math: refunds on a loan state, legacy accrual and reamortization, deferral.

Worked examples are hand-computed from the rules in ``credit/servicing.py``
and ``credit/interest.py`` (daily simple interest actual/365, half-up
rounding once, a refund cuts principal from the last installment back).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.errors import CreditInputError
from credit.interest import LoanState, accrued_interest, apply_payment, open_loan, payoff_quote, remaining_schedule
from credit.schedule import Installment, level_payment_schedule, pay_in_4_schedule, promo_schedule
from credit.servicing import accrued_interest_cents, apply_refund, defer_installment, reamortize, waivable_fee_cents

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


# ---------------------------------------------------------------- refunds


def loan(principal: int = 129900, rate: Decimal = Decimal("0.1999"), months: int = 12) -> LoanState:
    return open_loan(level_payment_schedule(principal, rate, months, START), rate, START)


def test_a_partial_refund_lowers_principal_and_ends_the_loan_sooner() -> None:
    state = loan()
    on = START + timedelta(days=10)
    after, overpaid = apply_refund(state, 50000, on=on)
    assert overpaid == 0
    assert after.principal_cents == 79900
    assert after.unpaid_interest_cents == accrued_interest(state, on) == 711  # earned on 1,299.00 before the refund
    level = state.installments[0].amount_cents
    assert [row.amount_cents for row in after.installments[:-1]] == [level] * (len(after.installments) - 1)
    assert (len(after.installments), after.installments[-1].amount_cents) == (8, 1452)  # 12 -> 8: from the end
    assert sum(row.principal_cents for row in remaining_schedule(after)) == 79900


def test_an_even_refund_lowers_every_remaining_installment() -> None:
    state = loan(months=6)
    after, overpaid = apply_refund(state, 30000, "even", on=START)
    level = state.installments[0].amount_cents
    assert overpaid == 0 and len(after.installments) == 6
    assert [row.amount_cents for row in after.installments[:-1]] == [level - 5000] * 5
    assert sum(row.principal_cents for row in remaining_schedule(after)) == 99900


def test_a_full_refund_closes_the_loan_and_returns_the_principal_already_paid() -> None:
    state = loan()
    paid, state = apply_payment(state, state.installments[0].amount_cents, START + timedelta(days=31))
    assert (paid.interest_cents, paid.principal_cents) == (2205, 9828)
    after, overpaid = apply_refund(state, 129900, on=START + timedelta(days=40))  # the whole price comes back
    assert overpaid == 9828  # what the shopper paid beyond the new balance of 0; interest earned stays earned
    assert after.is_closed and after.installments == ()


def test_a_full_refund_on_the_day_of_booking_returns_nothing_and_closes() -> None:
    after, overpaid = apply_refund(loan(), 129900, on=START)
    assert (overpaid, after.is_closed) == (0, True)


@given(
    st.integers(10_000, 1_000_000),
    st.sampled_from([3, 6, 12, 24]),
    st.integers(0, 200),
    st.integers(0, 50_000),
    st.integers(0, 1_200_000),
    st.sampled_from(["last_first", "even"]),
)
@settings(max_examples=200, deadline=None)
def test_a_refund_keeps_the_books_exact(
    principal: int, months: int, days: int, paid: int, refund: int, strategy: str
) -> None:
    state = loan(principal, Decimal("0.2499"), months)
    on = START + timedelta(days=days)
    if paid:
        _, state = apply_payment(state, min(paid, payoff_quote(state, on).total_cents - 1) or 1, on)
    before = state.principal_cents
    after, overpaid = apply_refund(state, refund, strategy, on=on)
    assert overpaid == max(refund - before, 0)
    assert after.principal_cents == max(before - refund, 0)
    assert after.is_closed == (refund >= before)
    if not after.is_closed:
        schedule = remaining_schedule(after)
        assert sum(row.principal_cents for row in schedule) == after.principal_cents
        assert len(after.installments) <= len(state.installments)
        kept = {row.number: row.amount_cents for row in state.installments}
        assert all(row.amount_cents <= kept[row.number] for row in after.installments[:-1])


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"refund_cents": -1}, "refund_cents"), ({"strategy": "first_first"}, "strategy")],
)
def test_apply_refund_bad_input_names_the_field(arguments: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"refund_cents": 100, "strategy": "last_first", **arguments}
    with pytest.raises(CreditInputError, match=f"^{field}: "):
        apply_refund(loan(), values["refund_cents"], values["strategy"], on=START)  # type: ignore[arg-type]


def test_a_closed_loan_takes_no_refund() -> None:
    closed, _ = apply_refund(loan(), 129900, on=START)
    with pytest.raises(CreditInputError, match="^state: "):
        apply_refund(closed, 1, on=START)


# ---------------------------------------------------------------- legacy installment-row refunds


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
