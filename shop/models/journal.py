"""The double-entry journal: every money movement on a loan is one balanced transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Model, utcnow


class JournalTransaction(Model):
    """One balanced double-entry posting (sum of debits = sum of credits)."""

    __tablename__ = "journal_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    memo: Mapped[str] = mapped_column(String(200), default="")
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    posted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    entries: Mapped[list[JournalEntry]] = relationship(back_populates="transaction", cascade="all, delete-orphan")


class JournalEntry(Model):
    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(40), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    debit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    transaction: Mapped[JournalTransaction] = relationship(back_populates="entries")

    __table_args__ = (
        CheckConstraint("debit_cents >= 0 AND credit_cents >= 0", name="sides_not_negative"),
        CheckConstraint("(debit_cents = 0) <> (credit_cents = 0)", name="one_side_only"),
    )


# PostgreSQL refuses to commit a journal transaction whose legs do not balance.  The
# trigger is DEFERRABLE INITIALLY DEFERRED: a transaction's legs are inserted one by one,
# so the sum is only meaningful at commit.  create_all() installs it (tests, fresh
# databases); migration 0003 carries its own frozen copy for upgraded databases.
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


for _statement in BALANCE_TRIGGER_DDL:
    event.listen(
        JournalEntry.__table__, "after_create", DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql")
    )
