"""Merchant-portal helpers: image bytes (good, bombs, liars), a logged-in
merchant or staff client, a two-line financed order, and a Stripe proxy that
can fail one path (the refunds)."""

from __future__ import annotations

import http.server
import io
import re
import struct
import threading
import zlib

import requests
from PIL import Image

from tests.support.web import AuthActions, csrf_token

REFUND_KEY_RE = re.compile(r'id="refund_key" name="refund_key" type="hidden" value="([^"]+)"')


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {}
    if fmt == "JPEG":  # with metadata that must not survive the upload
        exif = Image.Exif()
        exif[0x010E] = "secret-location-note"
        kwargs["exif"] = exif.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header promises width x height pixels (a decompression bomb's header)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = 8 + 8  # signature, then length + type of the IHDR chunk
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13])) & 0xFFFFFFFF
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def logged_in(app, email: str):
    client = app.test_client()
    response = AuthActions(client).login(email)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def refund_key(client, path: str) -> str:
    return REFUND_KEY_RE.search(client.get(path).get_data(as_text=True)).group(1)


def post_form(client, path: str, data: dict, token_from: str = "/", **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **data}, **kwargs)


class FaultyStripe:
    """A pass-through proxy in front of the local Stripe server; with `fault = "500"`
    every POST to `path` is answered 500 without being forwarded (Stripe failed)."""

    def __init__(self, upstream: str, path: str = "/v1/refunds"):
        self.upstream, self.path, self.fault = upstream, path, None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "POST" and self.path.split("?")[0] == proxy.path and proxy.fault == "500":
                    self._answer(500, b'{"error": {"type": "api_error", "message": "Internal server error"}}')
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection", "accept-encoding")
                }
                r = requests.request(self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=10)
                self._answer(r.status_code, r.content)

            def _answer(self, status: int, payload: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def point_stripe_at(app, url: str) -> None:
    app.config["STRIPE_API_BASE"] = url
    app.extensions["stripe_client"] = None
