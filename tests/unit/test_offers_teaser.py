"""The "as low as" teaser carries what Regulation Z 1026.24(d) requires next to
an advertised payment: the number of payments (term), the APR and the down
payment; the old amount-only function agrees with it."""

from decimal import Decimal

import pytest

from credit.offers import Teaser, teaser, teaser_monthly_cents
from credit.policy import DEFAULT_POLICY, Policy

POLICY = Policy.from_dict(DEFAULT_POLICY)


@pytest.mark.parametrize(
    "amount,scenes,promos,expected",
    [
        (120_000, "electronics", (), Teaser(3_871, 36, Decimal("9.99"), 0)),
        (50_000, "electronics", (), Teaser(2_307, 24, Decimal("9.99"), 0)),
        (50_000, "travel", (), Teaser(4_442, 12, Decimal("11.99"), 0)),
        (50_000, ("electronics", "travel"), (), Teaser(4_442, 12, Decimal("11.99"), 0)),  # most restrictive scene
        (2_000, "electronics", (), None),
    ],
)
def test_teaser_states_term_apr_and_down_payment(amount, scenes, promos, expected):
    assert teaser(amount, scenes, POLICY, promos) == expected


@pytest.mark.parametrize("amount,scene", [(120_000, "electronics"), (30_000, "travel"), (50_000, "toys")])
def test_the_amount_only_function_is_the_teasers_monthly_payment(amount, scene):
    example = teaser(amount, scene, POLICY)
    assert teaser_monthly_cents(amount, scene, POLICY) == (example.monthly_cents if example else None)
