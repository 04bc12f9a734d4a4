"""Pay over time: offers for a cart, booking a loan at checkout, repayments,
payoff, autopay and referred (held) orders.

Unit of work: functions add and flush, the caller commits once.  Locks are
taken in one fixed order: the shopper's credit-account row first (a no-op
UPDATE, which is a row lock on PostgreSQL and the write lock on SQLite),
then listings in id order (shop.orders.take_stock).  Inside that lock the
available credit (line minus open principal in the journal) cannot change,
so concurrent checkouts never exceed the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from credit.allocation import Allocation, OpenInstallment, allocate_payment, buckets_as_of
from credit.money import allocate_by_weights, percent_of
from credit.offers import Offer, build_offer, eligible_terms
from credit.schedule import Installment
from credit.servicing import accrued_interest_cents, reamortize
from shop import ledger, orders, payments, policies
from shop.applications import credit_cart
from shop.credit_models import CreditAccount, CreditDecision, Loan, LoanInstallment, LoanPayment
from shop.models import Listing, Order, OrderStatus, User, utcnow

AGREEMENT_VERSION = "agreement-2026.1"
MERCHANT_DISCOUNT_PERCENT = Decimal("3.0")  # what every merchant pays on a financed sale
PROMO_SUBSIDY_PERCENT = {3: Decimal("2.5"), 6: Decimal("4.5"), 12: Decimal("8.0")}  # extra, for 0 % promos
HOLD_HOURS = 48  # stock held for an order awaiting credit review


class CreditError(orders.CheckoutError):
    """An anticipated pay-over-time failure; the message is for the shopper."""


@dataclass(frozen=True)
class Acceptance:
    name: str
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Receipt:
    payment: LoanPayment
    allocation: Allocation


# --- offers -----------------------------------------------------------------


def account_of(s: Session, user: User) -> CreditAccount | None:
    return s.scalars(select(CreditAccount).filter_by(user_id=user.id)).first()


def available_credit_cents(s: Session, account: CreditAccount) -> int:
    return max(account.credit_line_cents - ledger.open_principal_cents(s, account.user_id), 0)


def offers_for(s: Session, user: User, lines: list[tuple[Listing, int]], today: date) -> list[Offer]:
    """Offers for this cart under the shopper's approved line and tier."""
    account = account_of(s, user)
    if account is None or not account.tier or not lines:
        return []
    _, policy = policies.active(s)
    cart = credit_cart(lines)
    scene = policy.effective_scene(cart.scenes)
    terms = eligible_terms(
        policy, scene, account.tier, cart.total_cents, available_credit_cents(s, account), cart.promo_months
    )
    return [build_offer(t, cart.total_cents, today) for t in terms]


def teaser(s: Session, listing: Listing, quantity: int = 1) -> int | None:
    from credit.offers import teaser_monthly_cents

    _, policy = policies.active(s)
    if not listing.financing_eligible:
        return None
    promo = (3, 6, 12) if listing.promo_opt_in else ()
    return teaser_monthly_cents(listing.price_cents * quantity, listing.scene.slug, policy, promo)


# --- booking ----------------------------------------------------------------


