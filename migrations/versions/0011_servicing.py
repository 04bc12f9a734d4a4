"""servicing after checkout: servicing policy versions, business days, loan delinquency state,
late fees, credit-line events, the e-mail outbox, collections (contacts, promises to pay),
hardship requests, region-wide relief programs and their per-loan effects

Revision ID: 0011
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "business_days",
        sa.Column("business_on", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("business_on", name=op.f("pk_business_days")),
    )
    op.create_table(
        "servicing_policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_servicing_policy_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_servicing_policy_versions_version")),
    )
    op.create_table(
        "credit_line_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("old_line_cents", sa.BigInteger(), nullable=False),
        sa.Column("new_line_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('freeze', 'unfreeze', 'raise')", name=op.f("ck_credit_line_events_kind_known")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_credit_line_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_line_events")),
    )
    with op.batch_alter_table("credit_line_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_line_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "relief_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("waive_late_fees", sa.Boolean(), nullable=False),
        sa.Column("pause_late_fees", sa.Boolean(), nullable=False),
        sa.Column("defer_days", sa.Integer(), nullable=False),
        sa.Column("pause_contact", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("ended_early_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_relief_programs_status_known")),
        sa.CheckConstraint("defer_days >= 0", name=op.f("ck_relief_programs_defer_days_not_negative")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_relief_programs_window_ordered")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_relief_programs_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relief_programs")),
    )
    op.create_table(
        "collection_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'email', 'sms', 'letter')", name=op.f("ck_collection_contacts_channel_known")
        ),
        sa.CheckConstraint(
            "outcome IN ('reached', 'no_answer', 'left_message', 'promised_to_pay', 'refused', 'wrong_number')",
            name=op.f("ck_collection_contacts_outcome_known"),
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_collection_contacts_loan_id_loans")),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_collection_contacts_staff_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_contacts")),
    )
    with op.batch_alter_table("collection_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collection_contacts_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "loan_servicing",
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("oldest_due_on", sa.Date(), nullable=True),
        sa.Column("past_due_cents", sa.BigInteger(), nullable=False),
        sa.Column("late_fees_cents", sa.BigInteger(), nullable=False),
        sa.Column("autopay_failures", sa.Integer(), nullable=False),
        sa.Column("autopay_first_failed_on", sa.Date(), nullable=True),
        sa.Column("autopay_retry_on", sa.Date(), nullable=True),
        sa.Column("autopay_last_attempt_on", sa.Date(), nullable=True),
        sa.Column("autopay_paused_on", sa.Date(), nullable=True),
        sa.Column("next_action_on", sa.Date(), nullable=True),
        sa.Column("current_since", sa.Date(), nullable=True),
        sa.Column("charged_off_on", sa.Date(), nullable=True),
        sa.Column("charged_off_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "stage IN ('current', 'dpd_1_30', 'dpd_31_60', 'dpd_61_90', 'dpd_90_plus')",
            name=op.f("ck_loan_servicing_stage_known"),
        ),
        sa.CheckConstraint("dpd >= 0", name=op.f("ck_loan_servicing_dpd_not_negative")),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_servicing_loan_id_loans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_loan_servicing_user_id_users")),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_servicing")),
    )
    with op.batch_alter_table("loan_servicing", schema=None) as batch_op:
        batch_op.create_index("ix_loan_servicing_stage_dpd", ["stage", "dpd"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_servicing_user_id"), ["user_id"], unique=False)

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('reminder', 'receipt', 'past_due', 'autopay_failed', 'autopay_paused', 'late_fee', 'charged_off', 'hardship_decision', 'relief', 'line_change')",
            name=op.f("ck_outbox_messages_kind_known"),
        ),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_messages_status_known")),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_outbox_messages_loan_id_loans")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_outbox_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index("ix_outbox_messages_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_messages_user_id"), ["user_id"], unique=False)

    op.create_table(
        "promises_to_pay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'kept', 'broken')", name=op.f("ck_promises_to_pay_status_known")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_promises_to_pay_amount_positive")),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_promises_to_pay_loan_id_loans")),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_promises_to_pay_staff_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises_to_pay")),
    )
    with op.batch_alter_table("promises_to_pay", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promises_to_pay_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "relief_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fees_waived', 'fee_paused', 'deferred', 'contact_paused')",
            name=op.f("ck_relief_effects_kind_known"),
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_relief_effects_loan_id_loans")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["relief_programs.id"], name=op.f("fk_relief_effects_program_id_relief_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relief_effects")),
        sa.UniqueConstraint("program_id", "loan_id", "kind", name="uq_relief_effects_program_loan_kind"),
    )
    with op.batch_alter_table("relief_effects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relief_effects_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_relief_effects_program_id"), ["program_id"], unique=False)

    op.create_table(
        "hardship_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("can_pay_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("remedy", sa.String(length=16), nullable=True),
        sa.Column("installments", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("journal_transaction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "remedy IN ('fee_waiver', 'deferral', 'reamortization')", name=op.f("ck_hardship_requests_remedy_known")
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'granted', 'declined')", name=op.f("ck_hardship_requests_status_known")
        ),
        sa.CheckConstraint("can_pay_cents >= 0", name=op.f("ck_hardship_requests_can_pay_not_negative")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_hardship_requests_decided_by_users")),
        sa.ForeignKeyConstraint(
            ["journal_transaction_id"],
            ["journal_transactions.id"],
            name=op.f("fk_hardship_requests_journal_transaction_id_journal_transactions"),
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_hardship_requests_loan_id_loans")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_hardship_requests_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_requests")),
    )
    with op.batch_alter_table("hardship_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hardship_requests_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hardship_requests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "late_fees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("waived_cents", sa.BigInteger(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("journal_transaction_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_late_fees_amount_positive")),
        sa.ForeignKeyConstraint(
            ["installment_id"], ["loan_installments.id"], name=op.f("fk_late_fees_installment_id_loan_installments")
        ),
        sa.ForeignKeyConstraint(
            ["journal_transaction_id"],
            ["journal_transactions.id"],
            name=op.f("fk_late_fees_journal_transaction_id_journal_transactions"),
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_late_fees_loan_id_loans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_fees")),
        sa.UniqueConstraint("installment_id", name=op.f("uq_late_fees_installment_id")),
    )
    with op.batch_alter_table("late_fees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_late_fees_assessed_on"), ["assessed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_late_fees_loan_id"), ["loan_id"], unique=False)


def downgrade():
    with op.batch_alter_table("late_fees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_late_fees_loan_id"))
        batch_op.drop_index(batch_op.f("ix_late_fees_assessed_on"))

    op.drop_table("late_fees")
    with op.batch_alter_table("hardship_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hardship_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_hardship_requests_loan_id"))

    op.drop_table("hardship_requests")
    with op.batch_alter_table("relief_effects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relief_effects_program_id"))
        batch_op.drop_index(batch_op.f("ix_relief_effects_loan_id"))

    op.drop_table("relief_effects")
    with op.batch_alter_table("promises_to_pay", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_to_pay_loan_id"))

    op.drop_table("promises_to_pay")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_user_id"))
        batch_op.drop_index("ix_outbox_messages_status_next")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_loan_id"))

    op.drop_table("outbox_messages")
    with op.batch_alter_table("loan_servicing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_servicing_user_id"))
        batch_op.drop_index("ix_loan_servicing_stage_dpd")

    op.drop_table("loan_servicing")
    with op.batch_alter_table("collection_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_contacts_loan_id"))

    op.drop_table("collection_contacts")
    op.drop_table("relief_programs")
    with op.batch_alter_table("credit_line_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_line_events_user_id"))

    op.drop_table("credit_line_events")
    op.drop_table("servicing_policy_versions")
    op.drop_table("business_days")
