"""The shopper's account home: what they have with us at a glance (orders,
credit line, loans) and the loan behind a financed order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from shop.models import CreditAccount, Loan, Order, OutboxMessage, User
from shop.models.base import DbSession
from shop.services import notices
from shop.services.credit_accounts import account_of, available_credit_cents
from shop.services.orders import orders_of

RECENT_ORDERS = 5
RECENT_NOTICES = 3


@dataclass(frozen=True)
class AccountSummary:
    recent_orders: list[Order]
    order_count: int
    account: CreditAccount | None
    available_cents: int
    loans: list[Loan]
    notices: list[tuple[OutboxMessage, str]]  # the latest notices sent to the shopper, with their subjects


def loans_of(s: DbSession, user: User) -> list[Loan]:
    """The shopper's loans, newest first."""
    return list(s.scalars(select(Loan).filter_by(user_id=user.id).order_by(Loan.id.desc())))


def summary(s: DbSession, user: User) -> AccountSummary:
    every_order = orders_of(s, user)
    account = account_of(s, user)
    return AccountSummary(
        recent_orders=every_order[:RECENT_ORDERS],
        order_count=len(every_order),
        account=account,
        available_cents=available_credit_cents(s, account) if account else 0,
        loans=loans_of(s, user),
        notices=[(m, notices.render(s, m).subject) for m in notices.notices_of(s, user.id, limit=RECENT_NOTICES)],
    )


def loan_of_order(s: DbSession, order: Order) -> Loan | None:
    """The loan that financed `order` (None for an order paid by card)."""
    return s.scalars(select(Loan).filter_by(order_id=order.id)).first()