def lock_account(s: Session, user: User) -> CreditAccount:
    """Take the shopper's credit-account lock (first in the fixed lock order)."""
    result = s.execute(
        update(CreditAccount)
        .where(CreditAccount.user_id == user.id)
        .values(lock_version=CreditAccount.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise CreditError("You do not have an approved credit line yet.")
    account = s.scalars(select(CreditAccount).filter_by(user_id=user.id)).one()
    s.refresh(account)
    return account


def _listing_lines(order: Order) -> list[tuple[Listing, int]]:
    return [(line.listing, line.quantity) for line in order.lines]


def place_credit_order(
    s: Session,
    user: User,
    lines: list[orders.Line],
    address: orders.Address,
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
    else:
        order = orders.build_order(s, user, lines, address, key, status=OrderStatus.FINANCED.value, kind="credit")
    offer = _chosen_offer(s, account, order, product, today)
    decision = s.get(CreditDecision, account.decision_id)
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
        _record_down_payment(s, loan, charge, key, today)
    order.status, order.paid_at, order.hold_expires_at = OrderStatus.FINANCED.value, utcnow(), None
    s.flush()
    return order, loan


def _placed(s: Session, user: User, key: str) -> tuple[Order, Loan] | None:
    order = orders.find_by_key(s, user, key)
    if order is None:
        return None
    loan = s.scalars(select(Loan).filter_by(order_id=order.id)).first()
    return (order, loan) if loan is not None else None


def _chosen_offer(s: Session, account: CreditAccount, order: Order, product: str, today: date) -> Offer:
    _, policy = policies.active(s)
    cart = credit_cart(_listing_lines(order))
    available = available_credit_cents(s, account)
    terms = eligible_terms(
        policy, policy.effective_scene(cart.scenes), account.tier or "E", cart.total_cents, available, cart.promo_months
    )
    chosen = next((t for t in terms if t.product == product), None)
    if chosen is None:
        from shop.formatting import format_money

        raise CreditError(
            f"That offer is not available for this order: your available credit is "
            f"{format_money(available, order.currency)}. Choose another offer or pay in full."
        )
    return build_offer(chosen, cart.total_cents, today)


def _merchant_split(order: Order, product: str) -> tuple[list[tuple[int, int]], int, int]:
    """(merchant id, net payable) pairs, total discount and total promo subsidy."""
    totals: dict[int, int] = {}
    for line in order.lines:
        totals[line.merchant_id] = totals.get(line.merchant_id, 0) + line.line_total_cents
    rate = MERCHANT_DISCOUNT_PERCENT
    subsidy_rate = (
        PROMO_SUBSIDY_PERCENT.get(int(product.split("_")[1]), Decimal(0))
        if product.startswith("promo_")
        else Decimal(0)
    )
    discount = percent_of(order.total_cents, rate)
    subsidy = percent_of(order.total_cents, subsidy_rate)
    nets = allocate_by_weights(order.total_cents - discount - subsidy, list(totals.values()))
    return list(zip(totals.keys(), nets, strict=True)), discount, subsidy


def _book_loan(
    s: Session,
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
    nets, discount, subsidy = _merchant_split(order, product)
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
    # The agreement is a standalone snapshot: render it without the page context processors, which
    # look at the request (cart badge) and, outside a request, roll back this unit of work.
    loan.agreement_html = current_app.jinja_env.get_template("credit/agreement.html").render(
        loan=loan, offer=offer, order=order, user=user
    )
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


def _record_down_payment(s: Session, loan: Loan, charge: payments.ChargeResult, key: str, today: date) -> None:
    """The down payment (or pay-in-4's first payment) is collected at checkout."""
    due = [row for row in loan.installments if row.due_on <= today]
    allocation = Allocation(
        current_principal_cents=sum(r.principal_cents for r in due),
        current_interest_cents=sum(r.interest_cents for r in due),
    )
    _apply_and_post(s, loan, allocation, charge, "down_payment", key + ":down", today)


# --- repayments -------------------------------------------------------------


def open_installments(loan: Loan) -> list[OpenInstallment]:
    return [
        OpenInstallment(
            i.number,
            i.due_on,
            i.principal_cents - i.paid_principal_cents,
            i.interest_cents - i.paid_interest_cents,
            i.fee_cents - i.paid_fee_cents,
        )
        for i in loan.installments
        if not i.is_paid
    ]


def next_installment(loan: Loan) -> LoanInstallment | None:
    return next((i for i in loan.installments if not i.is_paid), None)


def amount_due_now_cents(loan: Loan, today: date) -> int:
    """Everything past due plus the next installment."""
    b = buckets_as_of(open_installments(loan), today)
    return b.total_cents - b.future_principal_cents


@dataclass(frozen=True)
class PayoffQuote:
    as_of: date
    principal_cents: int
    interest_cents: int
    fees_cents: int

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.interest_cents + self.fees_cents


def payoff_quote(loan: Loan, as_of: date) -> PayoffQuote:
    """Principal + interest earned to `as_of` + unpaid fees; no prepayment penalty.

    Interest earned = unpaid interest of installments already due, plus
    interest accrued on the outstanding principal since the later of the
    last due date reached and the loan's start."""
    rows = [i for i in loan.installments if i.kind == "installment"]
    principal = sum(i.principal_cents - i.paid_principal_cents for i in loan.installments)
    reached = [i for i in rows if i.due_on <= as_of]
    billed = sum(i.interest_cents - i.paid_interest_cents for i in reached)
    since = max([loan.start_on] + [i.due_on for i in reached])
    accrued = (
        accrued_interest_cents(principal, Decimal(loan.rate_bps) / 10000, since, as_of, "actual/365")
        if loan.rate_bps
        else 0
    )
    fees = sum(i.fee_cents - i.paid_fee_cents for i in loan.installments)
    return PayoffQuote(as_of, principal, billed + accrued, fees)


def record_repayment(
    s: Session,
    user: User,
    loan: Loan,
    *,
    amount_cents: int | None,
    kind: str,
    key: str,
    payment_method_id: str,
    today: date | None = None,
) -> Receipt:
    """Charge the card and apply the money by the waterfall.

    kind: "next" (everything due now), "amount" (any amount up to the
    balance), "payoff" (the payoff quote as of today)."""
    today = today or utcnow().date()
    done = s.scalars(select(LoanPayment).filter_by(idempotency_key=key)).first()
    if done is not None:
        return Receipt(done, Allocation(**done.allocation))
    lock_account(s, user)
    done = s.scalars(select(LoanPayment).filter_by(idempotency_key=key)).first()
    if done is not None:  # a concurrent submit of the same form finished while we waited for the lock
        return Receipt(done, Allocation(**done.allocation))
    s.refresh(loan)
    if loan.status != "active":
        raise CreditError("This loan is already paid off.")
    allocation, amount = _allocation_for(loan, kind, amount_cents, today)
    charge = payments.charge(
        amount_cents=amount,
        currency=loan.currency,
        customer_id=payments.ensure_customer(user),
        payment_method_id=payment_method_id,
        metadata={"loan": loan.number, "kind": kind, "payment_key": key},
    )
    if charge.status != "succeeded":
        raise payments.PaymentError("Your bank asked for authentication; please try another card.")
    payment = _apply_and_post(s, loan, allocation, charge, kind, key, today)
    if kind == "payoff" or all(i.paid_principal_cents == i.principal_cents for i in loan.installments):
        # No principal left: what is still scheduled is future interest, not earned; the loan is done.
        _close(loan)
    s.flush()
    return Receipt(payment, allocation)


def _allocation_for(loan: Loan, kind: str, amount_cents: int | None, today: date) -> tuple[Allocation, int]:
    from shop.formatting import format_money

    if kind == "payoff":
        q = payoff_quote(loan, today)
        past = buckets_as_of(open_installments(loan), today)
        fees_past = min(q.fees_cents, past.past_due_fees_cents)
        interest_past = min(q.interest_cents, past.past_due_interest_cents)
        allocation = Allocation(
            past_due_fees_cents=fees_past,
            past_due_interest_cents=interest_past,
            past_due_principal_cents=past.past_due_principal_cents,
            current_fees_cents=q.fees_cents - fees_past,
            current_interest_cents=q.interest_cents - interest_past,
            current_principal_cents=q.principal_cents - past.past_due_principal_cents,
        )
        return allocation, q.total_cents
    buckets = buckets_as_of(open_installments(loan), today)
    if kind == "next":
        amount_cents = buckets.total_cents - buckets.future_principal_cents
    if not amount_cents or amount_cents <= 0:
        raise CreditError("Enter an amount greater than zero.")
    # The payoff amount or more would pay interest not yet earned: that is a payoff, not a payment.
    payoff_cents = payoff_quote(loan, today).total_cents
    if amount_cents > buckets.total_cents or (kind == "amount" and amount_cents >= payoff_cents):
        raise CreditError(
            f"That is more than you owe: {format_money(payoff_cents, loan.currency)} pays off this "
            "loan today; choose “Pay off the loan” to close it (interest only up to today)."
        )
    return allocate_payment(amount_cents, buckets), amount_cents


def _apply_and_post(
    s: Session, loan: Loan, allocation: Allocation, charge: payments.ChargeResult, kind: str, key: str, today: date
) -> LoanPayment:
    principal, interest, fees = _apply(loan, allocation, kind == "payoff", today)
    ids = {"loan_id": loan.id, "user_id": loan.user_id}
    txn = ledger.post(
        s,
        f"repayment_{kind}",
        [
            ledger.debit("cash", principal + interest + fees),
            ledger.credit("loan_receivable", principal, **ids),
            ledger.credit("interest_income", interest, **ids),
            ledger.credit("fee_income", fees, **ids),
        ],
        posted_on=today,
        loan_id=loan.id,
        memo=f"{loan.number}: {kind}",
    )
    payment = LoanPayment(
        loan=loan,
        kind=kind,
        amount_cents=charge.amount_cents,
        allocation={name: getattr(allocation, name) for name in Allocation.__dataclass_fields__},
        stripe_payment_intent_id=charge.payment_intent_id,
        idempotency_key=key,
        journal_transaction_id=txn.id,
    )
    s.add(payment)
    return payment


def _apply(loan: Loan, a: Allocation, payoff: bool, today: date) -> tuple[int, int, int]:
    """Write an allocation onto the installments; returns (principal, interest, fees) applied."""
    now = utcnow()
    open_rows = [i for i in loan.installments if not i.is_paid]
    past = [i for i in open_rows if i.due_on < today]
    upcoming = [i for i in open_rows if i.due_on >= today]
    current, future = upcoming[:1], upcoming[1:]
    _fill(past, "fee", a.past_due_fees_cents)
    _fill(past, "interest", a.past_due_interest_cents)
    _fill(past, "principal", a.past_due_principal_cents)
    if payoff:
        # Interest earned to today is what the quote charged; unearned interest is waived.
        _fill(current + future, "fee", a.current_fees_cents)
        for row in current + future:
            row.interest_cents = row.paid_interest_cents
        if current + future:
            (current + future)[0].interest_cents += a.current_interest_cents
            (current + future)[0].paid_interest_cents += a.current_interest_cents
        _fill(current + future, "principal", a.current_principal_cents)
    else:
        _fill(current, "fee", a.current_fees_cents)
        _fill(current, "interest", a.current_interest_cents)
        _fill(current, "principal", a.current_principal_cents)
        _prepay_future(loan, future, a.future_principal_cents, current[0].due_on if current else today)
    for row in open_rows:
        if row.is_paid and row.paid_at is None:
            row.paid_at = now
    principal = a.past_due_principal_cents + a.current_principal_cents + a.future_principal_cents
    interest = a.past_due_interest_cents + a.current_interest_cents
    fees = a.past_due_fees_cents + a.current_fees_cents
    return principal, interest, fees


def _prepay_future(loan: Loan, future: list[LoanInstallment], amount: int, period_start_on: date) -> None:
    """Prepaid principal shortens the loan from the last installment back, and
    the remaining future installments' interest is recomputed on the lower
    balance (credit.servicing.reamortize): prepaying saves interest."""
    if amount <= 0:
        return
    opening = sum(r.principal_cents - r.paid_principal_cents for r in future)
    rows, balance = [], opening
    for r in future:
        principal, interest = r.principal_cents - r.paid_principal_cents, r.interest_cents - r.paid_interest_cents
        balance -= principal
        rows.append(
            Installment(
                r.number,
                r.due_on,
                principal,
                interest,
                r.fee_cents - r.paid_fee_cents,
                principal + interest + r.fee_cents - r.paid_fee_cents,
                balance,
                r.kind,
            )
        )
    rate = Decimal(loan.rate_bps) / 10000 if loan.rate_bps else None
    result = reamortize(
        rows, amount, "last_first", annual_rate=rate, day_count=loan.day_count, period_start_on=period_start_on
    )
    if result.applied_cents != amount:
        raise ledger.UnbalancedPosting(f"{amount - result.applied_cents} cents of principal could not be applied")
    for row, new in zip(future, result.installments, strict=True):
        row.principal_cents = row.paid_principal_cents + new.principal_cents
        row.interest_cents = row.paid_interest_cents + new.interest_cents


def _fill(rows: list[LoanInstallment], part: str, amount: int) -> None:
    """Pay `amount` of one part (principal/interest/fee) across rows in order."""
    for row in rows:
        if amount <= 0:
            break
        owed = getattr(row, f"{part}_cents") - getattr(row, f"paid_{part}_cents")
        take = min(owed, amount)
        setattr(row, f"paid_{part}_cents", getattr(row, f"paid_{part}_cents") + take)
        amount -= take
    if amount:
        raise ledger.UnbalancedPosting(f"{amount} cents of {part} could not be applied")


def _close(loan: Loan) -> None:
    loan.status, loan.paid_off_at = "paid_off", utcnow()
    for row in loan.installments:
        row.interest_cents = max(row.paid_interest_cents, 0) if not row.is_paid else row.interest_cents
        if row.paid_at is None:
            row.paid_at = utcnow()


def set_autopay(loan: Loan, on: bool) -> None:
    loan.autopay = on


# --- referred orders ----------------------------------------------------------


def hold_order_for_review(
    s: Session,
    user: User,
    lines: list[orders.Line],
    address: orders.Address,
    key: str,
    application_id: int,
    hold_hours: int = HOLD_HOURS,
) -> Order:
    """A referred application: take the stock and keep the order waiting."""
    existing = orders.find_by_key(s, user, key)
    if existing is not None:
        return existing
    order = orders.build_order(
        s, user, lines, address, key, status=OrderStatus.AWAITING_CREDIT_REVIEW.value, kind="credit"
    )
    order.credit_application_id = application_id
    order.hold_expires_at = utcnow() + timedelta(hours=hold_hours)
    s.flush()
    return order


def held_order_of(s: Session, user: User) -> Order | None:
    return s.scalars(
        select(Order)
        .filter_by(user_id=user.id, status=OrderStatus.AWAITING_CREDIT_REVIEW.value)
        .order_by(Order.id.desc())
    ).first()


def release_order(s: Session, order: Order) -> None:
    """Cancel a held order and put its stock back."""
    for line in order.lines:
        s.execute(
            update(Listing)
            .where(Listing.id == line.listing_id)
            .values(stock=Listing.stock + line.quantity)
            .execution_options(synchronize_session=False)
        )
    order.status, order.hold_expires_at = OrderStatus.CANCELLED.value, None
    s.flush()


def finish_review(s: Session, application_id: int, approve: bool, reason: str, reviewer: str) -> CreditDecision:
    """Record a reviewer's decision; a decline cancels the held order and releases its stock."""
    from shop.applications import review

    decision = review(s, application_id, approve, reason, reviewer)
    if not approve:
        for order in s.scalars(
            select(Order).filter_by(
                credit_application_id=application_id, status=OrderStatus.AWAITING_CREDIT_REVIEW.value
            )
        ):
            release_order(s, order)
    return decision


def release_expired_holds(s: Session) -> int:
    expired = s.scalars(
        select(Order).where(Order.status == OrderStatus.AWAITING_CREDIT_REVIEW.value, Order.hold_expires_at < utcnow())
    ).all()
    for order in expired:
        release_order(s, order)
    return len(expired)


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


# --- autopay ------------------------------------------------------------------


@dataclass(frozen=True)
class AutopayResult:
    loan_number: str
    amount_cents: int
    ok: bool
    message: str


def collect_autopay(s: Session, today: date | None = None) -> list[AutopayResult]:
    """Charge the card on file of every active autopay loan with money due today
    or earlier (the daily servicing job).  Each loan is its own unit of work:
    a declined card is reported and does not stop the others."""
    today = today or utcnow().date()
    results = []
    due_loans = s.scalars(
        select(Loan)
        .where(Loan.status == "active", Loan.autopay.is_(True), Loan.stripe_payment_method_id.is_not(None))
        .order_by(Loan.id)
    ).all()
    for loan in due_loans:
        due = buckets_as_of([row for row in open_installments(loan) if row.due_on <= today], today)
        if due.total_cents == 0:
            continue
        key = f"autopay:{loan.number}:{today.isoformat()}"
        try:
            receipt = record_repayment(
                s,
                loan.user,
                loan,
                amount_cents=due.total_cents,
                kind="amount",
                key=key,
                payment_method_id=loan.stripe_payment_method_id,
                today=today,
            )
            s.commit()
            results.append(AutopayResult(loan.number, receipt.payment.amount_cents, True, "paid"))
        except (payments.PaymentError, CreditError) as e:
            s.rollback()
            results.append(AutopayResult(loan.number, due.total_cents, False, e.message))
    return results
