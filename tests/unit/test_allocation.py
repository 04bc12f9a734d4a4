"""Payment allocation: the waterfall over buckets, and where each bucket lands on installments.

Worked examples are hand-computed from ``credit/allocation.py``: past-due
fees -> interest -> principal, then current, then future principal (which
comes off the last installment first).
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.allocation import (
    WATERFALL,
    Allocation,
    Buckets,
    InstallmentPayment,
    OpenInstallment,
    allocate_payment,
    allocate_to_installments,
    buckets_as_of,
)
from credit.errors import CreditInputError

# ---------------------------------------------------------------- waterfall

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


# ---------------------------------------------------------------- onto installments

ROWS = [
    OpenInstallment(1, date(2024, 2, 15), 1000, 100, 500),
    OpenInstallment(2, date(2024, 3, 15), 1010, 90),
    OpenInstallment(3, date(2024, 4, 15), 1020, 80),
    OpenInstallment(4, date(2024, 5, 15), 1030, 70),
]
AS_OF = date(2024, 3, 1)  # installment 1 past due, 2 current, 3 and 4 future


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (300, [InstallmentPayment(1, fee_cents=300)]),
        (1700, [InstallmentPayment(1, 500, 100, 1000), InstallmentPayment(2, 0, 90, 10)]),
        (2700, [InstallmentPayment(1, 500, 100, 1000), InstallmentPayment(2, 0, 90, 1010)]),
        (  # 1,500 of future principal: all of the last installment, then 470 of the one before
            4200,
            [
                InstallmentPayment(1, 500, 100, 1000),
                InstallmentPayment(2, 0, 90, 1010),
                InstallmentPayment(3, 0, 0, 470),
                InstallmentPayment(4, 0, 0, 1030),
            ],
        ),
    ],
)
def test_each_bucket_lands_on_its_installments(amount: int, expected: list[InstallmentPayment]) -> None:
    allocation = allocate_payment(amount, buckets_as_of(ROWS, AS_OF))
    assert list(allocate_to_installments(ROWS, allocation, AS_OF)) == expected


def test_past_due_parts_fill_the_oldest_installments_part_by_part() -> None:
    rows = [OpenInstallment(1, date(2024, 1, 15), 1000, 100, 500), OpenInstallment(2, date(2024, 2, 15), 1000, 90, 500)]
    allocation = Allocation(past_due_fees_cents=1000, past_due_interest_cents=150, past_due_principal_cents=10)
    assert allocate_to_installments(rows, allocation, AS_OF) == (
        InstallmentPayment(1, 500, 100, 10),
        InstallmentPayment(2, 500, 50, 0),
    )


def test_a_bucket_larger_than_its_installments_is_refused() -> None:
    with pytest.raises(CreditInputError, match="^allocation: current_interest_cents is 10 more"):
        allocate_to_installments(ROWS, Allocation(current_interest_cents=100), AS_OF)


owed = st.integers(0, 50_000)


@given(
    st.lists(st.tuples(st.integers(-60, 400), owed, owed, owed), min_size=1, max_size=8),
    st.integers(0, 400_000),
    st.integers(0, 300),
)
@settings(max_examples=200)
def test_installment_parts_sum_to_the_applied_payment_and_never_exceed_what_is_owed(
    spec: list[tuple[int, int, int, int]], amount: int, offset: int
) -> None:
    start = date(2024, 1, 1)
    rows = [
        OpenInstallment(number, date.fromordinal(start.toordinal() + days), principal, interest, fee)
        for number, (days, principal, interest, fee) in enumerate(spec, start=1)
    ]
    as_of = date.fromordinal(start.toordinal() + offset)
    allocation = allocate_payment(amount, buckets_as_of(rows, as_of))
    parts = allocate_to_installments(rows, allocation, as_of)
    assert sum(part.total_cents for part in parts) == allocation.applied_cents
    by_number = {row.number: row for row in rows}
    for part in parts:
        row = by_number[part.number]
        assert part.fee_cents <= row.fee_cents and part.interest_cents <= row.interest_cents
        assert part.principal_cents <= row.principal_cents and part.total_cents > 0
