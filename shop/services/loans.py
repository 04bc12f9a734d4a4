"""Booking a loan at checkout: lock the shopper's credit account, charge the
down payment, book the loan and its installments, post the journal.

Unit of work: functions add and flush, the caller commits once.  Locks are
taken in one fixed order: the shopper's credit-account row first (a no-op
UPDATE, which is a row lock on PostgreSQL and the write lock on SQLite),
then listings in id order (shop.services.orders.take_stock).  Inside that lock
the available credit (line minus open principal in the journal) cannot
change, so concurrent checkouts never exceed the line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from credit.offers import Offer
from credit.pricing import MerchantSplit, merchant_split
from shop.gateways import stripe as payments
from shop.models import (
    CreditDecision,
    Loan,
    LoanInstallment,
    Order,
    OrderPaymentKind,
    OrderStatus,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import documents, ledger, orders, policies
from shop.services.credit_accounts import account_of, lock_account
from shop.services.errors import CreditError
from shop.services.offers import chosen_offer
from shop.services.repayments import record_down_payment

AGREEMENT_VERSION = "agreement-2026.1"


def applicant_legal_name(s: DbSession, user: User) -> str:
    """The legal name on the application behind the shopper's credit line."""
    account = account_of(s, user)
    decision = s.get(CreditDecision, account.decision_id) if account else None
    if decision is None:
        raise CreditError("You do not have an approved credit line yet.")
    return decision.application.legal_name


def signature_matches(legal_name: str, signature: str) -> bool:
    """A typed signature matches the legal name, ignoring case and spacing."""
    return " ".join(signature.split()).casefold() == " ".join(legal_name.split()).casefold()


@dataclass(frozen=True)
class Acceptance:
    name: str
    ip: str
    user_agent: str


def place_credit_order(
    s: DbSession,
    user: User,
    lines: list[orders.Line],
    address: orders.Address | None,
    *,
    key: str,
    product: str,
    payment_method_id: str,
    acceptance: Acceptance,
    held_order: Order | None = None,
    today: date | None = None,
) -> tuple[Order, Loan]:
    """Place an order on credit: charge the down payment, then book the loan.

    Returns the existing order and loan when this checkout key was placed
    already.  Raises CreditError/PaymentError (nothing written) when the
    offer no longer fits or the card is declined."""
    today = today or utcnow().date()
    placed = _placed(s, user, key)
    if placed:
        return placed
    account = lock_account(s, user)
    placed = _placed(s, user, key)  # a concurrent submit may have finished while we waited
    if placed:
        return placed
    if held_order is not None:
        order = held_order
        order.idempotency_key = key
    elif address is None:
        raise CreditError("Your checkout has expired; please enter your shipping address again.")
    else:
        order = orders.build_order(
            s, user, lines, address, key, status=OrderStatus.FINANCED, kind=OrderPaymentKind.CREDIT
        )
    offer = chosen_offer(s, account, order, product, today)
    decision = s.get_one(CreditDecision, account.decision_id)
    customer_id = payments.ensure_customer(user)
    down = sum(row.total_cents for row in offer.schedule if row.due_on <= today)
    charge = None
    if down:
        charge = payments.charge(
            amount_cents=down,
            currency=order.currency,
            customer_id=customer_id,
            payment_method_id=payment_method_id,
            metadata={"checkout_key": key, "kind": "down_payment", "user_id": str(user.id)},
        )
        if charge.status != "succeeded":
            raise payments.PaymentError(
                "Your bank asked for extra authentication we cannot do for a down payment. Please use another card."
            )
    loan = _book_loan(s, user, order, offer, decision, product, payment_method_id, acceptance, today)
    if charge is not None:
        record_down_payment(s, loan, charge, key, today)
    order.status, order.paid_at, order.hold_expires_at = OrderStatus.FINANCED, utcnow(), None
    s.flush()
    return order, loan


