"""Merchants: onboarding (pending until staff approve), staff review, and the
one scoping function every merchant-portal query goes through."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Select, func, select

from shop.models import (
    Listing,
    Merchant,
    MerchantRefund,
    MerchantStatus,
    Order,
    OrderLine,
    Role,
    SettlementBatch,
    Shipment,
    User,
    utcnow,
)
from shop.models.base import DbSession
from shop.services import audit
from shop.services.errors import CheckoutError

T = TypeVar("T")


class MerchantError(CheckoutError):
    """An anticipated merchant-portal failure; the message is for the merchant (or staff)."""


# --- isolation -------------------------------------------------------------------

# How each merchant-owned row names its merchant.  An order belongs to every
# merchant with a line in it.
_OWNER: dict[type, Any] = {
    Listing: Listing.merchant_id,
    MerchantRefund: MerchantRefund.merchant_id,
    SettlementBatch: SettlementBatch.merchant_id,
    Shipment: Shipment.merchant_id,
}


def scoped(model: type, merchant_id: int) -> Select[Any]:
    """SELECT `model` rows that belong to the merchant: every merchant-portal
    query starts here, so another merchant's rows are never found (a 404)."""
    if model is Order:
        mine = select(OrderLine.order_id).where(OrderLine.merchant_id == merchant_id)
        return select(Order).where(Order.id.in_(mine))
    if model is OrderLine:
        return select(OrderLine).where(OrderLine.merchant_id == merchant_id)
    return select(model).where(_OWNER[model] == merchant_id)


def owned(s: DbSession, model: type[T], object_id: int, merchant_id: int) -> T | None:
    """The merchant's own row by id; None for another merchant's (or no) row."""
    found = s.scalars(scoped(model, merchant_id).where(model.id == object_id)).first()  # type: ignore[attr-defined]
    return cast(T | None, found)


# --- onboarding --------------------------------------------------------------------


@dataclass(frozen=True)
class Signup:
    business_name: str
    description: str
    contact_name: str
    contact_email: str
    contact_phone: str
    payout_details: str


def _slug(s: DbSession, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "merchant"
    taken = s.scalar(select(func.count(Merchant.id)).where(Merchant.slug == base))
    return base if not taken else f"{base}-{secrets.token_hex(3)}"


def sign_up(s: DbSession, user: User, data: Signup) -> Merchant:
    """Create a pending merchant for `user`, who becomes its merchant login."""
    if user.merchant_id is not None:
        raise MerchantError("This account already belongs to a merchant.")
    merchant = Merchant(
        name=data.business_name.strip(),
        slug=_slug(s, data.business_name),
        description=data.description.strip(),
        status=MerchantStatus.PENDING,
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip().lower(),
        contact_phone=data.contact_phone.strip(),
        payout_details=data.payout_details.strip(),
    )
    s.add(merchant)
    s.flush()
    user.role, user.merchant_id = Role.MERCHANT, merchant.id
    s.flush()
    return merchant


# --- staff review --------------------------------------------------------------------


def merchants_by_status(s: DbSession, status: str | None) -> list[Merchant]:
    stmt = select(Merchant).order_by(Merchant.created_at, Merchant.id)
    if status:
        stmt = stmt.where(Merchant.status == status)
    return list(s.scalars(stmt))


def review(s: DbSession, staff: User, merchant_id: int, *, approve: bool, reason: str) -> Merchant:
    """Approve or reject a pending merchant (a rejection needs a reason); one audit entry."""
    merchant = s.get(Merchant, merchant_id)
    if merchant is None:
        raise LookupError(merchant_id)
    if merchant.status != MerchantStatus.PENDING:
        raise MerchantError(f"{merchant.name} was {merchant.status} already.")
    if not approve and not reason.strip():
        raise MerchantError("Give the merchant a reason for the rejection.")
    merchant.status = MerchantStatus.APPROVED if approve else MerchantStatus.REJECTED
    merchant.review_reason, merchant.reviewed_at = reason.strip(), utcnow()
    audit.record(
        s,
        staff,
        "merchant_approved" if approve else "merchant_rejected",
        "merchant",
        merchant.id,
        reason=reason.strip(),
        detail={"status": merchant.status},
    )
    return merchant
