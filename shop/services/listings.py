"""A merchant's listings: create, edit, duplicate, deactivate, photos,
per-term 0 % promotions, search and the cost/teaser preview of the form.

Every query is scoped to the merchant (shop.services.merchants.scoped)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Select, or_

from credit.offers import teaser_monthly_cents
from shop.models import PROMO_TERMS, Listing, ListingPhoto, ListingPromo, Merchant, Scene
from shop.models.base import DbSession
from shop.services import media, merchant_pricing, policies
from shop.services.merchants import MerchantError, scoped


@dataclass(frozen=True)
class ListingData:
    title: str
    description: str
    price_cents: int
    stock: int
    scene_id: int
    financing_eligible: bool
    promo_terms: tuple[int, ...]


@dataclass(frozen=True)
class Preview:
    """What the form shows before saving: per promotion term the merchant's
    cost on one sale, and the "as low as" line shoppers will see."""

    costs: list[merchant_pricing.PromoCost]
    teaser_cents: int | None


def offered_promo_terms(s: DbSession) -> tuple[int, ...]:
    """The promotion terms the active policy's catalog offers at all."""
    _, policy = policies.active(s)
    offered = {row.months for row in policy.offers if row.kind == "promo" and row.enabled}
    return tuple(t for t in PROMO_TERMS if t in offered)


def preview(s: DbSession, data: ListingData) -> Preview:
    scene = s.get(Scene, data.scene_id)
    teaser = None
    if scene is not None and data.financing_eligible and data.price_cents > 0:
        _, policy = policies.active(s)
        terms = tuple(sorted(data.promo_terms))
        teaser = teaser_monthly_cents(data.price_cents, policy.effective_scene([scene.slug]), policy, terms)
    chosen = tuple(sorted(data.promo_terms)) or offered_promo_terms(s)
    return Preview(merchant_pricing.promo_costs(s, max(data.price_cents, 0), chosen), teaser)


def search(merchant_id: int, q: str = "", status: str = "", scene_id: int | None = None) -> Select:
    stmt = scoped(Listing, merchant_id).order_by(Listing.id.desc())
    for word in q.split()[:8]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Listing.title.ilike(pattern), Listing.sku.ilike(pattern)))
    if status in ("active", "inactive"):
        stmt = stmt.where(Listing.active.is_(status == "active"))
    if scene_id:
        stmt = stmt.where(Listing.scene_id == scene_id)
    return stmt


def _check(s: DbSession, data: ListingData) -> None:
    if s.get(Scene, data.scene_id) is None:
        raise MerchantError("Choose a scene.")
    offered = offered_promo_terms(s)
    if any(t not in offered for t in data.promo_terms):
        raise MerchantError("That promotion term is not offered by the credit policy.")
    if data.promo_terms and not data.financing_eligible:
        raise MerchantError("A 0% promotion needs financing: tick “Can be bought over time”.")


def _apply(listing: Listing, data: ListingData) -> None:
    listing.title, listing.description = data.title.strip(), data.description.strip()
    listing.price_cents, listing.stock, listing.scene_id = data.price_cents, data.stock, data.scene_id
    listing.financing_eligible = data.financing_eligible
    wanted = set(data.promo_terms)
    for promo in [p for p in listing.promos if p.months not in wanted]:
        listing.promos.remove(promo)  # rows are changed in place: the (listing, months) key stays unique
    have = {p.months for p in listing.promos}
    listing.promos.extend(ListingPromo(months=m) for m in sorted(wanted - have))
    listing.promo_opt_in = bool(data.promo_terms)  # kept for code that reads the flag


def _sku(merchant: Merchant) -> str:
    return f"{merchant.slug[:12].upper()}-{secrets.token_hex(4).upper()}"


def create(
    s: DbSession, merchant: Merchant, data: ListingData, uploads: list[media.Upload], media_dir: str | Path
) -> Listing:
    """A new listing with its photos (all checked before any is stored)."""
    _check(s, data)
    encoded = media.encode_all(uploads)
    listing = Listing(merchant_id=merchant.id, sku=_sku(merchant), currency="USD", active=True)
    _apply(listing, data)
    s.add(listing)
    s.flush()
    _add_photos(listing, encoded, media_dir)
    s.flush()
    return listing


def update(s: DbSession, listing: Listing, data: ListingData, uploads: list[media.Upload], media_dir) -> Listing:
    _check(s, data)
    encoded = media.encode_all(uploads)
    if len(listing.photos) + len(encoded) > media.MAX_PHOTOS:
        raise media.PhotoError(f"A listing has at most {media.MAX_PHOTOS} photos.")
    _apply(listing, data)
    s.flush()
    _add_photos(listing, encoded, media_dir)
    s.flush()
    return listing


def _add_photos(listing: Listing, encoded: list[media.EncodedPhoto], media_dir) -> None:
    start = max((p.position for p in listing.photos), default=-1) + 1
    for offset, stored in enumerate(media.store(media_dir, listing.id, encoded)):
        listing.photos.append(
            ListingPhoto(
                position=start + offset,
                display_path=stored.display_path,
                thumb_path=stored.thumb_path,
                width=stored.width,
                height=stored.height,
            )
        )
    _sync_cover(listing)


def _sync_cover(listing: Listing) -> None:
    # The store's cards and pages show `image_path`: the first photo when there is one.
    if listing.photos:
        listing.image_path = listing.photos[0].display_path


def remove_photo(s: DbSession, listing: Listing, photo_id: int) -> None:
    photo = next((p for p in listing.photos if p.id == photo_id), None)
    if photo is None:
        raise LookupError(photo_id)
    listing.photos.remove(photo)
    if listing.image_path == photo.display_path:
        listing.image_path = None
    _sync_cover(listing)
    s.flush()


def set_active(s: DbSession, listing: Listing, active: bool) -> None:
    listing.active = active
    s.flush()


def duplicate(s: DbSession, listing: Listing, merchant: Merchant) -> Listing:
    """A copy to edit (inactive, no stock); it shares the photo files, which are never changed in place."""
    copy = Listing(
        merchant_id=merchant.id,
        sku=_sku(merchant),
        scene_id=listing.scene_id,
        title=f"{listing.title} (copy)"[:200],
        description=listing.description,
        price_cents=listing.price_cents,
        currency=listing.currency,
        stock=0,
        image_path=listing.image_path,
        active=False,
        financing_eligible=listing.financing_eligible,
        promo_opt_in=listing.promo_opt_in,
        promos=[ListingPromo(months=m) for m in listing.promo_terms] if listing.promos else [],
        photos=[
            ListingPhoto(
                position=p.position,
                display_path=p.display_path,
                thumb_path=p.thumb_path,
                width=p.width,
                height=p.height,
            )
            for p in listing.photos
        ],
    )
    s.add(copy)
    s.flush()
    return copy
