"""Catalog queries: what shoppers can see and buy.

The store's grids (home, scenes, search) read plain rows of the columns a
listing card shows, not ORM objects: building a Listing, its Merchant and its
Scene per card was most of those pages' time. Prices and stock are read fresh
on every request; nothing here is cached."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, String, bindparam, func, or_, select

from shop.models import Listing, Merchant, MerchantStatus, Scene
from shop.models.base import DbSession

CARD_COLUMNS = (
    Listing.id,
    Listing.title,
    Listing.price_cents,
    Listing.currency,
    Listing.stock,
    Listing.image_path,
    Listing.promo_opt_in,
    Listing.financing_eligible,
    Merchant.name.label("merchant_name"),
)


@dataclass(frozen=True)
class Page:
    """One page of listing cards (what templates/_macros.html's pager reads)."""

    items: list[Row[Any]]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def approved_merchant_ids() -> Select:
    return select(Merchant.id).where(Merchant.status == MerchantStatus.APPROVED)


def is_visible(listing: Listing) -> bool:
    """A shopper sees an active listing of an approved merchant (a pending
    merchant prepares listings that nobody else sees yet)."""
    return listing.active and listing.merchant.status == MerchantStatus.APPROVED


def visible_listings() -> Select:
    """Cards of active listings of approved merchants, in stock first, then oldest first."""
    return (
        select(*CARD_COLUMNS)
        .join(Merchant, Listing.merchant_id == Merchant.id)
        .where(Listing.active.is_(True), Merchant.status == MerchantStatus.APPROVED)
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


# The statements are built once per shape, with bound parameters: building a
# Select and its cache key again on every request cost more than running it.


@cache
def _in_scene(sort: str, has_min: bool, has_max: bool, zero_percent: bool, in_stock: bool) -> Select:
    stmt = visible_listings().where(Listing.scene_id == bindparam("scene_id")).order_by(None).order_by(*SORTS[sort])
    if has_min:
        stmt = stmt.where(Listing.price_cents >= bindparam("min_price"))
    if has_max:
        stmt = stmt.where(Listing.price_cents <= bindparam("max_price"))
    if zero_percent:
        stmt = stmt.where(Listing.promo_opt_in.is_(True), Listing.financing_eligible.is_(True))
    if in_stock:
        stmt = stmt.where(Listing.stock > 0)
    return stmt


@cache
def _search(words: int) -> Select:
    stmt = visible_listings()
    for i in range(words):
        pattern = bindparam(f"w{i}", type_=String)
        stmt = stmt.where(or_(Listing.title.ilike(pattern), Listing.description.ilike(pattern)))
    return stmt


@cache
def _featured() -> Select:
    return visible_listings().where(Listing.featured.is_(True), Listing.stock > 0).limit(8)


@cache
def _scenes() -> Select:
    return select(Scene.id, Scene.slug, Scene.name, Scene.description).order_by(Scene.position, Scene.name)


@cache
def _scene_by_slug() -> Select:
    return select(Scene.id, Scene.slug, Scene.name, Scene.description).where(Scene.slug == bindparam("slug"))


@cache
def _paged(stmt: Select) -> tuple[Select, Select]:
    count = select(func.count()).select_from(stmt.order_by(None).subquery())
    return count, stmt.limit(bindparam("limit")).offset(bindparam("offset"))


@dataclass(frozen=True)
class Query:
    """A prebuilt statement and its parameters."""

    stmt: Select
    params: dict[str, Any]


def in_scene(scene_id: int, f: ListingFilter | None = None) -> Query:
    f = f or ListingFilter()
    lo, hi = f.min_price_cents, f.max_price_cents
    stmt = _in_scene(f.sort, lo is not None, hi is not None, f.zero_percent, f.in_stock)
    params: dict[str, Any] = {"scene_id": scene_id}
    if lo is not None:
        params["min_price"] = lo
    if hi is not None:
        params["max_price"] = hi
    return Query(stmt, params)


def search(q: str) -> Query:
    """Case-insensitive text search over title and description (every word must match)."""
    words = [f"%{w.replace('%', '').replace('_', '')}%" for w in q.split()[:8]]
    return Query(_search(len(words)), {f"w{i}": w for i, w in enumerate(words)})


def featured() -> Query:
    return Query(_featured(), {})


def scenes() -> Query:
    return Query(_scenes(), {})


def scene_by_slug(s: DbSession, slug: str) -> Row[Any] | None:
    return s.connection().execute(_scene_by_slug(), {"slug": slug}).first()


def rows(s: DbSession, query: Query) -> list[Row[Any]]:
    """The rows of a catalog query, on the session's connection (no ORM objects;
    a GET page has nothing pending to flush)."""
    return list(s.connection().execute(query.stmt, query.params).all())


def paginate(s: DbSession, query: Query, page: int, per_page: int) -> Page:
    """Page `page` (from 1) of the query's cards, with the total for the pager."""
    page = max(page, 1)
    count, paged = _paged(query.stmt)
    conn = s.connection()
    total = conn.execute(count, query.params).scalar_one()
    items = list(conn.execute(paged, {**query.params, "limit": per_page, "offset": (page - 1) * per_page}).all())
    return Page(items, page, per_page, total)
