"""states as StrEnums: a CHECK constraint for every status, outcome, kind and product

The allowed values are frozen here (shop/models/enums.py holds the live enums;
a later value needs a migration that replaces its constraint).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHECKS = (
    ("users", "staff_role_known", "staff_role IN ('reviewer', 'collections', 'risk', 'superadmin')"),
    ("credit_applications", "status_known", "status IN ('approved', 'referred', 'declined', 'incomplete')"),
    ("credit_decisions", "outcome_known", "outcome IN ('approved', 'referred', 'declined', 'incomplete')"),
    ("orders", "payment_kind_known", "payment_kind IN ('card', 'credit')"),
    (
        "orders",
        "status_known",
        "status IN ('paid', 'financed', 'awaiting_credit_review', 'shipped', 'cancelled', 'refunded', 'partially_refunded')",
    ),
    ("loans", "status_known", "status IN ('active', 'paid_off', 'charged_off', 'closed')"),
    (
        "loans",
        "product_known",
        "product IN ('pay_in_4', 'monthly_3', 'monthly_6', 'monthly_12', 'monthly_24', 'monthly_36', 'promo_3', 'promo_6', 'promo_12')",
    ),
    ("payments", "kind_known", "kind IN ('full')"),
    ("payments", "status_known", "status IN ('succeeded', 'refunded', 'partially_refunded')"),
    ("loan_installments", "kind_known", "kind IN ('down_payment', 'installment')"),
    ("loan_payments", "kind_known", "kind IN ('down_payment', 'next', 'amount', 'payoff')"),
)


def upgrade():
    for table, name, condition in CHECKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(name, condition)


def downgrade():
    for table, name, _ in reversed(CHECKS):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"ck_{table}_{name}", type_="check")
