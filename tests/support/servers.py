"""Loopback servers for tests: a free port, waiting for a server to answer,
the local Stripe server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.1)


@contextmanager
def stripe_server() -> Iterator[str]:
    """localstripe on a free loopback port, with an in-memory store; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "shop.gateways.stripe_server", "--port", str(port)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/js.stripe.com/v3/")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def reset_stripe(base: str) -> None:
    """Forget every object the local Stripe server holds."""
    requests.delete(f"{base}/_config/data", timeout=5).raise_for_status()
