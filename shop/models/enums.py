"""Every status, outcome, kind and product as a StrEnum, in one place.

The database holds the values as strings with a CHECK constraint built from
these enums (`check_in`), so a typo can neither be written nor compared."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    SHOPPER = "shopper"
    MERCHANT = "merchant"
    STAFF = "staff"


class StaffRole(enum.StrEnum):
    REVIEWER = "reviewer"
    COLLECTIONS = "collections"
    RISK = "risk"
    SUPERADMIN = "superadmin"


class OrderStatus(enum.StrEnum):
    PAID = "paid"
    FINANCED = "financed"
    AWAITING_CREDIT_REVIEW = "awaiting_credit_review"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class OrderPaymentKind(enum.StrEnum):
    """How an order is paid: by card in full, or over time on credit."""

    CARD = "card"
    CREDIT = "credit"


class CardPaymentKind(enum.StrEnum):
    FULL = "full"


class PaymentStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class ApplicationStatus(enum.StrEnum):
    APPROVED = "approved"
    REFERRED = "referred"
    DECLINED = "declined"
    INCOMPLETE = "incomplete"


DecisionOutcome = ApplicationStatus  # a decision's outcome takes the same values as its application's status


class LoanStatus(enum.StrEnum):
    ACTIVE = "active"
    PAID_OFF = "paid_off"
    CHARGED_OFF = "charged_off"
    CLOSED = "closed"  # fully refunded by the merchant


class InstallmentKind(enum.StrEnum):
    DOWN_PAYMENT = "down_payment"
    INSTALLMENT = "installment"


class LoanPaymentKind(enum.StrEnum):
    DOWN_PAYMENT = "down_payment"
    NEXT = "next"
    AMOUNT = "amount"
    PAYOFF = "payoff"
    OFFLINE = "offline"  # recorded by staff: a bank transfer or cheque received outside Stripe


class Product(enum.StrEnum):
    """Offer products: pay-in-4, monthly installments, merchant-funded 0 % promotions."""

    PAY_IN_4 = "pay_in_4"
    MONTHLY_3 = "monthly_3"
    MONTHLY_6 = "monthly_6"
    MONTHLY_12 = "monthly_12"
    MONTHLY_24 = "monthly_24"
    MONTHLY_36 = "monthly_36"
    PROMO_3 = "promo_3"
    PROMO_6 = "promo_6"
    PROMO_12 = "promo_12"


class ServicingActionKind(enum.StrEnum):
    """What a staff member did to a loan from the loan console."""

    WAIVE_FEE = "waive_fee"
    DEFER_INSTALLMENT = "defer_installment"
    OFFLINE_PAYMENT = "offline_payment"
    REVERSAL = "reversal"


class PolicyStatus(enum.StrEnum):
    """A stored policy version: a draft (never active), the active one, or retired (active once)."""

    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


def check_in(column: str, values: type[enum.StrEnum], name: str | None = None) -> str:
    """SQL for a CHECK constraint: `column` holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"
