"""credit/refunds.py: what a sale booked in proportion is reversed in proportion, exactly once in total."""

from __future__ import annotations

import pytest

from credit.errors import CreditInputError
from credit.refunds import proportional_share


@pytest.mark.parametrize(
    ("whole", "total", "steps"),
    [(30_001, 1_351, [10_000, 10_000, 10_001]), (219_800, 16_485, [89_900, 129_900]), (79_800, 2_394, [79_800])],
)
def test_proportional_shares_of_refunds_in_sequence_add_up_to_the_whole(whole, total, steps):
    before, shares = 0, []
    for amount in steps:
        shares.append(proportional_share(total, whole, before, amount))
        before += amount
    assert sum(shares) == total


def test_a_share_is_rounded_once_half_up():
    assert proportional_share(1_000, 3, 0, 1) == 333
    assert proportional_share(1_000, 3, 1, 1) == 334  # 667 - 333


def test_refunds_beyond_the_sale_are_refused():
    with pytest.raises(CreditInputError):
        proportional_share(100, 1_000, 900, 200)
