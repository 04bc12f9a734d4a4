"""The double-entry journal.

Every money movement on a loan is one `JournalTransaction` whose entries'
debits equal its credits (checked here before anything is written, and by
`flask credit check-ledger` afterwards).  Balances are derived from entries.

Accounts (normal side):

| account                  | side   | meaning                                          |
|--------------------------|--------|--------------------------------------------------|
| loan_receivable          | debit  | principal shoppers owe us                        |
| cash                     | debit  | card money received (Stripe balance)             |
| merchant_payable         | credit | what we owe merchants for financed orders        |
| merchant_discount_income | credit | the merchant discount we keep                    |
| promo_subsidy_income     | credit | the extra discount merchants pay for 0 % promos  |
| interest_income          | credit | interest paid by shoppers                        |
| fee_income               | credit | other fees paid by shoppers                      |
| late_fee_receivable      | debit  | late fees assessed and not yet paid              |
| late_fee_income          | credit | late fees assessed (income when assessed)        |
| fee_waivers              | debit  | late fees waived (hardship, relief): contra-income|
| charge_off_expense       | debit  | principal and fees written off at charge-off     |

A hardship plan that moves due dates or re-amortizes posts a restructuring
transaction: the principal it covers leaves and re-enters loan_receivable
(net zero per loan), so the journal shows when and how much was restructured.
| shopper_refund_payable   | credit | money owed back to a shopper (overpaid refund)   |
| bank                     | debit  | money received outside Stripe (offline payments) |
| fee_waiver_expense       | debit  | fees staff waived (the fee is recognised as       |
|                          |        | income and written off in the same transaction)  |

A mistaken transaction is never deleted: `reverse` posts its compensating
transaction (every leg on the other side).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from shop.models import CreditAccount, JournalEntry, JournalTransaction, Loan, LoanStatus
from shop.models.base import DbSession

ACCOUNTS = (
    "loan_receivable",
    "cash",
    "merchant_payable",
    "merchant_discount_income",
    "promo_subsidy_income",
    "interest_income",
    "fee_income",
    "shopper_refund_payable",
    "bank",
    "fee_waiver_expense",
    "late_fee_receivable",
    "late_fee_income",
    "fee_waivers",
    "charge_off_expense",
)


class UnbalancedPosting(Exception):
    """A posting whose debits and credits differ: a bug, never written."""


@dataclass(frozen=True)
class Leg:
    account: str
    debit_cents: int = 0
    credit_cents: int = 0
    loan_id: int | None = None
    user_id: int | None = None
    merchant_id: int | None = None


def debit(account: str, cents: int, **ids) -> Leg:
    return Leg(account, debit_cents=cents, **ids)


def credit(account: str, cents: int, **ids) -> Leg:
    return Leg(account, credit_cents=cents, **ids)


def post(
    s: DbSession,
    kind: str,
    legs: list[Leg],
    *,
    posted_on: date,
    loan_id: int | None = None,
    order_id: int | None = None,
    memo: str = "",
) -> JournalTransaction:
    """Write one balanced transaction; zero legs are dropped."""
    legs = [leg for leg in legs if leg.debit_cents or leg.credit_cents]
    for leg in legs:
        if leg.account not in ACCOUNTS:
            raise UnbalancedPosting(f"unknown account {leg.account!r}")
        if leg.debit_cents < 0 or leg.credit_cents < 0 or (leg.debit_cents and leg.credit_cents):
            raise UnbalancedPosting(f"a leg must be one positive side: {leg}")
    debits, credits = sum(leg.debit_cents for leg in legs), sum(leg.credit_cents for leg in legs)
    if debits != credits or not legs:
        raise UnbalancedPosting(f"{kind}: debits {debits} != credits {credits}")
    txn = JournalTransaction(kind=kind, memo=memo, loan_id=loan_id, order_id=order_id, posted_on=posted_on)
    txn.entries = [
        JournalEntry(
            account=leg.account,
            debit_cents=leg.debit_cents,
            credit_cents=leg.credit_cents,
            loan_id=leg.loan_id,
            user_id=leg.user_id,
            merchant_id=leg.merchant_id,
        )
        for leg in legs
    ]
    s.add(txn)
    s.flush()
    return txn


def reverse(s: DbSession, txn: JournalTransaction, *, posted_on: date, memo: str = "") -> JournalTransaction:
    """The compensating transaction of `txn`: the same legs on the other side."""
    legs = [Leg(e.account, e.credit_cents, e.debit_cents, e.loan_id, e.user_id, e.merchant_id) for e in txn.entries]
    return post(s, "reversal", legs, posted_on=posted_on, loan_id=txn.loan_id, order_id=txn.order_id, memo=memo[:200])


def post_in_batches(
    s: DbSession, kind: str, groups: list[list[Leg]], *, posted_on: date, memo: str, per_transaction: int = 250
) -> list[JournalTransaction]:
    """Post balanced groups of legs (one group per loan) as transactions of at
    most `per_transaction` groups, so a day's batch never makes one huge
    transaction (the PostgreSQL balance trigger sums a transaction per row)."""
    return [
        post(
            s, kind, [leg for group in groups[i : i + per_transaction] for leg in group], posted_on=posted_on, memo=memo
        )
        for i in range(0, len(groups), per_transaction)
        if any(leg.debit_cents or leg.credit_cents for group in groups[i : i + per_transaction] for leg in group)
    ]


def _balance(s: DbSession, account: str, **where) -> int:
    """Debit-minus-credit balance of `account` filtered by entry columns."""
    stmt = select(func.coalesce(func.sum(JournalEntry.debit_cents - JournalEntry.credit_cents), 0)).where(
        JournalEntry.account == account
    )
    for column, value in where.items():
        stmt = stmt.where(getattr(JournalEntry, column) == value)
    return int(s.scalar(stmt) or 0)


def loan_principal_cents(s: DbSession, loan_id: int) -> int:
    """Principal still owed on a loan, from the journal."""
    return _balance(s, "loan_receivable", loan_id=loan_id)


def open_principal_cents(s: DbSession, user_id: int) -> int:
    """Principal a shopper owes across all their loans, from the journal."""
    return _balance(s, "loan_receivable", user_id=user_id)


def unbalanced_transactions(s: DbSession) -> list[int]:
    stmt = (
        select(JournalEntry.transaction_id)
        .group_by(JournalEntry.transaction_id)
        .having(func.sum(JournalEntry.debit_cents) != func.sum(JournalEntry.credit_cents))
    )
    return list(s.scalars(stmt))


def trial_balance(s: DbSession) -> dict[str, int]:
    """Debit-minus-credit per account; sums to zero when the books balance."""
    rows = s.execute(
        select(JournalEntry.account, func.sum(JournalEntry.debit_cents - JournalEntry.credit_cents)).group_by(
            JournalEntry.account
        )
    ).all()
    return {account: int(total) for account, total in rows}


def principal_by_loan(s: DbSession) -> dict[int, int]:
    rows = s.execute(
        select(
            JournalEntry.loan_id,
            func.sum(
                case(
                    (JournalEntry.account == "loan_receivable", JournalEntry.debit_cents - JournalEntry.credit_cents),
                    else_=0,
                )
            ),
        )
        .where(JournalEntry.loan_id.is_not(None))
        .group_by(JournalEntry.loan_id)
    ).all()
    return {loan_id: int(total) for loan_id, total in rows}


def _balances_by_loan(s: DbSession, account: str) -> dict[int, int]:
    rows = s.execute(
        select(JournalEntry.loan_id, func.sum(JournalEntry.debit_cents - JournalEntry.credit_cents))
        .where(JournalEntry.account == account, JournalEntry.loan_id.is_not(None))
        .group_by(JournalEntry.loan_id)
    ).all()
    return {int(loan_id or 0): int(total) for loan_id, total in rows}


def ledger_problems(s: DbSession) -> list[str]:
    """Everything `flask credit check-ledger` verifies; one line per mismatch, [] when clean.

    * every journal transaction balances;
    * per loan, the journal's loan_receivable balance equals the installments'
      unpaid principal (zero once charged off), is not negative, and is zero once
      the loan is paid off; its late_fee_receivable equals the installments' unpaid fees;
    * no loan_receivable entry lacks its loan;
    * per credit account, the line minus the open principal is not negative.
    """

    problems: list[str] = []
    for txn_id in unbalanced_transactions(s):
        debits, credits = s.execute(
            select(func.sum(JournalEntry.debit_cents), func.sum(JournalEntry.credit_cents)).where(
                JournalEntry.transaction_id == txn_id
            )
        ).one()
        problems.append(f"journal transaction {txn_id} does not balance: debits {debits} != credits {credits}")
    loose = s.scalar(
        select(func.count(JournalEntry.id)).where(
            JournalEntry.account == "loan_receivable", JournalEntry.loan_id.is_(None)
        )
    )
    if loose:
        problems.append(f"{loose} loan_receivable entries have no loan")
    journal = principal_by_loan(s)
    fees = _balances_by_loan(s, "late_fee_receivable")
    for loan in s.scalars(select(Loan).options(selectinload(Loan.installments)).order_by(Loan.id)):
        booked = journal.get(loan.id, 0)
        written_off = loan.status == LoanStatus.CHARGED_OFF
        unpaid = 0 if written_off else sum(i.principal_cents - i.paid_principal_cents for i in loan.installments)
        unpaid_fees = 0 if written_off else sum(i.fee_cents - i.paid_fee_cents for i in loan.installments)
        if fees.get(loan.id, 0) != unpaid_fees:
            problems.append(
                f"loan {loan.number}: journal late fees {fees.get(loan.id, 0)} != unpaid fees {unpaid_fees}"
            )
        if booked != unpaid:
            problems.append(
                f"loan {loan.number}: journal principal {booked} != installments' unpaid principal {unpaid}"
            )
        if booked < 0:
            problems.append(f"loan {loan.number}: negative principal balance {booked}")
        if loan.status == LoanStatus.PAID_OFF and (booked != 0 or unpaid != 0):
            problems.append(
                f"loan {loan.number}: paid off but principal {booked} (journal) / {unpaid} (installments) is still open"
            )
    by_user = dict(
        s.execute(
            select(JournalEntry.user_id, func.sum(JournalEntry.debit_cents - JournalEntry.credit_cents))
            .where(JournalEntry.account == "loan_receivable", JournalEntry.user_id.is_not(None))
            .group_by(JournalEntry.user_id)
        ).all()
    )
    for account in s.scalars(select(CreditAccount).order_by(CreditAccount.id)):
        open_principal = int(by_user.get(account.user_id) or 0)
        if account.credit_line_cents - open_principal < 0:
            problems.append(
                f"credit account {account.id} (user {account.user_id}): open principal {open_principal} "
                f"exceeds the line {account.credit_line_cents}"
            )
    return problems


# PostgreSQL enforces the balance at commit as well (a deferred constraint
# trigger), so a bug that bypasses post() cannot commit an unbalanced
# transaction.  Installed by migration 0003 and by the test template.
