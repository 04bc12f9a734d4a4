"""Storefront: home, scenes, search, listings, media and the cart."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from shop.cart_session import current_cart, lines_for_cart_page
from shop.extensions import db
from shop.models import Listing
from shop.services import carts, catalog, offers
from shop.services import media as media_types
from shop.storefront.forms import AddToCartForm, CartQuantityForm, SceneFilterForm

bp = Blueprint("storefront", __name__)


_CARDS: dict[tuple, Markup] = {}


@bp.app_template_global()
def listing_card_html(card) -> Markup:
    """templates/_macros.html's listing card for a catalog row, rendered once per
    distinct row: the key is every value the card shows (price and stock
    included, read fresh per request), so a changed listing renders anew."""
    key = (request.script_root, *card)
    html = _CARDS.get(key)
    if html is None:
        if len(_CARDS) > 4096:
            _CARDS.clear()
        html = _CARDS[key] = get_template_attribute("_macros.html", "listing_card")(card)
    return html


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


def _paginate(stmt):
    return catalog.paginate(db.session, stmt, _page(), current_app.config["LISTINGS_PER_PAGE"])


@bp.get("/")
def index():
    scenes = catalog.rows(db.session, catalog.scenes())
    featured = catalog.rows(db.session, catalog.featured())
    return render_template("storefront/index.html", scenes=scenes, featured=featured)


@bp.get("/scenes/<slug>")
def scene(slug: str):
    scene = catalog.scene_by_slug(db.session, slug) or abort(404)
    form = SceneFilterForm(request.args)
    if not form.validate():
        return render_template("storefront/scene.html", scene=scene, page=None, form=form, args={}), 400
    page = _paginate(catalog.in_scene(scene.id, form.listing_filter()))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("storefront/scene.html", scene=scene, page=page, form=form, args=args)


@bp.get("/search")
def search():
    q = (request.args.get("q") or "").strip()[:100]
    page = _paginate(catalog.search(q)) if q else None
    return render_template("storefront/search.html", q=q, page=page)


@bp.get("/listings/<int:listing_id>")
def listing(listing_id: int):
    # One statement: the listing with what the page shows (merchant, scene, photos).
    loads = [joinedload(Listing.merchant), joinedload(Listing.scene), joinedload(Listing.photos)]
    item = db.session.get(Listing, listing_id, options=loads)
    if item is None or not catalog.is_visible(item):
        abort(404)
    return _listing_page(item, AddToCartForm())


@bp.get("/privacy")
def privacy():
    """The privacy notice the credit application's consent refers to."""
    return render_template("storefront/privacy.html")


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder or "static", "favicon.svg", mimetype="image/svg+xml")


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Listing images only, with the type fixed by our own extension (never sniffed) and
    a CSP that lets nothing in the file run: an image, never a page."""
    content_type = media_types.content_type_for(filename) or abort(404)
    response = send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=3600, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    return response


# --- cart -------------------------------------------------------------------


def _render_cart(status: int = 200):
    lines = lines_for_cart_page(db.session)
    return render_template(
        "storefront/cart.html",
        lines=lines,
        total_cents=carts.total_cents(lines),
        teaser=offers.teaser_for(db.session, [(ln.listing, ln.quantity) for ln in lines]),
    ), status


@bp.get("/cart")
def cart():
    return _render_cart()


def _listing_page(item: Listing, form: AddToCartForm, status: int = 200):
    teaser = offers.teaser_for(db.session, [(item, 1)])
    return render_template("storefront/listing.html", listing=item, form=form, teaser=teaser), status


@bp.post("/cart/add/<int:listing_id>")
def cart_add(listing_id: int):
    item = db.session.get(Listing, listing_id)
    if item is None or not catalog.is_visible(item):
        abort(404)
    form = AddToCartForm()
    if not form.validate_on_submit():
        return _listing_page(item, form, 400)
    try:
        carts.add_item(current_cart(db.session, create=True) or abort(500), item, form.quantity.data)
    except carts.CartError as e:
        db.session.rollback()
        form.quantity.errors.append(str(e))
        return _listing_page(item, form, 409)
    db.session.commit()
    flash(f"Added “{item.title}” to your cart.", "success")
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/items/<int:item_id>")
def cart_update(item_id: int):
    form = CartQuantityForm()
    if not form.validate_on_submit() or form.quantity.data is None:
        flash("Choose a quantity between 0 and 99.", "error")
        return _render_cart(400)
    try:
        carts.set_quantity(db.session, current_cart(db.session), item_id, form.quantity.data)
    except LookupError:
        abort(404)
    except carts.CartError as e:
        db.session.rollback()
        flash(str(e), "error")
        return _render_cart(409)
    db.session.commit()
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/items/<int:item_id>/remove")
def cart_remove(item_id: int):
    try:
        carts.remove_item(db.session, current_cart(db.session), item_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash("Removed from your cart.", "info")
    return redirect(url_for("storefront.cart"))
