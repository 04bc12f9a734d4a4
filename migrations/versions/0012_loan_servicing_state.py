"""loans: servicing state for daily simple interest (accrued-through date, principal x days, unpaid interest and fees)

Revision ID: 0012
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("loans") as batch_op:
        batch_op.add_column(sa.Column("accrued_through_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("balance_days", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("unpaid_interest_cents", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("unpaid_fees_cents", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("loans") as batch_op:
        for name in ("unpaid_fees_cents", "unpaid_interest_cents", "balance_days", "accrued_through_on"):
            batch_op.drop_column(name)
