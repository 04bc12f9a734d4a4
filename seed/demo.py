"""`flask seed demo`: deterministic, idempotent demo data.

Running it twice changes nothing: rows are looked up by their natural key
(e-mail, slug, SKU) and only missing ones are created.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from seed.images import listing_svg
from shop.models import Listing, Merchant, MerchantStatus, Scene, User

DEMO_PASSWORD = "installmall-demo"

SCENES = [
    ("electronics", "Electronics", "Phones, laptops, TVs and audio"),
    ("home-appliances", "Home appliances", "Kitchen and laundry, big and small"),
    ("furniture", "Furniture", "Sofas, beds, desks and storage"),
    ("travel", "Travel", "Trips, luggage and experiences"),
    ("education", "Education", "Courses, instruments and learning kits"),
    ("health-beauty", "Health & beauty", "Care, wellness and fitness"),
]

MERCHANTS = [
    ("volt-and-co", "Volt & Co.", "Consumer electronics and appliances since 1998."),
    ("hearth-home", "Hearth Home", "Furniture and home goods made to last."),
    ("wander-learn", "Wander & Learn", "Travel, courses and wellness."),
]

# (sku, merchant slug, scene slug, title, price in cents, stock, promo opt-in, featured)
LISTINGS = [
    ("VC-PHN-01", "volt-and-co", "electronics", "Aurora X12 smartphone 256 GB", 89900, 25, True, True),
    ("VC-PHN-02", "volt-and-co", "electronics", "Aurora Lite smartphone 128 GB", 39900, 40, False, False),
    ("VC-LTP-01", "volt-and-co", "electronics", "Nimbus 14 laptop, 16 GB RAM", 129900, 15, True, True),
    ("VC-LTP-02", "volt-and-co", "electronics", "Nimbus Pro 16 laptop, 32 GB RAM", 239900, 8, True, False),
    ("VC-TV-01", "volt-and-co", "electronics", "Lumen 55-inch 4K television", 64900, 12, False, True),
    ("VC-TV-02", "volt-and-co", "electronics", "Lumen 65-inch OLED television", 179900, 5, True, False),
    ("VC-AUD-01", "volt-and-co", "electronics", "Echo Buds wireless earphones", 12900, 60, False, False),
    ("VC-AUD-02", "volt-and-co", "electronics", "Resonance soundbar with subwoofer", 34900, 18, False, False),
    ("VC-CAM-01", "volt-and-co", "electronics", "Prism mirrorless camera kit", 109900, 6, False, False),
    ("VC-TAB-01", "volt-and-co", "electronics", "Slate 11 tablet with pen", 54900, 20, False, False),
    ("VC-GAM-01", "volt-and-co", "electronics", "Orbit game console", 49900, 1, False, False),
    ("VC-APL-01", "volt-and-co", "home-appliances", "FrostLine French-door refrigerator", 189900, 4, True, True),
    ("VC-APL-02", "volt-and-co", "home-appliances", "AquaPure front-load washer", 79900, 9, True, False),
    ("VC-APL-03", "volt-and-co", "home-appliances", "AquaPure heat-pump dryer", 89900, 7, False, False),
    ("VC-APL-04", "volt-and-co", "home-appliances", "Whirl robot vacuum", 29900, 30, False, False),
    ("VC-APL-05", "volt-and-co", "home-appliances", "Barista espresso machine", 44900, 14, False, True),
    ("VC-APL-06", "volt-and-co", "home-appliances", "QuietDish dishwasher", 64900, 10, False, False),
    ("VC-APL-07", "volt-and-co", "home-appliances", "Crisp air fryer 6 L", 11900, 0, False, False),
    ("HH-SOF-01", "hearth-home", "furniture", "Harbor three-seat sofa", 119900, 6, True, True),
    ("HH-SOF-02", "hearth-home", "furniture", "Harbor corner sofa with chaise", 189900, 3, True, False),
    ("HH-BED-01", "hearth-home", "furniture", "Oakline queen bed frame", 69900, 10, False, False),
    ("HH-MAT-01", "hearth-home", "furniture", "CloudRest hybrid mattress, queen", 89900, 12, True, False),
    ("HH-DSK-01", "hearth-home", "furniture", "Lift standing desk", 49900, 15, False, True),
    ("HH-CHR-01", "hearth-home", "furniture", "Ergo mesh office chair", 29900, 25, False, False),
    ("HH-TBL-01", "hearth-home", "furniture", "Walnut dining table for six", 99900, 4, False, False),
    ("HH-SHF-01", "hearth-home", "furniture", "Modular bookshelf", 24900, 20, False, False),
    ("HH-RUG-01", "hearth-home", "furniture", "Handwoven wool rug 2x3 m", 39900, 9, False, False),
    ("WL-TRV-01", "wander-learn", "travel", "Lisbon city break, 4 nights for two", 149900, 10, True, True),
    ("WL-TRV-02", "wander-learn", "travel", "Alpine ski week package", 249900, 5, False, False),
    ("WL-TRV-03", "wander-learn", "travel", "Carry-on spinner suitcase", 19900, 35, False, False),
    ("WL-TRV-04", "wander-learn", "travel", "Island sailing weekend", 89900, 8, False, False),
    ("WL-TRV-05", "wander-learn", "travel", "National parks road-trip kit", 34900, 12, False, False),
    ("WL-EDU-01", "wander-learn", "education", "Data science bootcamp, 12 weeks", 299900, 20, True, True),
    ("WL-EDU-02", "wander-learn", "education", "Beginner piano course with keyboard", 59900, 15, False, False),
    ("WL-EDU-03", "wander-learn", "education", "Language immersion course, 8 weeks", 119900, 25, False, False),
    ("WL-EDU-04", "wander-learn", "education", "Robotics kit for teens", 24900, 30, False, False),
    ("WL-EDU-05", "wander-learn", "education", "Acoustic guitar starter pack", 29900, 18, False, False),
    ("WL-HB-01", "wander-learn", "health-beauty", "Pulse smart fitness watch", 27900, 40, False, True),
    ("WL-HB-02", "wander-learn", "health-beauty", "Glow skincare device", 19900, 25, False, False),
    ("WL-HB-03", "wander-learn", "health-beauty", "Home rowing machine", 99900, 6, True, False),
    ("WL-HB-04", "wander-learn", "health-beauty", "Orthodontic clear aligner plan", 249900, 50, True, False),
    ("WL-HB-05", "wander-learn", "health-beauty", "Massage chair", 159900, 3, False, False),
]

DESCRIPTIONS = {
    "electronics": "Covered by a two-year manufacturer warranty. Ships free within 3 business days.",
    "home-appliances": "Delivery and installation included; old appliance removed on request.",
    "furniture": "Solid construction, assembled by our delivery team at no extra cost.",
    "travel": "Flexible dates within 12 months; free cancellation up to 30 days before departure.",
    "education": "Certificate on completion; all materials included.",
    "health-beauty": "Thirty-day satisfaction guarantee; free returns.",
}

# (email, name, role, staff role, merchant slug)
USERS = [
    ("shopper@example.com", "Sam Shopper", "shopper", None, None),
    ("merchant@example.com", "Mia Merchant", "merchant", None, "volt-and-co"),
    ("merchant2@example.com", "Hugo Hearth", "merchant", None, "hearth-home"),
    ("merchant3@example.com", "Wendy Wander", "merchant", None, "wander-learn"),
    ("reviewer@example.com", "Rita Reviewer", "staff", "reviewer", None),
    ("collections@example.com", "Colin Collections", "staff", "collections", None),
    ("risk@example.com", "Rosa Risk", "staff", "risk", None),
    ("admin@example.com", "Ada Admin", "staff", "superadmin", None),
]


def _get_or_create(s: Session, model, key: dict, **values):
    obj = s.scalars(select(model).filter_by(**key)).first()
    if obj is None:
        obj = model(**key, **values)
        s.add(obj)
        s.flush()
        return obj, True
    return obj, False


def seed_demo(s: Session, media_dir: str | Path, password_hash: str | None = None) -> dict[str, int]:
    """Create whatever demo rows are missing; return how many of each were created."""
    created = {"scenes": 0, "merchants": 0, "listings": 0, "users": 0}
    scenes = {}
    for position, (slug, name, description) in enumerate(SCENES):
        scenes[slug], new = _get_or_create(
            s, Scene, {"slug": slug}, name=name, description=description, position=position
        )
        created["scenes"] += new
    merchants = {}
    for slug, name, description in MERCHANTS:
        merchants[slug], new = _get_or_create(
            s, Merchant, {"slug": slug}, name=name, description=description, status=MerchantStatus.APPROVED
        )
        created["merchants"] += new
    images = Path(media_dir) / "listings"
    images.mkdir(parents=True, exist_ok=True)
    for sku, merchant, scene, title, price, stock, promo, featured in LISTINGS:
        image = f"listings/{sku.lower()}.svg"
        path = images / f"{sku.lower()}.svg"
        if not path.exists():
            path.write_text(listing_svg(title, scene))
        _, new = _get_or_create(
            s,
            Listing,
            {"sku": sku},
            merchant_id=merchants[merchant].id,
            scene_id=scenes[scene].id,
            title=title,
            description=f"{title}. {DESCRIPTIONS[scene]}",
            price_cents=price,
            currency="USD",
            stock=stock,
            image_path=image,
            active=True,
            financing_eligible=True,
            promo_opt_in=promo,
            featured=featured,
        )
        created["listings"] += new
    from shop.services import policies

    policies.ensure_default(s)  # the credit policy, versioned in the database
    hashed = password_hash or generate_password_hash(DEMO_PASSWORD)
    for email, name, role, staff_role, merchant in USERS:
        _, new = _get_or_create(
            s,
            User,
            {"email": email},
            name=name,
            role=role,
            staff_role=staff_role,
            merchant_id=merchants[merchant].id if merchant else None,
            password_hash=hashed,
        )
        created["users"] += new
    return created
