"""The pool return rule as a pure decision: when does a customer go back to its pool, and is a warning due?

No I/O here, so the invariants can be checked with Hypothesis (tests/pools/test_rules_property.py):
a locked customer never returns; a closed one never returns when the pool exempts closed deals; the
return time never moves earlier when a follow-up is recorded later; nothing returns before its N days;
a warning is only given inside the ``warn_days`` window before the return time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

LEVELS = ("key", "normal", "minor")
RULE_KEYS = ("no_followup_days", "no_deal_days")


@dataclass(frozen=True)
class Facts:
    """What the rule needs to know about one owned customer."""

    owner_since: datetime | None
    last_followup_at: datetime | None = None
    level: str = "normal"
    locked: bool = False
    closed: bool = False


@dataclass(frozen=True)
class Rule:
    """A pool's return rule. ``level_rules[level][key]``: absent/None = the pool default, 0 = off for that level."""

    no_followup_days: int | None = None
    no_deal_days: int | None = None
    level_rules: Mapping[str, Mapping[str, int | None]] = field(default_factory=dict)
    exempt_closed: bool = True
    warn_days: int = 0

    def days(self, level: str) -> tuple[int | None, int | None]:
        """(no-follow-up days, no-deal days) for a customer level; None means that rule does not apply."""
        override = self.level_rules.get(level) or {}

        def pick(key: str, default: int | None) -> int | None:
            value = override.get(key)
            if value is None:
                return default or None
            return value or None

        return pick("no_followup_days", self.no_followup_days), pick("no_deal_days", self.no_deal_days)

    def shortest(self) -> int | None:
        """The fewest days after which any customer of any level can return (None: the pool never returns any)."""
        found = [d for level in LEVELS for d in self.days(level) if d]
        return min(found, default=None)

    def cutoff(self, now: datetime) -> datetime | None:
        """Customers held since after this moment can neither return nor be warned yet (a safe SQL pre-filter)."""
        shortest = self.shortest()
        if shortest is None:
            return None
        return now - timedelta(days=shortest) + timedelta(days=max(self.warn_days, 0))


@dataclass(frozen=True)
class Decision:
    return_at: datetime | None  # when the customer returns (None: never under this rule)
    warn: bool  # the owner should be warned now (inside the warn window, not yet due)
    due: bool = False  # the customer must return now
    cause: str | None = None  # "no_followup" or "no_deal": which rule sets return_at


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def return_time(facts: Facts, rule: Rule) -> tuple[datetime | None, str | None]:
    """The earliest moment one of the rule's clocks runs out, and which clock it is."""
    if facts.locked or (facts.closed and rule.exempt_closed):
        return None, None
    followup_days, deal_days = rule.days(facts.level)
    candidates: list[tuple[datetime, str]] = []
    start = _latest(facts.last_followup_at, facts.owner_since)
    if followup_days and start is not None:
        candidates.append((start + timedelta(days=followup_days), "no_followup"))
    if deal_days and not facts.closed and facts.owner_since is not None:
        candidates.append((facts.owner_since + timedelta(days=deal_days), "no_deal"))
    if not candidates:
        return None, None
    at, cause = min(candidates, key=lambda c: c[0])
    return at, cause


def decide(facts: Facts, rule: Rule, now: datetime) -> Decision:
    """Return now, warn now, or neither (see the module docstring for the guarantees)."""
    at, cause = return_time(facts, rule)
    if at is None:
        return Decision(None, False)
    if now >= at:
        return Decision(at, False, True, cause)
    warn = rule.warn_days > 0 and now >= at - timedelta(days=rule.warn_days)
    return Decision(at, warn, False, cause)


def rule_of(pool: Any) -> Rule:
    """The Rule of a Pool row."""
    return Rule(
        no_followup_days=pool.no_followup_days,
        no_deal_days=pool.no_deal_days,
        level_rules=dict(pool.level_rules or {}),
        exempt_closed=bool(pool.exempt_closed),
        warn_days=int(pool.warn_days or 0),
    )


def facts_of(customer: Any) -> Facts:
    """The Facts of a Customer row; a missing ``owner_since`` (old data) counts from the creation time."""
    return Facts(
        owner_since=customer.owner_since or customer.created_at,
        last_followup_at=customer.last_followup_at,
        level=customer.level,
        locked=bool(customer.locked),
        closed=customer.deal_status == "closed",
    )
