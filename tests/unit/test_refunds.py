"""credit/refunds.py: a merchant refund shrinks a loan from the last installment back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from credit.refunds import OpenPart, plan_loan_refund, proportional_share


def _promo_6() -> list[OpenPart]:
    # $600 over 6 months at 0 %: six $100 installments, none paid yet.
    return [OpenPart(n, date(2026, n, 15), 10_000, 0) for n in range(1, 7)]


def test_a_refund_cuts_principal_from_the_last_installment_backwards():
    plan = plan_loan_refund(_promo_6(), 25_000)
    assert [r.principal_cents for r in plan.rows] == [10_000, 10_000, 10_000, 5_000, 0, 0]
    assert (plan.principal_reduction_cents, plan.card_refund_cents) == (25_000, 0)


def test_a_refund_beyond_the_balance_goes_back_to_the_card():
    paid_four = _promo_6()[4:]  # four installments paid: $200 left
    plan = plan_loan_refund(paid_four, 50_000)
    assert [r.principal_cents for r in plan.rows] == [0, 0]
    assert (plan.principal_reduction_cents, plan.card_refund_cents) == (20_000, 30_000)


def test_a_paid_off_loan_refunds_everything_to_the_card():
    plan = plan_loan_refund([], 12_345)
    assert plan.rows == [] and plan.card_refund_cents == 12_345


def test_interest_on_the_refunded_part_stops_but_paid_interest_is_kept():
    parts = [
        OpenPart(1, date(2026, 2, 1), 50_000, 1_000, paid_interest_cents=1_000),
        OpenPart(2, date(2026, 3, 1), 50_000, 500),
    ]
    plan = plan_loan_refund(
        parts, 60_000, annual_rate=Decimal("0.12"), day_count="30/360", period_start_on=date(2026, 1, 1)
    )
    assert [r.principal_cents for r in plan.rows] == [40_000, 0]
    # $400 owed for February's period at 1 %/month: $4 instead of $10, but the $10 paid stays paid.
    assert [r.interest_cents for r in plan.rows] == [1_000, 0]


@pytest.mark.parametrize("steps", [[1, 1, 1], [2, 1], [3]])
def test_proportional_shares_of_refunds_in_sequence_add_up_to_the_whole(steps):
    whole, total, before, shares = 30_001, 1_351, 0, []
    unit = whole // 3
    for n, step in enumerate(steps):
        amount = whole - before if n == len(steps) - 1 else unit * step
        shares.append(proportional_share(total, whole, before, amount))
        before += amount
    assert sum(shares) == total
