"""Merchant listings: search and filter, new, edit (with photos and 0 % promotions), deactivate, duplicate."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from credit.money import from_minor_units, to_minor_units
from shop.extensions import db
from shop.forms import EmptyForm
from shop.merchant.forms import ListingFilterForm, ListingForm
from shop.merchant.views import bp, current_merchant, merchant_required, owned_or_404
from shop.models import Listing, Scene
from shop.services import listings, media
from shop.services.merchants import MerchantError

PER_PAGE = 20


def _scene_choices() -> list[tuple[int, str]]:
    return [(s.id, s.name) for s in db.session.scalars(select(Scene).order_by(Scene.position, Scene.name))]


@bp.get("/listings")
@merchant_required
def listings_page():
    form = ListingFilterForm(request.args)
    form.scene.choices = [(0, "any")] + _scene_choices()
    form.validate()
    stmt = listings.search(current_merchant().id, form.q.data or "", form.status.data or "", form.scene.data or None)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("merchant/listings.html", form=form, page=page, args=args, actions=EmptyForm())


def _data(form: ListingForm) -> listings.ListingData:
    return listings.ListingData(
        title=form.title.data or "",
        description=form.description.data or "",
        price_cents=to_minor_units(form.price.data) if form.price.data is not None else 0,
        stock=form.stock.data or 0,
        scene_id=form.scene.data or 0,
        financing_eligible=bool(form.financing_eligible.data),
        promo_terms=form.promo_terms(),
    )


def _uploads() -> list[media.Upload]:
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    return [media.Upload(f.filename or "photo", f.read(media.MAX_BYTES + 1)) for f in files]


def _form_page(form: ListingForm, listing: Listing | None, status: int = 200):
    return render_template(
        "merchant/listing_form.html",
        form=form,
        listing=listing,
        preview=listings.preview(db.session, _data(form)),
        offered=listings.offered_promo_terms(db.session),
        actions=EmptyForm(),
    ), status


def _show_error(form: ListingForm, e: MerchantError | media.PhotoError) -> None:
    """Next to the photos for a refused photo, else at the top of the form."""
    (form.photos if isinstance(e, media.PhotoError) else form.title).errors.append(e.message)  # type: ignore[attr-defined]


def _form(listing: Listing | None = None) -> ListingForm:
    form = ListingForm(obj=listing) if listing is not None and request.method == "GET" else ListingForm()
    form.scene.choices = _scene_choices()
    if listing is not None and request.method == "GET":
        form.price.data = from_minor_units(listing.price_cents, listing.currency)
        form.scene.data = listing.scene_id
        for months in listing.promo_terms:
            getattr(form, f"promo_{months}").data = True
    return form


@bp.route("/listings/new", methods=["GET", "POST"])
@merchant_required
def listing_new():
    form = _form()
    if request.method == "GET" or request.form.get("action") == "preview":
        return _form_page(form, None)
    if not form.validate_on_submit():
        return _form_page(form, None, 400)
    try:
        item = listings.create(db.session, current_merchant(), _data(form), _uploads(), current_app.config["MEDIA_DIR"])
    except (MerchantError, media.PhotoError) as e:
        db.session.rollback()
        _show_error(form, e)
        return _form_page(form, None, 422)
    db.session.commit()
    flash(f"Saved “{item.title}”.", "success")
    return redirect(url_for("merchant.listing_edit", listing_id=item.id))


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@merchant_required
def listing_edit(listing_id: int):
    item = owned_or_404(Listing, listing_id)
    form = _form(item)
    if request.method == "GET" or request.form.get("action") == "preview":
        return _form_page(form, item)
    if not form.validate_on_submit():
        return _form_page(form, item, 400)
    try:
        listings.update(db.session, item, _data(form), _uploads(), current_app.config["MEDIA_DIR"])
    except (MerchantError, media.PhotoError) as e:
        db.session.rollback()
        _show_error(form, e)
        return _form_page(form, owned_or_404(Listing, listing_id), 422)
    db.session.commit()
    flash(f"Saved “{item.title}”.", "success")
    return redirect(url_for("merchant.listing_edit", listing_id=item.id))


def _checked_post() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.post("/listings/<int:listing_id>/<any(deactivate, activate):action>")
@merchant_required
def listing_set_active(listing_id: int, action: str):
    item = owned_or_404(Listing, listing_id)
    _checked_post()
    listings.set_active(db.session, item, action == "activate")
    db.session.commit()
    flash(f"“{item.title}” is {'on sale' if item.active else 'no longer on sale'}.", "success")
    return redirect(request.referrer or url_for("merchant.listings_page"))


@bp.post("/listings/<int:listing_id>/duplicate")
@merchant_required
def listing_duplicate(listing_id: int):
    item = owned_or_404(Listing, listing_id)
    _checked_post()
    copy = listings.duplicate(db.session, item, current_merchant())
    db.session.commit()
    flash("Copied: edit the copy, give it stock and put it on sale.", "success")
    return redirect(url_for("merchant.listing_edit", listing_id=copy.id))


@bp.post("/listings/<int:listing_id>/photos/<int:photo_id>/remove")
@merchant_required
def listing_photo_remove(listing_id: int, photo_id: int):
    item = owned_or_404(Listing, listing_id)
    _checked_post()
    try:
        listings.remove_photo(db.session, item, photo_id)
    except LookupError:
        abort(404)
    db.session.commit()
    return redirect(url_for("merchant.listing_edit", listing_id=listing_id))
