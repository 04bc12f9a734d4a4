"""Random sequences of checkouts on credit, repayments of the next installment,
partial payments, overpayment attempts, payoffs and the passing of business
days, against the real database and the local Stripe server through the
service layer (one commit per step, as a request does).  After every step the
journal balances and agrees with the loans' schedules and the credit line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, update

from shop.extensions import db
from shop.models import CreditAccount, JournalEntry, Listing, Loan, LoanPayment, User
from shop.services import credit_accounts, errors, ledger, offers, repayments
from tests.support.builders import approved_shopper, book, saved_card, schedule_outstanding_cents

SETTINGS = settings(
    max_examples=15,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _machine(app, stripe_base):
    class LoanBook(RuleBasedStateMachine):
        """One shopper per example (a new user each time, so examples share the
        database but never each other's account)."""

        def __init__(self):
            super().__init__()
            self.user_id: int | None = None
            self.pm = ""
            self.today = date.today()
            self.keys = 0
            self.active: set[int] = set()  # ids of the shopper's open loans

        def _key(self) -> str:
            self.keys += 1
            return f"u{self.user_id}-step{self.keys}"

        def _user(self, s) -> User:
            return s.get(User, self.user_id)

        def _active_loans(self, s) -> list[Loan]:
            return list(s.scalars(select(Loan).filter_by(user_id=self.user_id, status="active").order_by(Loan.id)))

        def _pick_active_loan(self, s, data) -> Loan:
            loans = self._active_loans(s)
            assert {loan.id for loan in loans} == self.active
            return data.draw(st.sampled_from(loans), label="loan")

        def _settled(self, loan: Loan) -> None:
            if loan.status != "active":
                self.active.discard(loan.id)

        @initialize(
            tier=st.sampled_from("ABCDE"), line=st.sampled_from([150_000, 300_000, 600_000, 1_500_000]), data=st.data()
        )
        def open_account_and_buy(self, tier, line, data):
            with app.app_context():
                s = db.session
                s.execute(update(Listing).values(stock=1000, active=True).execution_options(synchronize_session=False))
                user = approved_shopper(s, tier=tier, line_cents=line, today=self.today)
                self.pm = saved_card(s, user, stripe_base)
                s.commit()
                self.user_id = user.id
            self.checkout(data)

        @precondition(lambda self: self.user_id is not None)
        @rule(data=st.data())
        def checkout(self, data):
            with app.app_context():
                s = db.session
                user = self._user(s)
                listings = s.scalars(select(Listing).where(Listing.financing_eligible.is_(True)).order_by(Listing.sku))
                offered = [
                    (listing, found)
                    for listing in listings
                    if (found := offers.offers_for(s, user, [(listing, 1)], self.today))
                ]
                if not offered:  # the line is used up
                    return
                listing, choices = data.draw(st.sampled_from(offered), label="listing")
                offer = data.draw(st.sampled_from(choices), label="offer")
                loan = book(s, user, listing.sku, offer.product, self.pm, self.today)
                s.commit()
                assert loan.product == offer.product and loan.cash_price_cents == listing.price_cents
                assert loan.down_payment_cents == offer.disclosure.down_payment_cents
                assert ledger.loan_principal_cents(s, loan.id) == loan.financed_cents
                self.active.add(loan.id)

        @precondition(lambda self: self.active)
        @rule(data=st.data())
        def pay_next_installment(self, data):
            with app.app_context():
                s = db.session
                loan = self._pick_active_loan(s, data)
                due = repayments.amount_due_now_cents(loan, self.today)
                before = ledger.loan_principal_cents(s, loan.id)
                receipt = repayments.record_repayment(
                    s,
                    self._user(s),
                    loan,
                    amount_cents=None,
                    kind="next",
                    key=self._key(),
                    payment_method_id=self.pm,
                    today=self.today,
                )
                s.commit()
                self._settled(loan)
                assert receipt.payment.amount_cents == due > 0
                a = receipt.allocation
                assert a["paid_ahead_cents"] == 0  # paying what is due pays nothing ahead
                assert before - ledger.loan_principal_cents(s, loan.id) == a["principal_cents"]
                assert (
                    repayments.amount_due_now_cents(loan, self.today) == 0
                    or loan.status == "paid_off"
                    or (
                        # what is due now after paying it is the next installment, due later
                        repayments.next_installment(loan).due_on > self.today
                    )
                )

        @precondition(lambda self: self.active)
        @rule(data=st.data())
        def pay_part(self, data):
            with app.app_context():
                s = db.session
                loan = self._pick_active_loan(s, data)
                # Anything below today's payoff amount (the payoff amount itself is a payoff, a rule of its own).
                limit = repayments.payoff_quote(loan, self.today).total_cents - 1
                assume(limit >= 1)
                amount = data.draw(st.one_of(st.integers(1, limit), st.just(limit)), label="amount")
                before = ledger.loan_principal_cents(s, loan.id)
                receipt = repayments.record_repayment(
                    s,
                    self._user(s),
                    loan,
                    amount_cents=amount,
                    kind="amount",
                    key=self._key(),
                    payment_method_id=self.pm,
                    today=self.today,
                )
                s.commit()
                self._settled(loan)
                a = receipt.allocation
                assert (
                    receipt.payment.amount_cents
                    == amount
                    == a["fees_cents"] + a["interest_cents"] + a["principal_cents"]
                )
                assert before - ledger.loan_principal_cents(s, loan.id) == a["principal_cents"]

        @precondition(lambda self: self.active)
        @rule(data=st.data())
        def try_to_pay_more_than_owed(self, data):
            with app.app_context():
                s = db.session
                loan = self._pick_active_loan(s, data)
                payments_before = s.scalar(select(func.count(LoanPayment.id)))
                entries_before = s.scalar(select(func.count(JournalEntry.id)))
                payoff = repayments.payoff_quote(loan, self.today).total_cents
                extra = data.draw(st.integers(0, 100_000), label="extra")
                with pytest.raises(errors.CreditError, match="more than you owe"):
                    repayments.record_repayment(
                        s,
                        self._user(s),
                        loan,
                        amount_cents=payoff + extra,
                        kind="amount",
                        key=self._key(),
                        payment_method_id=self.pm,
                        today=self.today,
                    )
                s.rollback()
                assert s.scalar(select(func.count(LoanPayment.id))) == payments_before
                assert s.scalar(select(func.count(JournalEntry.id))) == entries_before

        @precondition(lambda self: self.active)
        @rule(data=st.data())
        def pay_off(self, data):
            with app.app_context():
                s = db.session
                loan = self._pick_active_loan(s, data)
                quote = repayments.payoff_quote(loan, self.today)
                receipt = repayments.record_repayment(
                    s,
                    self._user(s),
                    loan,
                    amount_cents=None,
                    kind="payoff",
                    key=self._key(),
                    payment_method_id=self.pm,
                    today=self.today,
                )
                s.commit()
                self._settled(loan)
                assert receipt.payment.amount_cents == quote.total_cents
                assert loan.status == "paid_off" and ledger.loan_principal_cents(s, loan.id) == 0
                assert all(i.is_paid for i in loan.installments)

        @precondition(lambda self: self.user_id is not None)
        @rule(days=st.integers(1, 45))
        def business_days_pass(self, days):
            self.today += timedelta(days=days)

        @precondition(lambda self: self.user_id is not None)
        @invariant()
        def books_balance_and_agree_with_loans_and_line(self):
            with app.app_context():
                s = db.session
                assert ledger.unbalanced_transactions(s) == []
                tb = ledger.trial_balance(s)
                assert sum(tb.values()) == 0
                assert tb.get("cash", 0) == (s.scalar(select(func.sum(LoanPayment.amount_cents))) or 0)
                assert all(v >= 0 for v in ledger.principal_by_loan(s).values())
                open_principal = 0
                for loan in s.scalars(select(Loan).filter_by(user_id=self.user_id)):
                    principal = ledger.loan_principal_cents(s, loan.id)
                    assert principal == schedule_outstanding_cents(loan) >= 0
                    for i in loan.installments:
                        for part in ("principal", "interest", "fee"):
                            paid, owed = getattr(i, f"paid_{part}_cents"), getattr(i, f"{part}_cents")
                            assert 0 <= paid <= owed, (loan.number, i.number, part, paid, owed)
                    assert all(p.amount_cents > 0 for p in loan.payments)
                    if loan.status == "paid_off":
                        assert principal == 0 and all(i.is_paid for i in loan.installments)
                    else:
                        assert principal > 0, f"{loan.number} is open with no principal left"
                    open_principal += principal
                account = s.scalars(select(CreditAccount).filter_by(user_id=self.user_id)).one()
                assert ledger.open_principal_cents(s, self.user_id) == open_principal
                assert account.credit_line_cents - open_principal >= 0
                assert credit_accounts.available_credit_cents(s, account) == account.credit_line_cents - open_principal

    return LoanBook


def test_random_checkouts_repayments_and_payoffs_keep_the_books_balanced(app, stripe_base):
    run_state_machine_as_test(_machine(app, stripe_base), settings=SETTINGS)
