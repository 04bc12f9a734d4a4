"""staff portal: staff views (monitoring), servicing actions, who created/activated a policy
version, offline loan payments

Revision ID: 0007
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0012"
branch_labels = None
depends_on = None

PAYMENT_KINDS_BEFORE = "kind IN ('down_payment', 'next', 'amount', 'payoff')"
PAYMENT_KINDS_AFTER = "kind IN ('down_payment', 'next', 'amount', 'payoff', 'offline')"
ACTION_KINDS = "kind IN ('waive_fee', 'defer_installment', 'offline_payment', 'reversal')"


# SQLite: the audit log refuses UPDATE and DELETE too (PostgreSQL's trigger came with 0006).
SQLITE_AUDIT_TRIGGERS = tuple(
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only ({verb} refused)'); END
    """
    for verb in ("UPDATE", "DELETE")
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_AUDIT_TRIGGERS:
            bind.execute(sa.text(statement))
    op.create_table(
        "staff_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_staff_views_staff_id_users")),
        sa.ForeignKeyConstraint(["customer_id"], ["users.id"], name=op.f("fk_staff_views_customer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_views")),
    )
    with op.batch_alter_table("staff_views") as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_views_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_views_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_staff_views_staff_id_at", ["staff_id", "at"], unique=False)
    op.create_table(
        "servicing_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("journal_transaction_id", sa.Integer(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(ACTION_KINDS, name=op.f("ck_servicing_actions_kind_known")),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_servicing_actions_loan_id_loans")),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_servicing_actions_staff_id_users")),
        sa.ForeignKeyConstraint(
            ["journal_transaction_id"],
            ["journal_transactions.id"],
            name=op.f("fk_servicing_actions_journal_transaction_id_journal_transactions"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["servicing_actions.id"], name=op.f("fk_servicing_actions_reverses_id_servicing_actions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_servicing_actions")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_servicing_actions_reverses_id")),
    )
    with op.batch_alter_table("servicing_actions") as batch_op:
        batch_op.create_index(batch_op.f("ix_servicing_actions_loan_id"), ["loan_id"], unique=False)
    with op.batch_alter_table("policy_versions") as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("activated_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_versions_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_versions_activated_by_id_users"), "users", ["activated_by_id"], ["id"]
        )
    with op.batch_alter_table("loan_payments") as batch_op:
        batch_op.drop_constraint(op.f("ck_loan_payments_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", PAYMENT_KINDS_AFTER)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
    with op.batch_alter_table("loan_payments") as batch_op:
        batch_op.drop_constraint(op.f("ck_loan_payments_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", PAYMENT_KINDS_BEFORE)
    with op.batch_alter_table("policy_versions") as batch_op:
        batch_op.drop_constraint(op.f("fk_policy_versions_activated_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_policy_versions_created_by_id_users"), type_="foreignkey")
        batch_op.drop_column("activated_by_id")
        batch_op.drop_column("created_by_id")
    op.drop_table("servicing_actions")
    op.drop_table("staff_views")
