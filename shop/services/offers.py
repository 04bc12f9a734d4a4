"""Offers for a cart under the shopper's approved line and tier, and the
"as low as" teaser shown on listings and the cart (one computation for both)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from credit.offers import Offer, Teaser, build_offer, eligible_terms, teaser
from credit.policy import Policy
from shop.formatting import format_money
from shop.models import CreditAccount, Listing, Order, User
from shop.models.base import DbSession
from shop.services import policies
from shop.services.applications import credit_cart
from shop.services.credit_accounts import account_of, available_credit_cents
from shop.services.errors import CreditError

ListingLines = Sequence[tuple[Listing, int]]


def offers_for(s: DbSession, user: User, lines: ListingLines, today: date) -> list[Offer]:
    """Offers for this cart under the shopper's approved line and tier."""
    account = account_of(s, user)
    if account is None or not account.tier or not lines:
        return []
    _, policy = policies.active(s)
    cart = credit_cart(list(lines))
    scene = policy.effective_scene(cart.scenes)
    terms = eligible_terms(
        policy, scene, account.tier, cart.total_cents, available_credit_cents(s, account), cart.promo_months
    )
    return [build_offer(t, cart.total_cents, today) for t in terms]


def teaser_for(s: DbSession, lines: ListingLines) -> Teaser | None:
    """The "as low as" example for these lines (a listing page passes one line),
    with its term, APR and down payment (Regulation Z 1026.24(d)): the most
    restrictive scene of the lines, their total, the promotions every line
    offers.  None when an item is not financeable or not in stock (financing
    is not advertised on what cannot be bought)."""
    if not lines or not all(listing.financing_eligible and listing.stock > 0 for listing, _ in lines):
        return None
    _, policy = policies.active(s)
    cart = credit_cart(list(lines))
    scene, promo = policy.effective_scene(cart.scenes), tuple(sorted(cart.promo_months))
    # A pure function of the (immutable) policy, the amount, the scene and the
    # promotions: computed once per combination, with the amount read fresh.
    key = (id(policy), cart.total_cents, scene, promo)
    cached = _TEASERS.get(key)
    if cached is None or cached[0] is not policy:
        if len(_TEASERS) > 4096:
            _TEASERS.clear()
        cached = _TEASERS[key] = (policy, teaser(cart.total_cents, scene, policy, promo))
    return cached[1]


def teaser_cents(s: DbSession, lines: ListingLines) -> int | None:
    """The monthly amount of :func:`teaser_for`."""
    example = teaser_for(s, lines)
    return example.monthly_cents if example else None


_TEASERS: dict[tuple[int, int, str, tuple[int, ...]], tuple[Policy, Teaser | None]] = {}


def chosen_offer(
    s: DbSession, account: CreditAccount, order: Order, product: str, today: date, policy: Policy | None = None
) -> Offer:
    """The offer `product` for this order as it stands now (under `policy`, by
    default the active one); CreditError when it no longer fits."""
    policy = policy or policies.active(s)[1]
    cart = credit_cart([(line.listing, line.quantity) for line in order.lines])
    available = available_credit_cents(s, account)
    terms = eligible_terms(
        policy, policy.effective_scene(cart.scenes), account.tier or "E", cart.total_cents, available, cart.promo_months
    )
    chosen = next((t for t in terms if t.product == product), None)
    if chosen is None:
        raise CreditError(
            f"That offer is not available for this order: your available credit is "
            f"{format_money(available, order.currency)}. Choose another offer or pay in full."
        )
    return build_offer(chosen, cart.total_cents, today)


def plan_groups(offers: Sequence[Offer]) -> list[tuple[str, list[Offer]]]:
    """Offers grouped for the plan picker: pay in 4 first, then by term in months,
    so plans of the same length (a 0% promotion and a 9.99% plan over 6 months)
    read as one choice; cheapest APR first within a term."""
    groups: dict[str, list[Offer]] = {}
    for offer in sorted(offers, key=lambda o: (o.product != "pay_in_4", o.terms.months, o.terms.apr_percent)):
        key = "Pay in 4" if offer.product == "pay_in_4" else f"{offer.terms.months} months"
        groups.setdefault(key, []).append(offer)
    return list(groups.items())
