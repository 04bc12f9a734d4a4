"""Run localstripe (the local Stripe-compatible server) for development and tests.

localstripe's own CLI binds every interface and pickles its whole store to a
fixed file in /tmp on every write, which makes calls slow after a few hundred
objects and stops two instances from running side by side.  This launcher
binds 127.0.0.1 only, starts from an empty in-memory store and turns the
pickling off.

    python -m shop.gateways.stripe_server --port 8420
"""

from __future__ import annotations

import argparse
import logging


def _make_store_memory_only() -> None:
    from localstripe import resources  # noqa: PLC0415 - importing localstripe starts its store

    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]


def serve(port: int, host: str = "127.0.0.1") -> None:
    _make_store_memory_only()
    from aiohttp import web  # noqa: PLC0415 - only after the store is made memory-only
    from localstripe.server import app  # noqa: PLC0415

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(app, host=host, port=port, print=None, access_log=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    serve(args.port)


if __name__ == "__main__":
    main()
