"""credit/delinquency.py: days past due, stages, late fees, charge-off, retries, line raises."""

from __future__ import annotations

from datetime import date

import pytest

from credit.delinquency import (
    DEFAULT_SERVICING_POLICY,
    ServicingPolicy,
    ServicingPolicyError,
    autopay_retry_on,
    days_past_due,
    is_charge_off,
    late_fee_cents,
    late_fee_due_on,
    next_action,
    raised_line_cents,
    stage_for,
)

POLICY = ServicingPolicy.from_dict(DEFAULT_SERVICING_POLICY)


@pytest.mark.parametrize(
    ("oldest", "today", "dpd"),
    [(None, date(2025, 3, 1), 0), (date(2025, 3, 1), date(2025, 3, 1), 0), (date(2025, 3, 1), date(2025, 3, 31), 30)],
)
def test_days_past_due_count_from_the_oldest_unpaid_due_date(oldest, today, dpd):
    assert days_past_due(oldest, today) == dpd


@pytest.mark.parametrize(
    ("dpd", "stage"),
    [
        (0, "current"),
        (1, "dpd_1_30"),
        (30, "dpd_1_30"),
        (31, "dpd_31_60"),
        (61, "dpd_61_90"),
        (90, "dpd_61_90"),
        (91, "dpd_90_plus"),
        (500, "dpd_90_plus"),
    ],
)
def test_stages_by_days_past_due(dpd, stage):
    assert stage_for(dpd, POLICY) == stage


@pytest.mark.parametrize(
    ("installment", "charged", "fee"),
    [(11_420, 0, 571), (50_000, 0, 1000), (50_000, 3500, 500), (50_000, 4000, 0), (0, 0, 0)],
)
def test_late_fee_is_the_lesser_of_fixed_and_percent_within_the_cap(installment, charged, fee):
    assert late_fee_cents(installment, charged, POLICY) == fee


def test_the_fee_falls_due_after_the_grace_period_and_charge_off_at_120():
    assert late_fee_due_on(date(2025, 2, 6), POLICY) == date(2025, 2, 17)
    assert not is_charge_off(119, POLICY) and is_charge_off(120, POLICY)


def test_autopay_retries_on_day_2_and_4_then_stops():
    first = date(2025, 2, 6)
    assert [autopay_retry_on(first, n, POLICY) for n in (1, 2, 3)] == [date(2025, 2, 8), date(2025, 2, 10), None]


def test_line_raise_and_strategy():
    assert raised_line_cents(100_000, POLICY) == 110_000
    assert raised_line_cents(990_000, POLICY) == 1_000_000
    assert next_action("dpd_31_60", date(2025, 1, 1), POLICY) == ("call", date(2025, 1, 6))
    assert next_action("current", date(2025, 1, 1), POLICY) == ("none", None)


@pytest.mark.parametrize(
    "change",
    [
        {"version": ""},
        {"grace_days": -1},
        {"late_fee_percent": "150"},
        {"autopay_retry_days": [4, 2]},
        {"collection_strategy": {}},
        {"charge_off_dpd": 30},
    ],
)
def test_an_invalid_policy_is_refused(change):
    with pytest.raises(ServicingPolicyError):
        ServicingPolicy.from_dict(DEFAULT_SERVICING_POLICY | change)
