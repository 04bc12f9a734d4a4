"""journal: PostgreSQL refuses to commit a journal transaction that does not balance

A DEFERRABLE INITIALLY DEFERRED constraint trigger on journal_entries checks,
at commit, that each touched transaction's debits equal its credits.  The DDL is
frozen here (migrations never import live code); shop/models/journal.py carries
the same DDL for create_all().  SQLite: no-op (shop.services.ledger.post checks
every posting before writing, and `flask credit check-ledger` after).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

BALANCE_TRIGGER_DDL = (
    """
    CREATE OR REPLACE FUNCTION journal_transaction_balances() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        ids integer[];
        txn integer;
        diff bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            ids := ARRAY[OLD.transaction_id];
        ELSIF TG_OP = 'UPDATE' THEN
            ids := ARRAY[OLD.transaction_id, NEW.transaction_id];
        ELSE
            ids := ARRAY[NEW.transaction_id];
        END IF;
        FOREACH txn IN ARRAY ids LOOP
            SELECT COALESCE(SUM(debit_cents - credit_cents), 0) INTO diff
              FROM journal_entries WHERE transaction_id = txn;
            IF diff <> 0 THEN
                RAISE EXCEPTION 'journal transaction % does not balance (debits - credits = %)', txn, diff
                    USING ERRCODE = 'check_violation';
            END IF;
        END LOOP;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries",
    """
    CREATE CONSTRAINT TRIGGER journal_entries_balanced
        AFTER INSERT OR UPDATE OR DELETE ON journal_entries
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION journal_transaction_balances()
    """,
)
DROP_BALANCE_TRIGGER_DDL = (
    "DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries",
    "DROP FUNCTION IF EXISTS journal_transaction_balances()",
)


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in BALANCE_TRIGGER_DDL:
            bind.execute(sa.text(statement))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in DROP_BALANCE_TRIGGER_DDL:
            bind.execute(sa.text(statement))
