"""Masking personal data on staff pages: initials, a partly hidden e-mail."""

from __future__ import annotations


def initials(name: str | None) -> str:
    parts = [p for p in (name or "").split() if p]
    return "".join(f"{p[0].upper()}." for p in parts) or "?"


def mask_email(email: str | None) -> str:
    """`sam.shopper@example.com` -> `s***@e***.com`."""
    if not email or "@" not in email:
        return "***"
    local, domain = email.split("@", 1)
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{(host or tld)[:1]}***.{tld if host else ''}".rstrip(".")
