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


class DelinquencyStage(enum.StrEnum):
    """Days past due buckets (credit.delinquency.STAGES)."""

    CURRENT = "current"
    DPD_1_30 = "dpd_1_30"
    DPD_31_60 = "dpd_31_60"
    DPD_61_90 = "dpd_61_90"
    DPD_90_PLUS = "dpd_90_plus"


class CreditLineEventKind(enum.StrEnum):
    FREEZE = "freeze"
    UNFREEZE = "unfreeze"
    RAISE = "raise"


class NoticeKind(enum.StrEnum):
    REMINDER = "reminder"
    RECEIPT = "receipt"
    PAST_DUE = "past_due"
    AUTOPAY_FAILED = "autopay_failed"
    AUTOPAY_PAUSED = "autopay_paused"
    LATE_FEE = "late_fee"
    CHARGED_OFF = "charged_off"
    HARDSHIP_DECISION = "hardship_decision"
    RELIEF = "relief"
    LINE_CHANGE = "line_change"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class ContactOutcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    PROMISED = "promised_to_pay"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"


class PromiseStatus(enum.StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class HardshipStatus(enum.StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    DECLINED = "declined"


class HardshipRemedy(enum.StrEnum):
    FEE_WAIVER = "fee_waiver"
    DEFERRAL = "deferral"
    REAMORTIZATION = "reamortization"


class ReliefStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class ReliefEffectKind(enum.StrEnum):
    FEES_WAIVED = "fees_waived"
    FEE_PAUSED = "fee_paused"
    DEFERRED = "deferred"
    CONTACT_PAUSED = "contact_paused"


class MerchantStatus(enum.StrEnum):
    """A merchant signs up pending; staff approve (its listings become visible) or reject it."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class MerchantRefundKind(enum.StrEnum):
    REFUND = "refund"  # lines (or units) refunded, e.g. after a return
    CANCEL = "cancel"  # cancelled before shipment: stock released


class SettlementLineKind(enum.StrEnum):
    SALE = "sale"
    REFUND = "refund"


def check_in(column: str, values: type[enum.StrEnum], name: str | None = None) -> str:
    """SQL for a CHECK constraint: `column` holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"
