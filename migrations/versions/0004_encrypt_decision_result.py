"""credit: encrypt stored decision results (their inputs hold the birth date)

The Fernet encryption is frozen here (migrations never import live code): the
key is the app's PII_ENCRYPTION_KEY, as shop/pii.py uses it.

Revision ID: 0004
Revises: 0003
"""

import json

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet
from flask import current_app

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fernet() -> Fernet:
    return Fernet(current_app.config["PII_ENCRYPTION_KEY"].encode())


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, result FROM credit_decisions")).all()
    with op.batch_alter_table("credit_decisions", schema=None) as batch_op:
        batch_op.alter_column(
            "result", existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False, postgresql_using="result::text"
        )
    for row_id, result in rows:
        document = result if isinstance(result, dict) else json.loads(result)
        conn.execute(
            sa.text("UPDATE credit_decisions SET result = :r WHERE id = :i"),
            {"r": encrypt(json.dumps(document, sort_keys=True)), "i": row_id},
        )


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, result FROM credit_decisions")).all()
    for row_id, token in rows:
        conn.execute(
            sa.text("UPDATE credit_decisions SET result = :r WHERE id = :i"), {"r": decrypt(token), "i": row_id}
        )
    with op.batch_alter_table("credit_decisions", schema=None) as batch_op:
        batch_op.alter_column(
            "result", existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False, postgresql_using="result::json"
        )