def _placed(s: DbSession, user: User, key: str) -> tuple[Order, Loan] | None:
    order = orders.find_by_key(s, user, key)
    if order is None:
        return None
    loan = s.scalars(select(Loan).filter_by(order_id=order.id)).first()
    return (order, loan) if loan is not None else None


def _merchant_split(s: DbSession, order: Order, product: str) -> MerchantSplit:
    """What each merchant is owed for this order, the discount and the promo subsidy (priced
    by the active policy's pricing section: credit.pricing)."""
    _, policy = policies.active(s)
    lines = [(line.merchant_id, line.line_total_cents) for line in order.lines]
    return merchant_split(order.total_cents, lines, product, policy)


def _book_loan(
    s: DbSession,
    user: User,
    order: Order,
    offer: Offer,
    decision: CreditDecision,
    product: str,
    payment_method_id: str,
    acceptance: Acceptance,
    today: date,
) -> Loan:
    d = offer.disclosure
    split = _merchant_split(s, order, product)
    nets, discount, subsidy = split.nets, split.discount_cents, split.subsidy_cents
    loan = Loan(
        number="L-" + order.number.removeprefix("IM-"),
        user_id=user.id,
        order_id=order.id,
        decision_id=decision.id,
        product=product,
        months=offer.terms.months,
        rate_bps=int(offer.terms.apr_percent * 100),
        disclosed_apr_bps=int(d.apr * 100),
        currency=order.currency,
        cash_price_cents=order.total_cents,
        down_payment_cents=d.down_payment_cents,
        financed_cents=d.amount_financed_cents,
        finance_charge_cents=d.finance_charge_cents,
        total_of_payments_cents=d.total_of_payments_cents,
        merchant_discount_cents=discount,
        promo_subsidy_cents=subsidy,
        start_on=today,
        autopay=True,
        stripe_payment_method_id=payment_method_id,
        disclosure=disclosure_dict(d),
        agreement_version=AGREEMENT_VERSION,
        agreement_html="",
        accepted_name=acceptance.name,
        accepted_at=utcnow(),
        accepted_ip=acceptance.ip,
        accepted_user_agent=acceptance.user_agent[:400],
    )
    loan.installments = [
        LoanInstallment(
            number=row.number,
            kind=row.kind,
            due_on=row.due_on,
            principal_cents=row.principal_cents,
            interest_cents=row.interest_cents,
            fee_cents=row.fee_cents,
        )
        for row in offer.schedule
    ]
    s.add(loan)
    s.flush()
    # The agreement is a standalone snapshot of what the shopper signed.
    loan.agreement_html = documents.render_agreement(loan=loan, offer=offer, order=order, user=user)
    ids = {"loan_id": loan.id, "user_id": user.id}
    legs = [ledger.debit("loan_receivable", loan.financed_cents + d.down_payment_cents, **ids)]
    legs += [ledger.credit("merchant_payable", net, merchant_id=m) for m, net in nets]
    legs += [ledger.credit("merchant_discount_income", discount), ledger.credit("promo_subsidy_income", subsidy)]
    ledger.post(
        s,
        "loan_booked",
        legs,
        posted_on=today,
        loan_id=loan.id,
        order_id=order.id,
        memo=f"{loan.number}: {product} for order {order.number}",
    )
    return loan


def disclosure_dict(d) -> dict:
    return {
        "amount_financed_cents": d.amount_financed_cents,
        "finance_charge_cents": d.finance_charge_cents,
        "apr": str(d.apr),
        "total_of_payments_cents": d.total_of_payments_cents,
        "total_sale_price_cents": d.total_sale_price_cents,
        "down_payment_cents": d.down_payment_cents,
        "payment_groups": [
            {
                "count": g.count,
                "amount_cents": g.amount_cents,
                "first_due_on": g.first_due_on.isoformat(),
                "cadence": g.cadence,
            }
            for g in d.payment_groups
        ],
        "late_charge_text": d.late_charge_text,
        "prepayment_text": d.prepayment_text,
        "currency": d.currency,
    }
