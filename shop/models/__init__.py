"""SQLAlchemy 2 typed models, one module per aggregate.

Importing this package imports every model, so `db.metadata` (and Alembic's
autogenerate) sees the whole schema.  The names are re-exported here:
`from shop.models import Loan, OrderStatus`.
"""

from shop.models.audit import AuditEntry
from shop.models.base import utcnow
from shop.models.carts import Cart, CartItem
from shop.models.catalog import PROMO_TERMS, Listing, ListingPhoto, ListingPromo, Scene
from shop.models.credit import CreditAccount, CreditApplication, CreditDecision, PolicyVersion
from shop.models.enums import (
    ApplicationStatus,
    CardPaymentKind,
    DecisionOutcome,
    InstallmentKind,
    LoanPaymentKind,
    LoanStatus,
    MerchantRefundKind,
    MerchantStatus,
    OrderPaymentKind,
    OrderStatus,
    PaymentStatus,
    Product,
    Role,
    SettlementLineKind,
    StaffRole,
)
from shop.models.journal import JournalEntry, JournalTransaction
from shop.models.loans import Loan, LoanInstallment, LoanPayment
from shop.models.orders import Order, OrderLine, Payment, Refund, StripeEvent
from shop.models.refunds import MerchantRefund, MerchantRefundLine
from shop.models.settlements import SettlementBatch, SettlementLine
from shop.models.shipments import Shipment, ShipmentLine
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
    "PolicyVersion",
    "Refund",
    "Role",
    "Scene",
    "StaffRole",
    "StripeEvent",
    "User",
    "utcnow",
]
