"""Fraud and abuse rules: velocity, shared identity, throwaway e-mail, regions, declines.

The database layer counts events and passes them in a :class:`FraudContext`;
the rules here only compare those counts with the policy's thresholds. Every
rule is evaluated (so an admin sees all hits); the stage's action is the
harshest of the hits: any ``decline`` hit declines, otherwise any ``refer``
hit sends the application to manual review.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from credit.counts import Counts
from credit.policy import FraudRule, Policy

DOMAINS_PATH = Path(__file__).resolve().parent / "data" / "disposable_domains.txt"


@dataclass(frozen=True, slots=True)
class FraudContext(Counts):
    """Counts the database computed for this application.

    Velocity counts are of *earlier* applications inside the policy's
    ``fraud.window_hours`` (this one excluded). ``accounts_sharing_id_hash``
    counts distinct shopper accounts that used this national-ID hash, this
    account included. ``recent_declines`` counts declined applications of this
    account or ID hash inside ``fraud.declines_window_days``.
    """

    account_applications: int = 0
    device_applications: int = 0
    ip_applications: int = 0
    id_hash_applications: int = 0
    accounts_sharing_id_hash: int = 1
    recent_declines: int = 0


@dataclass(frozen=True, slots=True)
class FraudHit:
    rule: str
    action: str  # "decline" | "refer"
    observed: Any
    threshold: Any

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def disposable_domains() -> frozenset[str]:
    """The shipped list of throwaway e-mail domains."""
    lines = DOMAINS_PATH.read_text().splitlines()
    return frozenset(ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#"))


def is_disposable_email(email: str | None) -> bool:
    """True if the address's domain, or any parent domain of it, is on the list."""
    if not email or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    listed = disposable_domains()
    parts = domain.split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))


_VELOCITY = {
    "velocity_account": "account_applications",
    "velocity_device": "device_applications",
    "velocity_ip": "ip_applications",
    "velocity_id_hash": "id_hash_applications",
    "shared_national_id": "accounts_sharing_id_hash",
    "repeated_declines": "recent_declines",
}


def _check(
    rule: FraudRule,
    ctx: FraudContext,
    email: str | None,
    billing_region: str | None,
    shipping_region: str | None,
    amount_cents: int,
) -> FraudHit | None:
    if rule.name in _VELOCITY:
        observed = getattr(ctx, _VELOCITY[rule.name])
        hit = rule.limit is not None and observed >= rule.limit
        return FraudHit(rule.name, rule.action, observed, rule.limit) if hit else None
    if rule.name == "disposable_email":
        if email is None or not is_disposable_email(email):
            return None
        return FraudHit(rule.name, rule.action, email.rsplit("@", 1)[1].lower(), "listed")
    if rule.name == "region_mismatch":
        differs = bool(shipping_region) and bool(billing_region) and shipping_region != billing_region
        if differs and amount_cents >= (rule.min_amount_cents or 0):
            return FraudHit(rule.name, rule.action, f"{billing_region}->{shipping_region}", rule.min_amount_cents)
        return None
    raise ValueError(f"unknown fraud rule {rule.name!r}")


def evaluate_fraud(
    ctx: FraudContext,
    policy: Policy,
    *,
    email: str | None,
    billing_region: str | None,
    shipping_region: str | None,
    amount_cents: int,
) -> tuple[str, tuple[FraudHit, ...]]:
    """All rule hits and the resulting action: ``"pass"``, ``"refer"`` or ``"decline"``."""
    hits = tuple(
        hit
        for rule in policy.fraud_rules
        if (hit := _check(rule, ctx, email, billing_region, shipping_region, amount_cents)) is not None
    )
    if any(h.action == "decline" for h in hits):
        return "decline", hits
    if hits:
        return "refer", hits
    return "pass", hits
