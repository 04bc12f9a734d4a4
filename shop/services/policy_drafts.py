"""Policy drafts: store a validated draft, diff it against the active
version, simulate it by replaying stored applications, activate it (audited).
Old versions stay stored, so every stored decision remains replayable."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from credit.policy import Policy, PolicyError
from shop.models import CreditDecision, PolicyVersion, User
from shop.models.base import DbSession
from shop.services import applications, audit, policies
from shop.services.errors import StaffActionError

OUTCOMES = ("approved", "referred", "declined", "incomplete")


def parse_document(text: str) -> dict[str, Any]:
    """A JSON policy document from a form or an upload; errors name where it broke."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise StaffActionError(f"Not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}.") from None
    if not isinstance(document, dict):
        raise StaffActionError("A policy must be a JSON object.")
    return document


def create_draft(s: DbSession, staff: User, document: dict[str, Any]) -> PolicyVersion:
    """Validate (PolicyError names the field path) and store a draft; never activates it."""
    try:
        Policy.from_dict(document)
    except PolicyError as e:
        raise StaffActionError(f"Invalid policy: {e}") from None
    if s.scalars(select(PolicyVersion).filter_by(version=document["version"])).first() is not None:
        raise StaffActionError(f"version: {document['version']!r} exists already; versions are never overwritten.")
    row = policies.add_version(s, document, created_by=staff)
    audit.record(s, staff, "policy.draft", "policy", row.version)
    return row


def activate(s: DbSession, staff: User, version: str, reason: str) -> PolicyVersion:
    before, _ = policies.active(s)
    row = policies.activate_version(s, version, by=staff)
    audit.record(s, staff, "policy.activate", "policy", version, reason=reason, detail={"replaces": before.version})
    return row


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Leaf values by path; offer rows keyed by scene/product/tier/min amount, not position."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flatten(item, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list) and path == "offers":
        return {
            f"offers[{r.get('scene')}/{r.get('product')}/{r.get('tier')}/{r.get('min_amount_cents')}]": r for r in value
        }
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value):
            out |= _flatten(item, f"{path}[{i}]")
        return out
    return {path: value}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, active value, draft value) for every leaf that differs (None: absent)."""
    a, b = _flatten(old), _flatten(new)
    return [(path, a.get(path), b.get(path)) for path in sorted(a.keys() | b.keys()) if a.get(path) != b.get(path)]


@dataclass
class Tally:
    outcomes: Counter = field(default_factory=Counter)
    lines: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_tier: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, outcome: str, tier: str | None, line_cents: int) -> None:
        self.outcomes[outcome] += 1
        self.by_tier[tier or "—"][outcome] += 1
        if outcome == "approved":
            self.lines[tier or "—"].append(line_cents)

    def average_line(self, tier: str | None = None) -> int:
        lines = self.lines.get(tier, []) if tier else [x for v in self.lines.values() for x in v]
        return sum(lines) // len(lines) if lines else 0


@dataclass
class Simulation:
    draft: str
    active: str
    replayed: int
    before: Tally
    after: Tally

    @property
    def tiers(self) -> list[str]:
        return sorted(self.before.by_tier.keys() | self.after.by_tier.keys())


def last_decisions(s: DbSession, n: int) -> list[CreditDecision]:
    return list(s.scalars(select(CreditDecision).order_by(CreditDecision.id.desc()).limit(n)))


def simulate(s: DbSession, draft: PolicyVersion, n: int) -> Simulation:
    """Replay the last `n` stored applications under the active policy (before) and the draft (after)."""
    active_row, active = policies.active(s)
    proposed = policies.as_policy(draft)
    sim = Simulation(draft.version, active_row.version, 0, Tally(), Tally())
    for row in last_decisions(s, n):
        old = applications.replay_decision(s, row, active)
        new = applications.replay_decision(s, row, proposed)
        sim.before.add(old.outcome, old.tier, old.credit_line_cents)
        sim.after.add(new.outcome, new.tier, new.credit_line_cents)
        sim.replayed += 1
    return sim


def history(s: DbSession) -> list[tuple[PolicyVersion, User | None, User | None]]:
    """Every version, newest first, with who created and who last activated it."""
    rows = s.scalars(select(PolicyVersion).order_by(PolicyVersion.created_at.desc(), PolicyVersion.id.desc())).all()
    users = {u.id: u for u in s.scalars(select(User).where(User.role == "staff"))}
    return [(r, users.get(r.created_by_id or 0), users.get(r.activated_by_id or 0)) for r in rows]
