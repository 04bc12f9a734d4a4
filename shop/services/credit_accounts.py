"""The shopper's credit account: its line, what is available, and its lock."""

from __future__ import annotations

from sqlalchemy import select, update

from shop.models import CreditAccount, User
from shop.models.base import DbSession
from shop.services import ledger
from shop.services.credit_signals import is_frozen
from shop.services.errors import CreditError


def account_of(s: DbSession, user: User) -> CreditAccount | None:
    return s.scalars(select(CreditAccount).filter_by(user_id=user.id)).first()


def available_credit_cents(s: DbSession, account: CreditAccount) -> int:
    """The line minus open principal; 0 while a loan is past due (frozen, see credit_signals)."""
    if is_frozen(s, account.user_id):
        return 0
    return max(account.credit_line_cents - ledger.open_principal_cents(s, account.user_id), 0)


def lock_account(s: DbSession, user: User) -> CreditAccount:
    """Take the shopper's credit-account lock (first in the fixed lock order)."""
    result = s.execute(
        update(CreditAccount)
        .where(CreditAccount.user_id == user.id)
        .values(lock_version=CreditAccount.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for UPDATE
        raise CreditError("You do not have an approved credit line yet.")
    account = s.scalars(select(CreditAccount).filter_by(user_id=user.id)).one()
    s.refresh(account)
    return account
