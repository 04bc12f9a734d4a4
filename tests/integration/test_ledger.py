"""The double-entry journal: every posting balances, is refused when it would
not, and every posting path of shop/services (loans, repayments) leaves the books balanced with
the booking and repayment legs a loan's accounting relies on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import JournalEntry, JournalTransaction, Loan, LoanPayment
from shop.services import ledger, repayments
from tests.support.builders import (
    approved_shopper,
    assert_books_balance,
    book,
    saved_card,
    schedule_outstanding_cents,
)

# --- helpers shared with test_ledger_stateful.py ---------------------------------


def legs(s, txn: JournalTransaction) -> dict[str, tuple[int, int]]:
    """account -> (debits, credits) of one transaction."""
    out: dict[str, tuple[int, int]] = {}
    for e in s.scalars(select(JournalEntry).filter_by(transaction_id=txn.id)):
        d, c = out.get(e.account, (0, 0))
        out[e.account] = (d + e.debit_cents, c + e.credit_cents)
    return out


def _counts(s) -> tuple[int, int]:
    return (s.scalar(select(func.count(JournalTransaction.id))), s.scalar(select(func.count(JournalEntry.id))))


# --- ledger.post refuses what does not balance -------------------------------------


@pytest.mark.parametrize(
    "bad_legs",
    [
        pytest.param([ledger.debit("cash", 1000), ledger.credit("loan_receivable", 999)], id="unbalanced"),
        pytest.param([ledger.debit("cash", -500), ledger.credit("loan_receivable", -500)], id="negative-legs"),
        pytest.param([ledger.Leg("cash", debit_cents=700, credit_cents=700)], id="both-sided-leg"),
        pytest.param(
            [ledger.Leg("cash", debit_cents=300, credit_cents=100), ledger.credit("fee_income", 200)],
            id="both-sided-leg-that-nets-to-balance",
        ),
        pytest.param([ledger.debit("cash", 1000), ledger.credit("petty_cash", 1000)], id="unknown-account"),
        pytest.param([], id="no-legs"),
        pytest.param([ledger.debit("cash", 0), ledger.credit("loan_receivable", 0)], id="only-zero-legs"),
    ],
)
def test_a_posting_that_does_not_balance_is_refused_and_nothing_is_written(app, bad_legs):
    with app.app_context():
        s = db.session
        before = _counts(s)
        with pytest.raises(ledger.UnbalancedPosting):
            ledger.post(s, "test", bad_legs, posted_on=date.today(), memo="must not be written")
        s.commit()
        assert _counts(s) == before
        assert s.scalar(select(func.count(JournalTransaction.id)).filter_by(memo="must not be written")) == 0


def test_a_balanced_posting_is_written_without_its_zero_legs(app):
    with app.app_context():
        s = db.session
        before_txns, before_entries = _counts(s)
        txn = ledger.post(
            s,
            "test",
            [
                ledger.debit("cash", 1500),
                ledger.credit("fee_income", 1000),
                ledger.credit("interest_income", 500),
                ledger.credit("fee_income", 0),
            ],
            posted_on=date.today(),
        )
        s.commit()
        assert _counts(s) == (before_txns + 1, before_entries + 3)
        assert legs(s, txn) == {"cash": (1500, 0), "fee_income": (0, 1000), "interest_income": (0, 500)}
        assert_books_balance(s)


# --- every posting path of shop/services (loans, repayments) -------------------------------------------


def _check_booking(s, loan: Loan) -> None:
    """The booking debits the cash price to loan_receivable and credits it to merchants and income;
    a down payment is then a repayment: cash debit, loan_receivable credit."""
    booked = s.scalars(select(JournalTransaction).filter_by(loan_id=loan.id, kind="loan_booked")).one()
    b = legs(s, booked)
    assert loan.financed_cents + loan.down_payment_cents == loan.cash_price_cents
    assert b["loan_receivable"] == (loan.cash_price_cents, 0)
    credits = sum(b.get(a, (0, 0))[1] for a in ("merchant_payable", "merchant_discount_income", "promo_subsidy_income"))
    assert credits == loan.cash_price_cents
    assert set(b) <= {"loan_receivable", "merchant_payable", "merchant_discount_income", "promo_subsidy_income"}
    assert b["merchant_discount_income"] == (0, loan.merchant_discount_cents)
    assert b.get("promo_subsidy_income", (0, 0)) == (0, loan.promo_subsidy_cents)
    downs = s.scalars(select(JournalTransaction).filter_by(loan_id=loan.id, kind="repayment_down_payment")).all()
    if loan.down_payment_cents:
        [down] = downs
        d = legs(s, down)
        assert d["cash"] == (loan.down_payment_cents, 0)
        assert d["loan_receivable"][1] + d.get("interest_income", (0, 0))[1] == loan.down_payment_cents
        [payment] = [p for p in loan.payments if p.kind == "down_payment"]
        assert payment.amount_cents == loan.down_payment_cents and payment.journal_transaction_id == down.id
    else:
        assert downs == []
    assert ledger.loan_principal_cents(s, loan.id) == schedule_outstanding_cents(loan) == loan.financed_cents


def _check_repayment(s, loan: Loan, receipt: repayments.Receipt, principal_before: int) -> None:
    txn = s.get(JournalTransaction, receipt.payment.journal_transaction_id)
    r = legs(s, txn)
    a = receipt.allocation
    principal, interest, fees = a["principal_cents"], a["interest_cents"], a["fees_cents"]
    assert principal + interest + fees == receipt.payment.amount_cents
    assert r["cash"] == (receipt.payment.amount_cents, 0)
    assert r.get("loan_receivable", (0, 0)) == (0, principal)
    assert r.get("interest_income", (0, 0)) == (0, interest)
    assert ledger.loan_principal_cents(s, loan.id) == principal_before - principal == schedule_outstanding_cents(loan)


def test_every_posting_path_balances_and_books_the_right_legs(app, stripe_base):
    today = date.today()
    with app.app_context():
        s = db.session
        user = approved_shopper(s, tier="C")  # tier C: monthly plans carry a 5 % down payment
        pm = saved_card(s, user, stripe_base)
        s.commit()
        loans = {}
        for sku, product in [
            ("VC-PHN-01", "monthly_12"),
            ("VC-PHN-02", "pay_in_4"),
            ("VC-LTP-01", "promo_12"),
            ("HH-SOF-01", "promo_6"),
        ]:
            loans[product] = book(s, user, sku, product, pm, today)
            s.commit()
            assert_books_balance(s)
            _check_booking(s, loans[product])
        assert loans["monthly_12"].down_payment_cents == 4495  # 5 % of $899.00
        assert loans["pay_in_4"].down_payment_cents == 9975  # the first of four payments of $399.00
        assert loans["promo_12"].promo_subsidy_cents == 10392  # 8 % of $1,299.00
        assert loans["promo_6"].promo_subsidy_cents == 5396  # 4.5 % of $1,199.00

        loan = loans["monthly_12"]
        first_due = repayments.next_installment(loan).due_on
        steps = [
            ("next", None, first_due),
            ("amount", 12345, first_due + timedelta(days=3)),
            ("next", None, first_due + timedelta(days=45)),  # a month later: one installment is past due
            ("payoff", None, first_due + timedelta(days=50)),
        ]
        for n, (kind, amount, on) in enumerate(steps):
            before = ledger.loan_principal_cents(s, loan.id)
            receipt = repayments.record_repayment(
                s, user, loan, amount_cents=amount, kind=kind, key=f"pay-{n}", payment_method_id=pm, today=on
            )
            s.commit()
            assert_books_balance(s)
            _check_repayment(s, loan, receipt, before)
        assert loan.status == "paid_off" and ledger.loan_principal_cents(s, loan.id) == 0

        for product in ("pay_in_4", "promo_12", "promo_6"):  # every product can be paid off too
            other = loans[product]
            before = ledger.loan_principal_cents(s, other.id)
            receipt = repayments.record_repayment(
                s,
                user,
                other,
                amount_cents=None,
                kind="payoff",
                key=f"payoff-{product}",
                payment_method_id=pm,
                today=today,
            )
            s.commit()
            assert_books_balance(s)
            _check_repayment(s, other, receipt, before)
            assert receipt.payment.amount_cents == before  # 0 % products: the payoff is the principal

        kinds = set(s.scalars(select(JournalTransaction.kind)))
        assert kinds == {
            "loan_booked",
            "repayment_down_payment",
            "repayment_next",
            "repayment_amount",
            "repayment_payoff",
        }
        assert ledger.open_principal_cents(s, user.id) == 0
        downs = sum(1 for loan in loans.values() if loan.down_payment_cents)  # monthly_12 and pay_in_4
        assert downs == 2 and s.scalar(select(func.count(LoanPayment.id))) == downs + len(steps) + 3
        assert all(v == 0 for v in ledger.principal_by_loan(s).values())
        tb = ledger.trial_balance(s)
        assert tb["loan_receivable"] == 0
        assert tb["cash"] == s.scalar(select(func.sum(LoanPayment.amount_cents)))
