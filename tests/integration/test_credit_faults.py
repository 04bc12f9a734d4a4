"""Pay over time under concurrency and faults: racing checkouts against one
credit line, double submits, a declined down payment, and Stripe down or
failing while the down payment is taken.

Every scenario runs on SQLite and on PostgreSQL; the PostgreSQL run is the one
with real row locks and real parallel transactions."""

from __future__ import annotations

import http.server
import socket
import threading
from datetime import date

import pytest
import requests
from sqlalchemy import func, select, text

from shop.models import (
    CartItem,
    CreditAccount,
    JournalEntry,
    JournalTransaction,
    Listing,
    Loan,
    LoanPayment,
    Order,
    User,
)
from shop.services import ledger, offers
from tests.support.builders import listing_by_sku
from tests.support.web import KEY_RE, SECRET_RE, AuthActions, Shopper, apply_for_credit, csrf_token, save_card

SHOPPER = "shopper@example.com"
LAPTOP = "VC-LTP-01"
STRIPE_AUTH = ("sk_test_installmall", "")


# --- arranging ------------------------------------------------------------------


def _listing(session, sku: str = LAPTOP) -> Listing:
    return listing_by_sku(session, sku)


def _approved_shopper(app, stripe_base, session, sku=LAPTOP, stock=None):
    """A logged-in client of the demo shopper with `sku` in the cart, an
    address entered and an approved credit application."""
    listing = _listing(session, sku)
    if stock is not None:
        listing.stock = stock
        session.commit()
    client = app.test_client()
    AuthActions(client).login()
    Shopper(client, stripe_base).add(listing.id)
    assert Shopper(client, stripe_base).enter_address().status_code == 302
    assert apply_for_credit(client).status_code == 302
    assert "You're approved" in client.get("/checkout/credit").get_data(as_text=True)
    return client


def _another_tab(app, stripe_base):
    """Another browser of the same shopper: its own session, so its own checkout key."""
    client = app.test_client()
    AuthActions(client).login()
    assert Shopper(client, stripe_base).enter_address().status_code == 302
    return client


