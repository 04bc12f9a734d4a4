"""merchant portal: merchant onboarding, listing promos and photos, shipments, merchant refunds, settlements

Existing merchants were trading already: they start approved (server default
on the new status column).

Revision ID: 0008
Revises: 0011 (re-chained after main brought 0012; the prompt gave 0006)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _merchants():
    with op.batch_alter_table("merchants") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="approved"))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("payout_details", sa.String(length=512), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint("status_known", "status IN ('pending', 'approved', 'rejected')")


def _catalog():
    op.create_table(
        "listing_promos",
        _id(),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.CheckConstraint("months IN (3, 6, 12)", name=op.f("ck_listing_promos_months_offered")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_promos_listing_id_listings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_promos")),
        sa.UniqueConstraint("listing_id", "months", name="uq_listing_promos_listing_months"),
    )
    op.create_index(op.f("ix_listing_promos_listing_id"), "listing_promos", ["listing_id"], unique=False)
    op.create_table(
        "listing_photos",
        _id(),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("display_path", sa.String(length=255), nullable=False),
        sa.Column("thumb_path", sa.String(length=255), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_photos_listing_id_listings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_photos")),
    )
    op.create_index(op.f("ix_listing_photos_listing_id"), "listing_photos", ["listing_id"], unique=False)


def _shipments():
    op.create_table(
        "shipments",
        _id(),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=60), nullable=False),
        sa.Column("tracking_number", sa.String(length=80), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], name=op.f("fk_shipments_merchant_id_merchants")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_shipments_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_index(op.f("ix_shipments_merchant_id"), "shipments", ["merchant_id"], unique=False)
    op.create_table(
        "shipment_lines",
        _id(),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_lines_shipment_id_shipments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_shipment_lines_order_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_shipment_lines_order_line_id")),
    )
    op.create_index(op.f("ix_shipment_lines_shipment_id"), "shipment_lines", ["shipment_id"], unique=False)


def _refunds():
    op.create_table(
        "merchant_refunds",
        _id(),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("payment_kind", sa.String(length=10), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("principal_reduction_cents", sa.BigInteger(), nullable=False),
        sa.Column("card_refund_cents", sa.BigInteger(), nullable=False),
        sa.Column("discount_cents", sa.BigInteger(), nullable=False),
        sa.Column("subsidy_cents", sa.BigInteger(), nullable=False),
        sa.Column("merchant_net_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stripe_refunds", sa.JSON(), nullable=False),
        sa.Column("journal_transaction_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_merchant_refunds_amount_positive")),
        sa.CheckConstraint(
            "principal_reduction_cents >= 0 AND card_refund_cents >= 0",
            name=op.f("ck_merchant_refunds_parts_not_negative"),
        ),
        sa.CheckConstraint("kind IN ('refund', 'cancel')", name=op.f("ck_merchant_refunds_kind_known")),
        sa.CheckConstraint("payment_kind IN ('card', 'credit')", name=op.f("ck_merchant_refunds_payment_kind_known")),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_merchant_refunds_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_merchant_refunds_order_id_orders")),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_merchant_refunds_loan_id_loans")),
        sa.ForeignKeyConstraint(
            ["journal_transaction_id"],
            ["journal_transactions.id"],
            name=op.f("fk_merchant_refunds_journal_transaction_id_journal_transactions"),
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_merchant_refunds_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_refunds")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_merchant_refunds_idempotency_key")),
    )
    for column in ("merchant_id", "order_id", "loan_id", "created_at"):
        op.create_index(op.f(f"ix_merchant_refunds_{column}"), "merchant_refunds", [column], unique=False)
    op.create_table(
        "merchant_refund_lines",
        _id(),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_merchant_refund_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["merchant_refunds.id"],
            name=op.f("fk_merchant_refund_lines_refund_id_merchant_refunds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_merchant_refund_lines_order_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_refund_lines")),
    )
    op.create_index(op.f("ix_merchant_refund_lines_refund_id"), "merchant_refund_lines", ["refund_id"], unique=False)
    op.create_index(
        op.f("ix_merchant_refund_lines_order_line_id"), "merchant_refund_lines", ["order_line_id"], unique=False
    )


def _settlements():
    op.create_table(
        "settlement_batches",
        _id(),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("discount_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("journal_transaction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_settlement_batches_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["journal_transaction_id"],
            ["journal_transactions.id"],
            name=op.f("fk_settlement_batches_journal_transaction_id_journal_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_batches")),
        sa.UniqueConstraint("merchant_id", "period_end", name="uq_settlement_batches_merchant_period"),
    )
    op.create_index(op.f("ix_settlement_batches_merchant_id"), "settlement_batches", ["merchant_id"], unique=False)
    op.create_table(
        "settlement_lines",
        _id(),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("payment_kind", sa.String(length=10), nullable=False),
        sa.Column("product", sa.String(length=20), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("discount_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('sale', 'refund')", name=op.f("ck_settlement_lines_kind_known")),
        sa.CheckConstraint("payment_kind IN ('card', 'credit')", name=op.f("ck_settlement_lines_payment_kind_known")),
        sa.CheckConstraint(
            "gross_cents - discount_cents = net_cents", name=op.f("ck_settlement_lines_net_is_gross_less_discount")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["settlement_batches.id"],
            name=op.f("fk_settlement_lines_batch_id_settlement_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_settlement_lines_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["merchant_refunds.id"], name=op.f("fk_settlement_lines_refund_id_merchant_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_lines")),
        sa.UniqueConstraint("source_key", name=op.f("uq_settlement_lines_source_key")),
    )
    op.create_index(op.f("ix_settlement_lines_batch_id"), "settlement_lines", ["batch_id"], unique=False)
    op.create_index(op.f("ix_settlement_lines_order_id"), "settlement_lines", ["order_id"], unique=False)


def upgrade():
    _merchants()
    _catalog()
    _shipments()
    _refunds()
    _settlements()


def downgrade():
    for table in (
        "settlement_lines",
        "settlement_batches",
        "merchant_refund_lines",
        "merchant_refunds",
        "shipment_lines",
        "shipments",
        "listing_photos",
        "listing_promos",
    ):
        op.drop_table(table)
    with op.batch_alter_table("merchants") as batch_op:
        batch_op.drop_constraint("ck_merchants_status_known", type_="check")
        for column in (
            "reviewed_at",
            "review_reason",
            "payout_details",
            "contact_phone",
            "contact_email",
            "contact_name",
            "status",
        ):
            batch_op.drop_column(column)
