"""Catalog queries: what shoppers can see and buy."""

from __future__ import annotations

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


def in_scene(scene: Scene) -> Select:
    return visible_listings().where(Listing.scene_id == scene.id)


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
