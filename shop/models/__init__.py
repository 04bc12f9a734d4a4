"""SQLAlchemy 2 typed models, one module per aggregate.

Importing this package imports every model, so `db.metadata` (and Alembic's
autogenerate) sees the whole schema.  The names are re-exported here:
`from shop.models import Loan, OrderStatus`.
"""

from shop.models.audit import AuditEntry
from shop.models.base import utcnow
from shop.models.carts import Cart, CartItem
from shop.models.catalog import Listing, Scene
from shop.models.credit import CreditAccount, CreditApplication, CreditDecision, PolicyVersion
from shop.models.enums import (
    ApplicationStatus,
    CardPaymentKind,
    DecisionOutcome,
    InstallmentKind,
    LoanPaymentKind,
    LoanStatus,
    OrderPaymentKind,
    OrderStatus,
    PaymentStatus,
    PolicyStatus,
    Product,
    Role,
    ServicingActionKind,
    StaffRole,
)
from shop.models.journal import JournalEntry, JournalTransaction
from shop.models.loans import Loan, LoanInstallment, LoanPayment
from shop.models.orders import Order, OrderLine, Payment, Refund, StripeEvent
from shop.models.servicing import ServicingAction
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
    "utcnow",
]
