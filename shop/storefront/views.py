"""Storefront: home, scenes, search, listings, media and the cart."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy import select

from shop.cart_session import current_cart, current_lines
from shop.extensions import db
from shop.forms import EmptyForm
from shop.models import Listing, Scene
from shop.services import carts, catalog, offers
from shop.services import media as media_types
from shop.storefront.forms import AddToCartForm, CartQuantityForm, SceneFilterForm

bp = Blueprint("storefront", __name__)


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


def _paginate(stmt):
    return db.paginate(stmt, page=_page(), per_page=current_app.config["LISTINGS_PER_PAGE"], error_out=False)


@bp.get("/")
def index():
    scenes = db.session.scalars(catalog.scenes()).all()
    featured = db.session.scalars(catalog.featured()).unique().all()
    return render_template("storefront/index.html", scenes=scenes, featured=featured)


@bp.get("/scenes/<slug>")
def scene(slug: str):
    scene = db.session.scalars(select(Scene).filter_by(slug=slug)).first() or abort(404)
    form = SceneFilterForm(request.args)
    if not form.validate():
        return render_template("storefront/scene.html", scene=scene, page=None, form=form, args={}), 400
    page = _paginate(catalog.in_scene(scene, form.listing_filter()))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("storefront/scene.html", scene=scene, page=page, form=form, args=args)


@bp.get("/search")
def search():
    q = (request.args.get("q") or "").strip()[:100]
    page = _paginate(catalog.search(q)) if q else None
    return render_template("storefront/search.html", q=q, page=page)


@bp.get("/listings/<int:listing_id>")
def listing(listing_id: int):
    item = db.session.get(Listing, listing_id)
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
    lines = current_lines(db.session)
    return render_template(
        "storefront/cart.html",
        lines=lines,
        total_cents=carts.total_cents(lines),
        qty_form=CartQuantityForm(),
        empty_form=EmptyForm(),
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
