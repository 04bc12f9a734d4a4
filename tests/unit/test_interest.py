"""Daily simple interest servicing: accrual, payments, payoff, the schedule after a payment.

Worked examples are hand-computed from the rules in ``credit/interest.py``
(interest on principal only, actual/365, rounded once half up on the
cumulative cent-days; fees, then interest, then principal).  The reviewer's
case: a $1,299 loan, the next installment paid at once, then $123.45, then
the payoff, all on the day of booking, took $20.76 of scheduled interest in
the old shop code; here no day has passed, so no interest is charged.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from credit.allocation import InstallmentPayment
from credit.errors import CreditInputError
from credit.interest import (
    DueInstallment,
    LoanState,
    PaymentAllocation,
    accrue,
    accrued_interest,
    amount_due_cents,
    apply_payment,
    assess_fee,
    open_loan,
    payoff_quote,
    remaining_schedule,
    simple_interest_cents,
)
from credit.schedule import level_payment_schedule, pay_in_4_schedule, promo_schedule

START = date(2026, 3, 2)
RATE = Decimal("0.1999")


def booked(principal: int = 129900, rate: Decimal = RATE, months: int = 12, start: date = START) -> LoanState:
    return open_loan(level_payment_schedule(principal, rate, months, start), rate, start)


def pay(state: LoanState, amount: int, on: date) -> tuple[PaymentAllocation, LoanState]:
    return apply_payment(state, amount, on)


# ---------------------------------------------------------------- accrual


@pytest.mark.parametrize(
    ("principal", "rate", "days", "expected"),
    [
        (365000, Decimal("0.10"), 1, 100),  # 3,650.00 x 10 % / 365 = 1.00 a day
        (100000, Decimal("0.10"), 31, 849),  # 8.493
        (129900, RATE, 31, 2205),  # 22.054: the reviewer's loan, first month
        (129900, RATE, 0, 0),
        (129900, Decimal(0), 400, 0),  # 0 % accrues nothing
    ],
)
def test_interest_is_daily_simple_interest_on_the_principal(
    principal: int, rate: Decimal, days: int, expected: int
) -> None:
    state = LoanState(principal, rate, START)
    assert accrued_interest(state, START + timedelta(days=days)) == expected
    assert simple_interest_cents(principal * days, rate) == expected


def test_a_leap_year_still_has_365_interest_days() -> None:
    state = LoanState(365000, Decimal("0.10"), date(2024, 1, 1))
    assert accrued_interest(state, date(2025, 1, 1)) == 36600  # 366 days at 1.00


def test_rounding_does_not_pile_up_over_many_accruals() -> None:
    state = LoanState(1000, Decimal("0.05"), START)  # 10.00 at 5 %: 0.137 cents a day
    by_day = state
    for day in range(1, 366):
        by_day = accrue(by_day, START + timedelta(days=day))
    assert by_day.unpaid_interest_cents == accrued_interest(state, START + timedelta(days=365)) == 50
    assert by_day.balance_days == 1000 * 365


def test_interest_cannot_be_accrued_backwards() -> None:
    with pytest.raises(CreditInputError, match="^on: "):
        accrued_interest(LoanState(1000, RATE, START), START - timedelta(days=1))


# ---------------------------------------------------------------- the reviewer's scenario


def test_paying_on_the_day_of_booking_charges_no_interest() -> None:
    """Next installment, then $123.45 minutes later, then the payoff, all on the booking day."""
    state = booked()
    first, state = pay(state, amount_due_cents(state, START), START)
    odd, state = pay(state, 12345, START)
    quote = payoff_quote(state, START)
    last, state = pay(state, quote.total_cents, START)
    assert [a.interest_cents for a in (first, odd, last)] == [0, 0, 0]
    assert quote.interest_cents == 0
    assert first.total_cents + odd.total_cents + last.total_cents == 129900  # the principal, nothing more
    assert state.is_closed and state.installments == ()


def test_the_same_payments_ten_days_later_charge_ten_days_of_interest_once() -> None:
    on = START + timedelta(days=10)
    state = booked()
    first, state = pay(state, amount_due_cents(state, on), on)
    odd, state = pay(state, 12345, on)
    last, state = pay(state, payoff_quote(state, on).total_cents, on)
    assert first.interest_cents == 711  # 1,299.00 x 19.99 % x 10 / 365 = 7.114
    assert (odd.interest_cents, last.interest_cents) == (0, 0)
    assert first.total_cents + odd.total_cents + last.total_cents == 129900 + 711


def test_an_early_installment_a_partial_payment_and_the_payoff_agree_on_the_same_day() -> None:
    on = START + timedelta(days=17)
    state = booked()
    quote = payoff_quote(state, on).total_cents
    by_installment, _ = pay(state, amount_due_cents(state, on), on)
    by_partial, _ = pay(state, 12345, on)
    by_payoff, _ = pay(state, quote, on)
    interest = accrued_interest(state, on)
    assert by_installment.interest_cents == by_partial.interest_cents == by_payoff.interest_cents == interest == 1209


# ---------------------------------------------------------------- properties

loans = st.builds(
    booked,
    st.integers(10_000, 1_500_000),
    st.decimals(min_value=0, max_value=Decimal("0.36"), places=4),
    st.sampled_from([3, 6, 12, 24, 36]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[LoanState, date]:
    """A booked loan after a few payments of any size (each below the payoff), and a later day."""
    state = draw(loans)
    on = state.accrued_through_on
    for _ in range(draw(st.integers(0, 4))):
        on += timedelta(days=draw(st.integers(0, 60)))
        payoff = payoff_quote(state, on).total_cents
        if payoff < 2:
            break
        _, state = pay(state, draw(st.integers(1, payoff - 1)), on)
    return state, on + timedelta(days=draw(st.integers(0, 90)))


@given(histories(), st.data())
@settings(max_examples=300, deadline=None)
def test_paying_x_and_then_the_payoff_on_the_same_day_costs_exactly_the_payoff_quote(
    history: tuple[LoanState, date], data: st.DataObject
) -> None:
    state, on = history
    quote = payoff_quote(state, on).total_cents
    assume(quote >= 2)
    amount = data.draw(st.integers(1, quote - 1))
    allocation, after = pay(state, amount, on)
    assert payoff_quote(after, on).total_cents == quote - amount
    closing, closed = pay(after, quote - amount, on)
    assert closed.is_closed and closing.total_cents + allocation.total_cents == quote


@given(histories(), st.data())
@settings(max_examples=300, deadline=None)
def test_a_payment_splits_into_fees_interest_and_principal_that_sum_to_it(
    history: tuple[LoanState, date], data: st.DataObject
) -> None:
    state, on = history
    state = assess_fee(state, data.draw(st.integers(0, 3000)))
    quote = payoff_quote(state, on)
    amount = data.draw(st.integers(1, quote.total_cents))
    allocation, after = pay(state, amount, on)
    assert allocation.total_cents == amount
    assert allocation.fees_cents == min(amount, quote.fees_cents)  # fees first
    assert allocation.interest_cents == min(amount - allocation.fees_cents, quote.interest_cents)  # then interest
    assert after.principal_cents == state.principal_cents - allocation.principal_cents
    assert 0 <= allocation.paid_ahead_cents <= amount - allocation.fees_cents
    assert all(part.total_cents > 0 and part.fee_cents == 0 for part in allocation.installments)
    if not after.is_closed:
        schedule = remaining_schedule(after)
        assert sum(row.principal_cents for row in schedule) == after.principal_cents
        assert schedule[-1].balance_cents == 0
        assert [(row.number, row.due_on, row.total_cents) for row in schedule] == [
            (row.number, row.due_on, row.amount_cents) for row in after.installments
        ]


@given(
    loans,
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60), st.integers(1, 10**6)), min_size=1, max_size=5),
    st.integers(0, 200),
)
@settings(max_examples=300, deadline=None)
def test_paying_earlier_never_costs_more_interest(
    state: LoanState, payments: list[tuple[int, int, int]], extra_days: int
) -> None:
    """The same payments, each made no later, cost no more interest up to the same payoff day."""
    scale = state.principal_cents / sum(amount for _, _, amount in payments)  # all of them stay below the payoff
    amounts = [max(int(amount * scale) - 1, 1) for _, _, amount in payments]
    late_days = sorted(day for day, _, _ in payments)
    early_days = sorted(max(day - earlier, 0) for day, (_, earlier, _) in zip(late_days, payments, strict=True))
    payoff_on = state.accrued_through_on + timedelta(days=late_days[-1] + extra_days)

    def total_interest(days: list[int]) -> int:
        current, interest = state, 0
        for day, amount in zip(days, amounts, strict=True):
            allocation, current = pay(current, amount, state.accrued_through_on + timedelta(days=day))
            interest += allocation.interest_cents
        return interest + payoff_quote(current, payoff_on).interest_cents

    assert total_interest(early_days) <= total_interest(late_days)


@given(loans, st.integers(0, 20))
@settings(max_examples=150, deadline=None)
def test_paying_what_is_due_on_each_due_date_closes_the_loan_on_the_last_one(state: LoanState, late: int) -> None:
    count = len(state.installments)
    for number in range(count):
        on = state.installments[0].due_on + timedelta(days=late if number == 1 else 0)
        _, state = pay(state, amount_due_cents(state, on), on)
        assert state.is_closed == (number == count - 1)


@given(loans)
@settings(max_examples=100, deadline=None)
def test_the_remaining_schedule_of_a_new_loan_keeps_its_level_payment(state: LoanState) -> None:
    schedule = remaining_schedule(state)
    assert [row.total_cents for row in schedule[:-1]] == [row.amount_cents for row in state.installments[:-1]]
    assert sum(row.principal_cents for row in schedule) == state.principal_cents


# ---------------------------------------------------------------- installments after a payment


def test_a_prepayment_keeps_the_next_installments_and_shortens_the_loan_from_the_end() -> None:
    state = booked()
    level = state.installments[0].amount_cents
    allocation, after = pay(state, level + 30000, START + timedelta(days=31))  # installment 1 plus 300.00
    assert allocation.installments == (InstallmentPayment(1, 0, 2205, level - 2205),)
    assert allocation.paid_ahead_cents == 30000
    amounts = [row.amount_cents for row in after.installments]
    assert amounts[:-1] == [level] * (len(amounts) - 1)  # the level payment continues
    assert len(amounts) == 9 and amounts[-1] < level  # 11 left before: two dropped off, the last is smaller
    assert [row.number for row in after.installments] == list(range(2, 11))


def test_a_partial_payment_lowers_what_is_still_due_on_that_installment() -> None:
    state = booked()
    _, after = pay(state, 5000, START + timedelta(days=5))
    assert after.installments[0] == DueInstallment(1, date(2026, 4, 2), state.installments[0].amount_cents - 5000)
    assert amount_due_cents(after, START + timedelta(days=5)) == state.installments[0].amount_cents - 5000


def test_a_late_short_payment_leaves_interest_that_the_final_installment_absorbs() -> None:
    state = booked(months=3)
    on = state.installments[0].due_on + timedelta(days=20)
    owed_interest = accrued_interest(state, on)
    allocation, after = pay(state, 1000, on)  # less than the interest due
    assert (allocation.interest_cents, allocation.principal_cents) == (1000, 0)
    assert after.unpaid_interest_cents == owed_interest - 1000
    schedule = remaining_schedule(after)
    assert schedule[0].interest_cents == owed_interest - 1000  # paid first from the next installment
    assert schedule[-1].total_cents > state.installments[-1].amount_cents  # the final one absorbs


def test_fees_are_paid_before_interest_and_principal() -> None:
    state = assess_fee(booked(), 2900)
    on = START + timedelta(days=40)
    allocation, after = pay(state, 4000, on)
    assert (allocation.fees_cents, allocation.interest_cents, allocation.principal_cents) == (2900, 1100, 0)
    assert after.unpaid_fees_cents == 0 and after.unpaid_interest_cents == accrued_interest(state, on) - 1100
    assert amount_due_cents(state, on) == 2900 + state.installments[0].amount_cents  # the late one, not the next


@pytest.mark.parametrize(
    "schedule",
    [pay_in_4_schedule(10003, START), promo_schedule(100000, 6, START)],
    ids=["pay_in_4", "promo"],
)
def test_zero_percent_loans_accrue_nothing(schedule: list) -> None:
    state = open_loan(schedule, Decimal(0), START)
    later = START + timedelta(days=400)
    assert accrued_interest(state, later) == 0
    assert payoff_quote(state, later).total_cents == state.principal_cents
    allocation, after = pay(state, 2000, later)
    assert (allocation.interest_cents, allocation.principal_cents) == (0, 2000)


# ---------------------------------------------------------------- refusals


def test_more_than_the_payoff_is_refused_and_exactly_the_payoff_closes() -> None:
    state = booked()
    on = START + timedelta(days=3)
    quote = payoff_quote(state, on).total_cents
    with pytest.raises(CreditInputError, match="^amount_cents: .* more than the payoff"):
        pay(state, quote + 1, on)
    allocation, closed = pay(state, quote, on)
    assert closed.is_closed and closed.installments == ()
    assert sum(part.total_cents for part in allocation.installments) == quote
    with pytest.raises(CreditInputError, match="^state: the loan is closed"):
        pay(closed, 1, on)


def test_a_payment_dated_before_the_last_one_is_refused() -> None:
    _, state = pay(booked(), 5000, START + timedelta(days=9))
    with pytest.raises(CreditInputError, match="^on: "):
        pay(state, 5000, START + timedelta(days=8))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"principal_cents": -1}, "principal_cents"),
        ({"annual_rate": 0.2}, "annual_rate"),
        ({"installments": (DueInstallment(1, START, -5),)}, "installments"),
        ({"unpaid_fees_cents": Decimal(1)}, "unpaid_fees_cents"),
    ],
)
def test_a_bad_loan_state_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(CreditInputError, match=f"^{field}: "):
        replace(booked(), **changes)  # type: ignore[arg-type]
