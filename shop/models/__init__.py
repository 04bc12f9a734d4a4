"""SQLAlchemy 2 typed models, one module per aggregate.

Importing this package imports every model, so `db.metadata` (and Alembic's
autogenerate) sees the whole schema.  The names are re-exported here:
`from shop.models import Loan, OrderStatus`.
"""

from shop.models.audit import AuditEntry
from shop.models.base import utcnow
from shop.models.carts import Cart, CartItem
from shop.models.catalog import PROMO_TERMS, Listing, ListingPhoto, ListingPromo, Scene
from shop.models.collections import CollectionContact, PromiseToPay
from shop.models.credit import CreditAccount, CreditApplication, CreditDecision, PolicyVersion
from shop.models.enums import (
    ApplicationStatus,
    CardPaymentKind,
    ContactChannel,
    ContactOutcome,
    CreditLineEventKind,
    DecisionOutcome,
    DelinquencyStage,
    HardshipRemedy,
    HardshipStatus,
    InstallmentKind,
    LoanPaymentKind,
    LoanStatus,
    MerchantRefundKind,
    MerchantStatus,
    NoticeKind,
    OrderPaymentKind,
    OrderStatus,
    OutboxStatus,
    PaymentStatus,
    PolicyStatus,
    Product,
    PromiseStatus,
    ReliefEffectKind,
    ReliefStatus,
    Role,
    ServicingActionKind,
    SettlementLineKind,
    StaffRole,
)
from shop.models.hardship import HardshipRequest
from shop.models.journal import JournalEntry, JournalTransaction
from shop.models.loans import Loan, LoanInstallment, LoanPayment
from shop.models.notices import OutboxMessage
from shop.models.orders import Order, OrderLine, Payment, Refund, StripeEvent
from shop.models.refunds import MerchantRefund, MerchantRefundLine
from shop.models.relief import ReliefEffect, ReliefProgram
from shop.models.servicing import BusinessDay, CreditLineEvent, LateFee, LoanServicing, ServicingPolicyVersion
from shop.models.servicing_actions import ServicingAction
from shop.models.settlements import SettlementBatch, SettlementLine
from shop.models.shipments import Shipment, ShipmentLine
from shop.models.staff import StaffView
from shop.models.users import Merchant, User

__all__ = [
    "AuditEntry",
    "ApplicationStatus",
    "CardPaymentKind",
    "DecisionOutcome",
    "InstallmentKind",
    "LoanPaymentKind",
    "LoanStatus",
    "OrderPaymentKind",
    "PaymentStatus",
    "Product",
    "Cart",
    "CartItem",
    "CreditAccount",
    "CreditApplication",
    "CreditDecision",
    "JournalEntry",
    "JournalTransaction",
    "Listing",
    "ListingPhoto",
    "ListingPromo",
    "MerchantRefund",
    "MerchantRefundKind",
    "MerchantRefundLine",
    "MerchantStatus",
    "PROMO_TERMS",
    "SettlementBatch",
    "SettlementLine",
    "SettlementLineKind",
    "Shipment",
    "ShipmentLine",
    "Loan",
    "LoanInstallment",
    "LoanPayment",
    "Merchant",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Payment",
    "PolicyStatus",
    "PolicyVersion",
    "Refund",
    "Role",
    "Scene",
    "ServicingAction",
    "ServicingActionKind",
    "StaffRole",
    "StaffView",
    "StripeEvent",
    "User",
    "CollectionContact",
    "PromiseToPay",
    "HardshipRequest",
    "OutboxMessage",
    "ReliefEffect",
    "ReliefProgram",
    "BusinessDay",
    "CreditLineEvent",
    "LateFee",
    "LoanServicing",
    "ServicingPolicyVersion",
    "ContactChannel",
    "ContactOutcome",
    "CreditLineEventKind",
    "DelinquencyStage",
    "HardshipRemedy",
    "HardshipStatus",
    "NoticeKind",
    "OutboxStatus",
    "PromiseStatus",
    "ReliefEffectKind",
    "ReliefStatus",
    "utcnow",
]
