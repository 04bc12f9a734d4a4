"""Catalog queries: what shoppers can see and buy."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from shop.models import Listing, Scene


def visible_listings() -> Select:
    """Active listings, newest first, with merchant and scene loaded."""
    return (
        select(Listing)
        .where(Listing.active.is_(True))
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
