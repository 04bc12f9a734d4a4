"""The federal box (12 CFR 1026.18) computed from schedules.

Sources: 1026.18 (b) amount financed, (d) finance charge, (e) APR, (g)
payment schedule, (h) total of payments, (j) total sale price; the APR
figures are the Appendix J (c)(1)(i) example and the published $10,000 /
10 % / 36-month loan in ``vectors/appendix_j_examples.json``.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.disclosure import PaymentGroup, build_disclosure, payment_groups
from credit.errors import CreditInputError
from credit.money import split_evenly
from credit.schedule import (
    Installment,
    add_months,
    equal_principal_schedule,
    level_payment_schedule,
    pay_in_4_schedule,
    promo_schedule,
)

CHECKOUT = date(2024, 3, 16)


def test_appendix_j_c1i_as_a_schedule() -> None:
    # 24 x $230 for $5,000; the principal/interest split does not change the box
    balance, rows = 500000, []
    for number, principal in enumerate(split_evenly(500000, 24), start=1):
        balance -= principal
        rows.append(
            Installment(
                number, add_months(date(1978, 2, 10), number - 1), principal, 23000 - principal, 0, 23000, balance
            )
        )
    box = build_disclosure(rows, date(1978, 1, 10))
    assert (box.amount_financed_cents, box.finance_charge_cents, box.total_of_payments_cents) == (500000, 52000, 552000)
    assert box.apr == Decimal("9.69")
    assert box.apr_unrounded == Decimal("9.685708")
    assert box.payment_groups == (PaymentGroup(24, 23000, date(1978, 2, 10), "monthly"),)


def test_level_loan_with_down_payment() -> None:
    schedule = level_payment_schedule(1000000, Decimal("0.10"), 36, CHECKOUT, down_payment_percent=10)
    box = build_disclosure(schedule, CHECKOUT, cash_price_cents=1000000)
    interest = sum(row.interest_cents for row in schedule)
    assert box.down_payment_cents == 100000
    assert box.amount_financed_cents == 900000
    assert box.finance_charge_cents == interest
    assert box.total_of_payments_cents == 900000 + interest
    assert box.total_sale_price_cents == 1000000 + interest
    assert box.apr == Decimal("10.00")
    assert box.number_of_payments == 36
    level = schedule[1].total_cents
    assert box.payment_groups[0] == PaymentGroup(35, level, date(2024, 4, 16), "monthly")
    assert box.payment_groups[1].count == 1 and box.payment_groups[1].cadence == "single payment"


def test_merchant_funded_promo_shows_zero_finance_charge_and_apr() -> None:
    box = build_disclosure(promo_schedule(500000, 36, CHECKOUT), CHECKOUT, cash_price_cents=500000)
    assert (box.finance_charge_cents, box.apr, box.apr_unrounded) == (0, Decimal("0.00"), Decimal(0))
    assert box.total_of_payments_cents == box.total_sale_price_cents == box.amount_financed_cents == 500000
    assert box.payment_groups == (
        PaymentGroup(35, 13889, date(2024, 4, 16), "monthly"),
        PaymentGroup(1, 13885, date(2027, 3, 16), "single payment"),
    )


def test_pay_in_4_first_payment_is_a_down_payment() -> None:
    box = build_disclosure(pay_in_4_schedule(10003, CHECKOUT), CHECKOUT, cash_price_cents=10003)
    assert (box.down_payment_cents, box.amount_financed_cents, box.total_of_payments_cents) == (2503, 7500, 7500)
    assert box.total_sale_price_cents == 10003
    assert box.apr == 0
    assert box.payment_groups == (PaymentGroup(3, 2500, CHECKOUT + timedelta(days=14), "every 2 weeks"),)


def test_texts_and_currency_are_carried_through() -> None:
    box = build_disclosure(
        promo_schedule(30000, 3, CHECKOUT),
        CHECKOUT,
        late_charge_text="Late: 5% of the payment.",
        prepayment_text="No penalty.",
        currency="JPY",
    )
    assert (box.late_charge_text, box.prepayment_text, box.currency) == (
        "Late: 5% of the payment.",
        "No penalty.",
        "JPY",
    )
    assert "penalty" in build_disclosure(promo_schedule(30000, 3, CHECKOUT), CHECKOUT).prepayment_text


def test_equal_principal_groups_every_payment_separately() -> None:
    schedule = equal_principal_schedule(120000, Decimal("0.12"), 3, CHECKOUT)
    assert [group.count for group in payment_groups(schedule)] == [1, 1, 1]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"cash_price_cents": 999}, "cash_price_cents"),
        ({"cash_price_cents": -1}, "cash_price_cents"),
        ({"advance_on": date(2024, 5, 1)}, "advance_on"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"advance_on": CHECKOUT, **kwargs}
    with pytest.raises(CreditInputError, match=f"^{field}: "):
        build_disclosure(promo_schedule(30000, 3, CHECKOUT), **arguments)  # type: ignore[arg-type]


@given(
    st.integers(10_000, 5_000_000),
    st.decimals(min_value=0, max_value=Decimal("0.36"), places=4),
    st.sampled_from([3, 6, 12, 24, 36]),
    st.sampled_from([0, 10, 20]),
)
@settings(max_examples=100, deadline=None)
def test_box_totals_add_up(price: int, rate: Decimal, months: int, down: int) -> None:
    schedule = level_payment_schedule(price, rate, months, CHECKOUT, down_payment_percent=down)
    box = build_disclosure(schedule, CHECKOUT, cash_price_cents=price)
    assert box.amount_financed_cents + box.finance_charge_cents == box.total_of_payments_cents
    assert box.total_of_payments_cents + box.down_payment_cents == box.total_sale_price_cents
    assert sum(group.count * group.amount_cents for group in box.payment_groups) == box.total_of_payments_cents
    assert (box.finance_charge_cents == 0) == (box.apr == 0)
    assert box.apr == box.apr_unrounded.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def test_the_late_charge_term_states_the_fee_instead_of_referring_to_the_agreement():
    from credit.disclosure import LATE_CHARGE_TEXT, late_charge_text

    assert (
        late_charge_text(10, 1000, Decimal("5"), 4000)
        == LATE_CHARGE_TEXT
        == (
            "If a payment is more than 10 days late, you will be charged a late fee of $10.00 or 5% of the late "
            "payment, whichever is less, and no more than $40.00 in late fees over the life of this loan."
        )
    )
    assert "as stated in your agreement" not in LATE_CHARGE_TEXT
