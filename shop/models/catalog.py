"""The catalog: scenes (purchase contexts) and merchants' listings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Model, utcnow

if TYPE_CHECKING:
    from shop.models.users import Merchant


class Scene(Model):
    """A purchase context (category): electronics, furniture, travel..."""

    __tablename__ = "scenes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    listings: Mapped[list[Listing]] = relationship(back_populates="scene")


class Listing(Model):
    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    image_path: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    financing_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    promo_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    merchant: Mapped[Merchant] = relationship(back_populates="listings")
    scene: Mapped[Scene] = relationship(back_populates="listings")
    promos: Mapped[list[ListingPromo]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingPromo.months"
    )
    photos: Mapped[list[ListingPhoto]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingPhoto.position"
    )

    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
    )

    @property
    def is_purchasable(self) -> bool:
        return self.active and self.stock > 0

    @property
    def promo_terms(self) -> tuple[int, ...]:
        """The 0 % promotion terms (months) the merchant funds on this listing.

        Per-term opt-ins live in `promos`; a listing from before them (the
        `promo_opt_in` flag set, no rows) offers every term."""
        if self.promos:
            return tuple(p.months for p in self.promos)
        return PROMO_TERMS if self.promo_opt_in else ()


PROMO_TERMS = (3, 6, 12)  # the promotion terms the policy's catalog knows (promo_3/6/12)


class ListingPromo(Model):
    """A merchant-funded 0 % promotion a listing offers, one row per term."""

    __tablename__ = "listing_promos"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    months: Mapped[int] = mapped_column(Integer)

    listing: Mapped[Listing] = relationship(back_populates="promos")

    __table_args__ = (
        UniqueConstraint("listing_id", "months", name="uq_listing_promos_listing_months"),
        CheckConstraint("months IN (3, 6, 12)", name="months_offered"),
    )


class ListingPhoto(Model):
    """A listing photo, decoded and re-encoded (shop/services/media.py): a display
    size and a thumbnail under MEDIA_DIR, paths relative to it."""

    __tablename__ = "listing_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    display_path: Mapped[str] = mapped_column(String(255))
    thumb_path: Mapped[str] = mapped_column(String(255))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="photos")
