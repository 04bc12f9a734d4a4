"""journal: PostgreSQL refuses to commit a journal transaction that does not balance

A DEFERRABLE INITIALLY DEFERRED constraint trigger on journal_entries checks,
at commit, that each touched transaction's debits equal its credits.  The DDL
lives in shop.ledger (install_balance_trigger) so the test template database,
built with create_all(), gets the same trigger.  SQLite: no-op (shop.ledger.post
checks every posting before writing, and `flask credit check-ledger` after).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:40:00.000000

"""

from alembic import op

from shop.ledger import drop_balance_trigger, install_balance_trigger

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        install_balance_trigger(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        drop_balance_trigger(bind)
