"""credit_applications: the shopper's checking-account balance band (asked since scorecard v2, policy 2026.3)

Revision ID: 0014
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0008"  # after merging main (0006 -> 0012 -> 0007 -> 0011 -> 0008); branch base had 0012
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credit_applications") as batch_op:
        # NULL on applications made before the question was asked
        batch_op.add_column(sa.Column("checking_band", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("credit_applications") as batch_op:
        batch_op.drop_column("checking_band")
