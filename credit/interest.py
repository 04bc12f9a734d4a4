"""Daily simple interest (pure): the one servicing model of a loan after booking.

DESIGN, "After the loan": interest is daily simple interest on the
outstanding principal (actual/365); every payment goes first to fees due,
then to interest accrued to that day, then to principal, so paying early
always costs less, and the payoff quote, an early installment and a partial
payment on the same day agree to the cent.

The rules, as implemented here:

* **Accrual.** Interest accrues on the principal only (never on interest or
  fees) for each day after the accrued-through date up to and including the
  day asked about; a 365-day year, also in leap years.  0 % loans (pay-in-4,
  promotions) accrue nothing.  Interest is earned only for days that have
  passed: a payment on the day of the advance carries no interest at all.
* **Rounding.** ``LoanState.balance_days`` keeps the sum of principal x days
  since the advance (exact cent-days).  The interest earned up to a day is
  ``div_round(balance_days x rate / 365)`` (``credit.money.div_round``, half
  up) and a period's interest is the difference between two such figures.
  So each amount is rounded once, rounding never piles up over many
  payments (a loan's interest over its life is its exact daily interest
  rounded once), and moving a payment earlier never costs a cent more.
* **Payments** (:func:`apply_payment`) go to fees, then to interest (unpaid
  interest carried from before plus interest accrued to the payment day),
  then to principal.  The payoff quote on a day (:func:`payoff_quote`) is
  principal + that interest + fees, with no prepayment penalty; paying X and
  then the payoff on the same day costs exactly the quote before X.  An
  amount above the quote is refused; exactly the quote closes the loan.
* **Installments.** The loan keeps its remaining installments (due date,
  amount still due).  A payment covers what is due now in due order: the
  installments due on or before the payment day, or before the next due
  date that next installment (:func:`amount_due_cents`); anything beyond
  that prepays principal.  Prepaying never moves or lowers the next
  installments: they keep their level amount and the loan ends sooner, the
  last installments shrinking or dropping off (as the shop did before).
* **Remaining schedule** (:func:`remaining_schedule`): the installments
  re-projected as if each is paid on its due date (one past due: on the day
  of the projection): interest by the rule above between due dates, each
  installment keeps its amount and pays interest before principal, and the
  final one absorbs the remainder (it pays exactly what is then owed, so it
  grows after a late or short payment and shrinks after a prepayment); the
  ones no longer needed are left out.  After every payment or refund the
  state's installments are this projection.  A freshly booked loan
  (:func:`open_loan`) keeps its booked amounts until its first payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Final

from credit.allocation import InstallmentPayment
from credit.errors import CreditInputError
from credit.money import require_cents
from credit.schedule import KIND_DOWN_PAYMENT, Installment, check_rate, simple_interest_cents

YEAR_DAYS: Final = 365
"""Days in the interest year (actual/365: also 365 in a leap year)."""


@dataclass(frozen=True, slots=True)
class DueInstallment:
    """A scheduled installment that is still (partly) due: the shopper is
    asked for ``amount_cents`` on ``due_on``."""

    number: int
    due_on: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class LoanState:
    """Where a loan stands after its last payment (a value; every operation
    returns a new one).

    ``principal_cents`` is outstanding; interest is accrued through
    ``accrued_through_on`` (the last payment day, or the advance) and what is
    accrued but unpaid is ``unpaid_interest_cents``; ``unpaid_fees_cents`` are
    fees due; ``balance_days`` is the sum of principal x days since the
    advance (the rounding anchor, see the module doc); ``installments`` are
    the ones still due, in due order.
    """

    principal_cents: int
    annual_rate: Decimal
    accrued_through_on: date
    installments: tuple[DueInstallment, ...] = ()
    unpaid_interest_cents: int = 0
    unpaid_fees_cents: int = 0
    balance_days: int = 0

    def __post_init__(self) -> None:
        for name in ("principal_cents", "unpaid_interest_cents", "unpaid_fees_cents", "balance_days"):
            require_cents(getattr(self, name), name)
        check_rate(self.annual_rate)
        if not isinstance(self.accrued_through_on, date):
            raise CreditInputError("accrued_through_on", "must be a datetime.date")
        rows = tuple(sorted(self.installments, key=lambda row: (row.due_on, row.number)))
        for row in rows:
            require_cents(row.amount_cents, "installments")
        object.__setattr__(self, "installments", rows)

    @property
    def is_closed(self) -> bool:
        """Nothing is owed: no principal, interest or fees."""
        return self.principal_cents == self.unpaid_interest_cents == self.unpaid_fees_cents == 0


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """What closes the loan if paid on ``as_of``: principal, interest earned
    to that day (unpaid before plus accrued), fees.  No prepayment penalty."""

    as_of: date
    principal_cents: int
    interest_cents: int
    fees_cents: int

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.interest_cents + self.fees_cents


@dataclass(frozen=True, slots=True)
class PaymentAllocation:
    """How one payment was applied: fees, then interest, then principal
    (these three sum to the payment).  ``installments`` is what it covered of
    each installment due now (interest and principal of the installment's
    amount; fees are owed by the loan, not by an installment), in due order;
    ``paid_ahead_cents`` is the rest, a prepayment that shortens the loan."""

    fees_cents: int
    interest_cents: int
    principal_cents: int
    installments: tuple[InstallmentPayment, ...] = ()

    @property
    def total_cents(self) -> int:
        return self.fees_cents + self.interest_cents + self.principal_cents

    @property
    def paid_ahead_cents(self) -> int:
        covered = sum(row.total_cents for row in self.installments)
        return self.total_cents - self.fees_cents - covered


# ---------------------------------------------------------------- opening and accrual


def open_loan(schedule: Sequence[Installment], annual_rate: Decimal, start_on: date) -> LoanState:
    """The state of a loan booked on ``start_on`` with ``schedule`` (a down
    payment, paid at checkout, is not part of the loan): principal is the
    financed principal, nothing accrued yet, the booked amounts due."""
    financed = [row for row in schedule if row.kind != KIND_DOWN_PAYMENT]
    if not financed:
        raise CreditInputError("schedule", "must contain at least one financed installment")
    installments = tuple(DueInstallment(row.number, row.due_on, row.total_cents) for row in financed)
    return LoanState(sum(row.principal_cents for row in financed), annual_rate, start_on, installments)


def accrue(state: LoanState, on: date) -> LoanState:
    """``state`` with the interest accrued through ``on`` moved into unpaid
    interest (``on`` may not be before the accrued-through date)."""
    if not isinstance(on, date):
        raise CreditInputError("on", f"must be a datetime.date, got {type(on).__name__}")
    if on < state.accrued_through_on:
        raise CreditInputError("on", f"{on} is before the day interest is accrued through, {state.accrued_through_on}")
    days = (on - state.accrued_through_on).days
    if days == 0:
        return state
    balance_days = state.balance_days + state.principal_cents * days
    earned = simple_interest_cents(balance_days, state.annual_rate, YEAR_DAYS) - simple_interest_cents(
        state.balance_days, state.annual_rate, YEAR_DAYS
    )
    return replace(
        state,
        accrued_through_on=on,
        balance_days=balance_days,
        unpaid_interest_cents=state.unpaid_interest_cents + earned,
    )


def accrued_interest(state: LoanState, on: date) -> int:
    """Interest accrued on the outstanding principal from the accrued-through
    date to ``on`` (0 on that same day), actual/365, rounded once."""
    return accrue(state, on).unpaid_interest_cents - state.unpaid_interest_cents


def payoff_quote(state: LoanState, on: date) -> PayoffQuote:
    """Principal + unpaid interest + interest accrued to ``on`` + fees."""
    accrued = accrue(state, on)
    return PayoffQuote(on, accrued.principal_cents, accrued.unpaid_interest_cents, accrued.unpaid_fees_cents)


def _due_now(state: LoanState, on: date) -> list[DueInstallment]:
    """The installments due on or before ``on``; if none is, the next one (paid early)."""
    due = [row for row in state.installments if row.due_on <= on]
    return due or list(state.installments[:1])


def amount_due_cents(state: LoanState, on: date) -> int:
    """What "pay what is due" asks for on ``on``: fees plus the installments
    due on or before ``on`` (or, before the next due date, the next
    installment), at most the payoff; when that includes the last
    installment, exactly the payoff (the final one absorbs the remainder)."""
    payoff = payoff_quote(state, on).total_cents
    due = _due_now(state, on)
    if len(due) == len(state.installments):
        return payoff
    return min(payoff, state.unpaid_fees_cents + sum(row.amount_cents for row in due))


def assess_fee(state: LoanState, fee_cents: int) -> LoanState:
    """A fee (a late fee, as servicing rules decide) becomes due; fees bear no interest."""
    require_cents(fee_cents, "fee_cents")
    if state.is_closed:
        raise CreditInputError("state", "the loan is closed")
    return replace(state, unpaid_fees_cents=state.unpaid_fees_cents + fee_cents)


# ---------------------------------------------------------------- payments


def apply_payment(state: LoanState, amount_cents: int, on: date) -> tuple[PaymentAllocation, LoanState]:
    """Apply a payment made on ``on``: fees, then interest accrued to that
    day, then principal; the installments it covers and the re-projected
    remaining ones (see the module doc).

    An amount above the payoff quote is refused (``CreditInputError``); the
    exact quote closes the loan.  ``on`` may not be before the last payment.
    """
    require_cents(amount_cents, "amount_cents", minimum=1)
    if state.is_closed:
        raise CreditInputError("state", "the loan is closed")
    accrued = accrue(state, on)
    payoff = accrued.principal_cents + accrued.unpaid_interest_cents + accrued.unpaid_fees_cents
    if amount_cents > payoff:
        raise CreditInputError("amount_cents", f"{amount_cents} is more than the payoff of {payoff} on {on}")
    fees = min(amount_cents, accrued.unpaid_fees_cents)
    interest = min(amount_cents - fees, accrued.unpaid_interest_cents)
    principal = amount_cents - fees - interest
    paid = replace(
        accrued,
        principal_cents=accrued.principal_cents - principal,
        unpaid_interest_cents=accrued.unpaid_interest_cents - interest,
        unpaid_fees_cents=accrued.unpaid_fees_cents - fees,
    )
    covered = list(state.installments) if paid.is_closed else _due_now(state, on)
    parts = _cover(covered, interest, principal, absorb=paid.is_closed)
    allocation = PaymentAllocation(fees, interest, principal, parts)
    if paid.is_closed:
        return allocation, replace(paid, installments=())
    taken = {row.number: row.total_cents for row in parts}
    left = [replace(row, amount_cents=row.amount_cents - taken.get(row.number, 0)) for row in state.installments]
    still_due = [row for row in left if row.amount_cents > 0] or left[-1:]  # the last one stays while anything is owed
    return allocation, reproject(replace(paid, installments=tuple(still_due)))


def _cover(
    rows: list[DueInstallment], interest: int, principal: int, *, absorb: bool
) -> tuple[InstallmentPayment, ...]:
    """Spread a payment's interest, then principal, over ``rows`` in due
    order, each up to its amount; with ``absorb`` the last row takes the rest."""
    parts = []
    for index, row in enumerate(rows):
        room = interest + principal if absorb and index == len(rows) - 1 else row.amount_cents
        on_interest = min(room, interest)
        on_principal = min(room - on_interest, principal)
        interest, principal = interest - on_interest, principal - on_principal
        if on_interest or on_principal:
            parts.append(InstallmentPayment(row.number, 0, on_interest, on_principal))
    return tuple(parts)


# ---------------------------------------------------------------- projection


def _project(state: LoanState, on: date) -> list[Installment]:
    """Every remaining installment projected from ``on`` (see the module doc), zero rows included."""
    start = accrue(state, on)
    balance, owed_interest, fees = start.principal_cents, start.unpaid_interest_cents, start.unpaid_fees_cents
    balance_days, last_on = start.balance_days, on
    rows: list[Installment] = []
    for index, due in enumerate(start.installments):
        paid_on = max(due.due_on, on)
        grown = balance_days + balance * (paid_on - last_on).days
        owed_interest += simple_interest_cents(grown, start.annual_rate, YEAR_DAYS) - simple_interest_cents(
            balance_days, start.annual_rate, YEAR_DAYS
        )
        balance_days, last_on = grown, paid_on
        owed = balance + owed_interest + fees
        amount = owed if index == len(start.installments) - 1 else min(due.amount_cents, owed)
        fee = min(amount, fees)
        interest = min(amount - fee, owed_interest)
        principal = amount - fee - interest
        balance, owed_interest, fees = balance - principal, owed_interest - interest, fees - fee
        rows.append(Installment(due.number, due.due_on, principal, interest, fee, amount, balance))
    return rows


def remaining_schedule(state: LoanState, on: date | None = None) -> list[Installment]:
    """The schedule to show from ``on`` (default: the accrued-through date):
    each remaining installment paid on its due date, the level amount kept,
    the final one absorbing the remainder; installments no longer needed are
    left out.  ``principal_cents`` of the rows sum to the outstanding
    principal; their totals sum to what the loan costs if paid on time."""
    return [row for row in _project(state, on or state.accrued_through_on) if row.total_cents]


def reproject(state: LoanState) -> LoanState:
    """``state`` with its installments' amounts set to :func:`remaining_schedule`
    as of its accrued-through date (a closed loan has none)."""
    if state.is_closed:
        return replace(state, installments=())
    rows = remaining_schedule(state)
    return replace(state, installments=tuple(DueInstallment(row.number, row.due_on, row.total_cents) for row in rows))
