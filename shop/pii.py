"""Personal data at rest: Fernet encryption (the `cryptography` package) and
a keyed hash for matching.

Keys come from the environment (`PII_ENCRYPTION_KEY`, a Fernet key, and
`PII_HASH_KEY`); in development they are generated once into `instance/`.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.fernet import Fernet
from flask import current_app, has_app_context
from sqlalchemy import String, Text
from sqlalchemy.types import TypeDecorator

_process_key: dict[str, str] = {}


def init_app(app) -> None:
    """Remember the key, so that rows loaded outside a request or app context
    (scripts, a plain SQLAlchemy session) still decrypt."""
    _process_key["fernet"] = app.config["PII_ENCRYPTION_KEY"]


def _fernet() -> Fernet:
    if not has_app_context():
        return Fernet(_process_key["fernet"].encode())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    f = app.extensions.get("pii_fernet")
    if f is None:
        f = app.extensions["pii_fernet"] = Fernet(app.config["PII_ENCRYPTION_KEY"].encode())
    return f


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised identifier: equal IDs match, the hash reveals nothing."""
    normalised = "".join(ch for ch in value if ch.isalnum()).upper()
    key = current_app.config["PII_HASH_KEY"].encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def mask(value: str | None, keep: int = 4) -> str:
    """`***-**-1234` style: only the last `keep` characters shown."""
    if not value:
        return ""
    return "•" * max(len(value) - keep, 3) + value[-keep:]


def initials(name: str | None) -> str:
    """ "Sam Shopper" -> "S. S.": what staff see of a name until they reveal it."""
    return " ".join(part[0].upper() + "." for part in (name or "").split() if part[:1].isalnum()) or "—"


def mask_email(email: str | None) -> str:
    """ "shopper@example.com" -> "sh•••@example.com": enough to tell people apart, not enough to write to."""
    if not email or "@" not in email:
        return mask(email)
    local, _, domain = email.partition("@")
    return local[:2] + "•••" + "@" + domain


class Encrypted(TypeDecorator):
    """A string column stored encrypted; Python sees plaintext."""

    impl = String(512)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(str(value))

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON document stored encrypted (e.g. a decision's inputs, which hold
    the birth date); Python sees the dict."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(json.dumps(value, sort_keys=True))

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(decrypt(value))