def _signed_agreement(client, stripe_base, product, card="4242424242424242") -> dict:
    """Open the offer's agreement page, save `card` as Stripe.js would, and
    return the filled-in form (not submitted yet)."""
    page = client.get(f"/checkout/credit/offers/{product}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    secret, key = SECRET_RE.search(html).group(1), KEY_RE.search(html).group(1)
    save_card(stripe_base, secret, card)
    return {
        "csrf_token": csrf_token(client),
        "checkout_key": key,
        "product": product,
        "setup_intent_id": secret.split("_secret_")[0],
        "accept": "y",
        "signature": "Sam Shopper",
    }


def _accept(client, form):
    return client.post("/checkout/credit/accept", data=form)


def _offer(app, session, product, sku=LAPTOP):
    user = session.scalars(select(User).filter_by(email=SHOPPER)).one()
    with app.test_request_context():
        available = offers.offers_for(session, user, [(_listing(session, sku), 1)], date.today())
    return next(o for o in available if o.product == product)


def _account(session) -> CreditAccount:
    session.expire_all()
    return session.scalars(
        select(CreditAccount).join(User, User.id == CreditAccount.user_id).filter(User.email == SHOPPER)
    ).one()


def _all_at_once(calls):
    """Run the callables in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except BaseException as e:  # noqa: BLE001 - surfaced by the assertion below
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a checkout never finished"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _books_balance(session) -> None:
    session.expire_all()
    assert ledger.unbalanced_transactions(session) == []
    assert sum(ledger.trial_balance(session).values()) == 0


def _payment_intents(stripe_base) -> list[dict]:
    r = requests.get(f"{stripe_base}/v1/payment_intents", auth=STRIPE_AUTH, params={"limit": 100}, timeout=10)
    r.raise_for_status()
    return r.json()["data"]


# --- racing checkouts against one credit line ------------------------------------


@pytest.mark.parametrize("tabs", [2, 20])
def test_concurrent_checkouts_never_exceed_the_credit_line_and_losers_are_told_why(app, stripe_base, session, tabs):
    first = _approved_shopper(app, stripe_base, session, stock=100)
    offer = _offer(app, session, "monthly_12")
    fits = 1 if tabs == 2 else 3
    account = _account(session)
    account.credit_line_cents = fits * offer.terms.financed_cents + 100
    session.commit()
    clients = [first] + [_another_tab(app, stripe_base) for _ in range(tabs - 1)]
    forms = [_signed_agreement(c, stripe_base, "monthly_12") for c in clients]
    assert len({f["checkout_key"] for f in forms}) == tabs

    responses = _all_at_once([lambda c=c, f=f: _accept(c, f) for c, f in zip(clients, forms, strict=True)])

    statuses = [r.status_code for r in responses]
    winners = [r for r in responses if r.status_code == 302]
    losers = [r for r in responses if r.status_code != 302]
    assert 1 <= len(winners) <= fits, statuses
    for r in losers:
        body = r.get_data(as_text=True)
        assert r.status_code == 409, (r.status_code, body[:1500])
        assert "your available credit is" in body or "Your cart is empty." in body, body[:1500]
    account = _account(session)
    assert ledger.open_principal_cents(session, account.user_id) <= account.credit_line_cents
    assert _count(session, Loan) == _count(session, Order) == len(winners)
    loans = session.scalars(select(Loan)).all()
    assert all(loan.financed_cents + loan.down_payment_cents == loan.cash_price_cents for loan in loans)
    assert ledger.open_principal_cents(session, account.user_id) == sum(loan.financed_cents for loan in loans)
    assert _listing(session).stock == 100 - len(winners)
    charges = [pi for pi in _payment_intents(stripe_base) if pi["status"] == "succeeded"]
    assert len(charges) == _count(session, LoanPayment) == len(winners) * (offer.terms.down_payment_cents > 0)
    _books_balance(session)


def _waits_on_a_lock(session, backend) -> bool:
    """PostgreSQL: some transaction of the test database is blocked on a lock."""
    if backend != "postgresql":
        return False
    session.rollback()  # pg_stat_activity is a per-transaction snapshot
    return bool(
        session.scalar(
            text(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
            )
        )
    )


def test_a_checkout_of_other_items_waits_for_the_credit_lock_and_cannot_exceed_the_line(
    app, stripe_base, session, backend
):
    """Tab A's down payment is slow at Stripe while A holds its locks; tab B
    submits meanwhile.  On PostgreSQL B's cart is switched to other items first,
    so no shared stock row orders the two: only the shopper's credit-account
    lock does.  B must wait for it, then find the credit used up."""
    tab_b = _approved_shopper(app, stripe_base, session, sku=LAPTOP)
    item = session.scalars(select(CartItem)).one()
    laptop, phone = _listing(session, LAPTOP), _listing(session, PHONE)
    account = _account(session)
    account.credit_line_cents = _offer(app, session, "pay_in_4", PHONE).terms.financed_cents + 100
    session.commit()  # the phone fits, so does the laptop with a larger down payment; not both
    results = {}

    def submit(name, client, form):
        thread = threading.Thread(target=lambda: results.__setitem__(name, _accept(client, form)))
        thread.start()
        return thread

    with FaultyStripe(stripe_base) as proxy:
        _point_at(app, proxy.url)
        form_b = _signed_agreement(tab_b, stripe_base, "monthly_12")  # the laptop
        tab_a = _another_tab(app, stripe_base)
        item.listing_id = phone.id
        session.commit()
        form_a = _signed_agreement(tab_a, stripe_base, "pay_in_4")  # the phone
        a_at_stripe, a_go = proxy.hold("POST", "/v1/payment_intents")
        a = submit("a", tab_a, form_a)
        assert a_at_stripe.wait(30), "tab A never charged its down payment"
        if backend == "postgresql":  # (SQLite: A holds the database's one write lock)
            item.listing_id = laptop.id
            session.commit()
        b = submit("b", tab_b, form_b)
        for _ in range(200 if backend == "postgresql" else 10):  # till B waits on a lock or is done
            b.join(0.05)
            if not b.is_alive() or _waits_on_a_lock(session, backend):
                break
        a_go.set()
        a.join(60)
        b.join(60)
    assert results["a"].status_code == 302, results["a"].get_data(as_text=True)[:800]
    assert results["b"].status_code == 409, results["b"].status_code
    assert "your available credit is" in results["b"].get_data(as_text=True)
    account = _account(session)
    loan = session.scalars(select(Loan)).one()
    assert loan.cash_price_cents == phone.price_cents
    assert ledger.open_principal_cents(session, account.user_id) == loan.financed_cents <= account.credit_line_cents
    assert _count(session, Order) == 1
    assert _listing(session, LAPTOP).stock == laptop.stock
    _books_balance(session)


# --- double submit ------------------------------------------------------------------

PHONE = "VC-PHN-01"  # $899: pay in 4 fits, and pay in 4 always takes its first payment today


def _one_order_one_loan_one_charge(session, stripe_base, key, stock_before):
    session.expire_all()
    order = session.scalars(select(Order)).one()
    loan = session.scalars(select(Loan)).one()
    assert order.idempotency_key == key and loan.order_id == order.id
    payment = session.scalars(select(LoanPayment)).one()
    charges = [pi for pi in _payment_intents(stripe_base) if pi["status"] == "succeeded"]
    assert [pi["id"] for pi in charges] == [payment.stripe_payment_intent_id]
    assert charges[0]["amount"] == loan.down_payment_cents > 0
    assert _listing(session, PHONE).stock == stock_before - 1
    _books_balance(session)
    return loan


@pytest.fixture
def phone_in_cart(app, stripe_base, session):
    """The demo shopper, approved, with the phone in the cart: (client, the phone's stock before)."""
    stock = _listing(session, PHONE).stock
    return _approved_shopper(app, stripe_base, session, sku=PHONE), stock


def test_submitting_the_same_checkout_twice_places_one_order_with_one_loan_and_one_charge(
    phone_in_cart, session, stripe_base
):
    client, stock = phone_in_cart
    form = _signed_agreement(client, stripe_base, "pay_in_4")
    first = _accept(client, form)
    assert first.status_code == 302, first.get_data(as_text=True)[:800]
    again = _accept(client, form)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    loan = _one_order_one_loan_one_charge(session, stripe_base, form["checkout_key"], stock)
    assert first.headers["Location"].endswith(f"/account/credit/loans/{loan.number}")


def _same_browser(app, client):
    """A second client carrying `client`'s cookies: a double click sends both
    requests with the same session (same checkout key, same CSRF token)."""
    twin = app.test_client()
    for name in ("session", "im_device"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            twin.set_cookie(name, cookie.value, domain=cookie.domain)
    return twin


def test_a_double_click_on_accept_places_one_order_with_one_loan_and_one_charge(
    app, phone_in_cart, session, stripe_base
):
    client, stock = phone_in_cart
    form = _signed_agreement(client, stripe_base, "pay_in_4")
    twin = _same_browser(app, client)

    responses = _all_at_once([lambda: _accept(client, form), lambda: _accept(twin, form)])

    assert [r.status_code for r in responses] == [302, 302], [r.get_data(as_text=True)[:800] for r in responses]
    loan = _one_order_one_loan_one_charge(session, stripe_base, form["checkout_key"], stock)
    assert {r.headers["Location"] for r in responses} == {f"/account/credit/loans/{loan.number}"}


# --- a declined down payment --------------------------------------------------------


def _nothing_booked(session, stripe_base, sku=PHONE, stock=None):
    """No order, no loan, no journal entries, the cart intact, the stock untouched."""
    session.expire_all()
    assert _count(session, Order) == 0
    assert _count(session, Loan) == 0
    assert _count(session, LoanPayment) == 0
    assert _count(session, JournalTransaction) == _count(session, JournalEntry) == 0
    items = session.scalars(select(CartItem)).all()
    listing = _listing(session, sku)
    assert [(i.listing_id, i.quantity) for i in items] == [(listing.id, 1)]
    assert listing.stock == stock


def _error_shown(response) -> str:
    html = response.get_data(as_text=True)
    assert 'data-testid="payment-error"' in html, html[:1500]
    return html.split('data-testid="payment-error">', 1)[1].split("</div>", 1)[0]


def test_a_declined_down_payment_books_nothing_and_keeps_the_cart(phone_in_cart, session, stripe_base):
    client, stock = phone_in_cart
    form = _signed_agreement(client, stripe_base, "pay_in_4", card="4000000000000341")
    response = _accept(client, form)
    assert response.status_code == 402
    assert "declined" in _error_shown(response)
    _nothing_booked(session, stripe_base, stock=stock)
    assert [pi["status"] for pi in _payment_intents(stripe_base) if pi["status"] == "succeeded"] == []
    # The shopper can try again with another card on the same checkout.
    retry = _accept(client, _signed_agreement(client, stripe_base, "pay_in_4"))
    assert retry.status_code == 302
    _one_order_one_loan_one_charge(session, stripe_base, form["checkout_key"], stock)


# --- Stripe down or failing during the down payment ---------------------------------------


class FaultyStripe:
    """A pass-through proxy in front of the local Stripe server that can break
    the down payment (POST /v1/payment_intents):

    * "500": answer 500 without forwarding (Stripe failed, nothing charged);
    * "lost": forward it (the card IS charged) and then drop the connection
      before answering, as when the network fails on the way back;

    and `hold(method, path)` keeps the first such request waiting (a slow
    Stripe) until its `release` event is set; `arrived` is set when it comes in.
    """

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.fault: str | None = None
        self.holds: dict[tuple[str, str], tuple[threading.Event, threading.Event]] = {}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                breaks = self.command == "POST" and self.path.split("?")[0] == "/v1/payment_intents"
                if breaks and proxy.fault == "500":
                    payload = b'{"error": {"type": "api_error", "message": "Internal server error"}}'
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                held = proxy.holds.get((self.command, self.path.split("?")[0]))
                if held is not None and not held[0].is_set():
                    held[0].set()
                    held[1].wait(60)
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection", "accept-encoding")
                }
                r = requests.request(self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=10)
                if breaks and proxy.fault == "lost":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(r.status_code)
                self.send_header("Content-Type", r.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def hold(self, method: str, path: str) -> tuple[threading.Event, threading.Event]:
        self.holds[(method, path)] = (threading.Event(), threading.Event())
        return self.holds[(method, path)]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _point_at(app, stripe_url):
    app.config["STRIPE_API_BASE"] = stripe_url
    app.extensions["stripe_client"] = None


UNREACHABLE = "Our payment provider is not reachable right now."


def test_stripe_unreachable_at_accept_books_nothing_and_says_so(app, phone_in_cart, session, stripe_base):
    client, stock = phone_in_cart
    form = _signed_agreement(client, stripe_base, "pay_in_4")
    _point_at(app, "http://127.0.0.1:9")  # nothing listens there
    response = _accept(client, form)
    assert response.status_code == 402
    assert UNREACHABLE in _error_shown(response)
    _nothing_booked(session, stripe_base, stock=stock)
    assert _payment_intents(stripe_base) == []


@pytest.mark.parametrize("fault", ["500", "lost"])
def test_stripe_failing_during_the_down_payment_books_no_loan_and_says_so(
    app, phone_in_cart, session, stripe_base, fault
):
    client, stock = phone_in_cart
    with FaultyStripe(stripe_base) as proxy:
        _point_at(app, proxy.url)
        form = _signed_agreement(client, stripe_base, "pay_in_4")
        proxy.fault = fault
        response = _accept(client, form)
        assert response.status_code == 402
        assert UNREACHABLE in _error_shown(response)
        _nothing_booked(session, stripe_base, stock=stock)
        charged = [pi for pi in _payment_intents(stripe_base) if pi["status"] == "succeeded"]
        if fault == "500":
            assert charged == []
        else:
            # The card was charged but the answer never came back: an orphan
            # charge, tagged with the checkout so reconciliation can find it.
            assert [pi["metadata"]["checkout_key"] for pi in charged] == [form["checkout_key"]]
        # Once Stripe answers again the shopper completes the same checkout.
        proxy.fault = None
        retry = _accept(client, _signed_agreement(client, stripe_base, "pay_in_4"))
        assert retry.status_code == 302, retry.get_data(as_text=True)[:800]
        session.expire_all()
        assert _count(session, Order) == _count(session, Loan) == 1


def test_reconciliation_refunds_a_down_payment_whose_answer_was_lost(app, phone_in_cart, session, stripe_base):
    client, stock = phone_in_cart
    with FaultyStripe(stripe_base) as proxy:
        _point_at(app, proxy.url)
        lost_form = _signed_agreement(client, stripe_base, "pay_in_4")
        proxy.fault = "lost"
        assert _accept(client, lost_form).status_code == 402
    _point_at(app, stripe_base)
    assert _accept(client, _signed_agreement(client, stripe_base, "pay_in_4")).status_code == 302
    session.expire_all()
    kept = session.scalars(select(LoanPayment)).one().stripe_payment_intent_id
    orphan = next(pi["id"] for pi in _payment_intents(stripe_base) if pi["id"] != kept)

    result = app.test_cli_runner().invoke(args=["credit", "reconcile", "--min-age-minutes", "0"])

    assert result.exit_code == 0, result.output
    assert f"refunded {orphan}" in result.output and "1 orphan payment(s) refunded." in result.output
    refunds = requests.get(f"{stripe_base}/v1/refunds", auth=STRIPE_AUTH, timeout=10).json()["data"]
    assert [(r["payment_intent"], r["amount"]) for r in refunds] == [
        (orphan, session.scalars(select(Loan)).one().down_payment_cents)
    ]
    again = app.test_cli_runner().invoke(args=["credit", "reconcile", "--min-age-minutes", "0"])
    assert again.exit_code == 0 and "0 orphan payment(s) refunded." in again.output
