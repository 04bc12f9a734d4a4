"""Catalog queries: what shoppers can see and buy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from shop.models import Listing, Merchant, MerchantStatus, Scene


def approved_merchant_ids() -> Select:
    return select(Merchant.id).where(Merchant.status == MerchantStatus.APPROVED)


def is_visible(listing: Listing) -> bool:
    """A shopper sees an active listing of an approved merchant (a pending
    merchant prepares listings that nobody else sees yet)."""
    return listing.active and listing.merchant.status == MerchantStatus.APPROVED


def visible_listings() -> Select:
    """Active listings of approved merchants, newest first, with merchant and scene loaded."""
    return (
        select(Listing)
        .where(Listing.active.is_(True), Listing.merchant_id.in_(approved_merchant_ids()))
        .options(joinedload(Listing.merchant), joinedload(Listing.scene))
        .order_by(Listing.stock == 0, Listing.id)
    )


SORTS = {
    "featured": (Listing.stock == 0, Listing.id),
    "price_low": (Listing.price_cents, Listing.id),
    "price_high": (Listing.price_cents.desc(), Listing.id),
    "newest": (Listing.created_at.desc(), Listing.id.desc()),
}


@dataclass(frozen=True)
class ListingFilter:
    """What a scene page narrows and orders by (prices in cents, inclusive)."""

    sort: str = "featured"
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    zero_percent: bool = False  # a merchant-funded 0% promotion is available
    in_stock: bool = False


def in_scene(scene: Scene, f: ListingFilter | None = None) -> Select:
    f = f or ListingFilter()
    stmt = visible_listings().where(Listing.scene_id == scene.id).order_by(None).order_by(*SORTS[f.sort])
    if f.min_price_cents is not None:
        stmt = stmt.where(Listing.price_cents >= f.min_price_cents)
    if f.max_price_cents is not None:
        stmt = stmt.where(Listing.price_cents <= f.max_price_cents)
    if f.zero_percent:
        stmt = stmt.where(Listing.promo_opt_in.is_(True), Listing.financing_eligible.is_(True))
    if f.in_stock:
        stmt = stmt.where(Listing.stock > 0)
    return stmt


def search(q: str) -> Select:
    """Case-insensitive text search over title and description (every word must match)."""
    stmt = visible_listings()
    for word in q.split()[:8]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Listing.title.ilike(pattern), Listing.description.ilike(pattern)))
    return stmt


def featured() -> Select:
    return visible_listings().where(Listing.featured.is_(True), Listing.stock > 0).limit(8)


def scenes() -> Select:
    return select(Scene).order_by(Scene.position, Scene.name)
