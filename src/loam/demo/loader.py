"""The machinery shared by the demo loader's parts: constants, the customer plan and the Loader state.

Rows go in with Core ``executemany`` in batches, the fast path for bulk writes (DESIGN.md §1).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from loam.config import settings
from loam.demo import companies as co
from loam.demo import names as nm
from loam.demo.org import DemoOrg
from loam.pools.models import Pool

SEED = 20260101
OWNER_POOL = "广西公海"  # the first pool: it covers the whole account department, so every owner
DEMO_USERS = ("admin", "director", "ar1", "ar2", "sr1", "fr1", "finance1")
BATCH = 1000
MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + [f"15{d}" for d in "0123789"] + [f"18{d}" for d in range(10)]
SOURCE_WEIGHTS = {"bid": 35, "referral": 20, "exhibition": 15, "partner": 10, "website": 8, "campaign": 7, "phone": 5}
LEAD_SOURCE_WEIGHTS = {**SOURCE_WEIGHTS, "bid": 12, "website": 15, "phone": 10, "other": 5}
CLOSED_P = {"S": 1.0, "A": 0.8, "B": 0.55, "C": 0.3}
BORN = {"executive": (1963, 1976), "middle": (1968, 1986), "staff": (1975, 1999)}
FOLLOWUPS_PER_YEAR = {"S": 90, "A": 45, "B": 18, "C": 9}  # the whole account team's touches


@dataclass(frozen=True)
class Spec:
    """A customer of the catalogue, before it is given an owner."""

    name: str
    short: str
    industry: str
    province: co.Province
    city: co.City
    tier: str
    kind: str  # prov | branch | tower | industry
    domain: str
    website: str | None = None


@dataclass
class Plan:
    """One customer to create, with what its contacts and follow-ups need to know."""

    row: dict[str, Any]
    short: str
    topic_key: str
    dept_key: str
    big: bool
    state: str  # fresh | warn | stale | pool
    domain: str
    pool: str | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)


class Loader:
    """The state of one load: the random source, the clock, what was drawn and inserted so far."""

    org: DemoOrg
    u: dict[str, int]  # username → id of the demo users who own customers
    dept: dict[int, int]  # user id → department id
    names: dict[int, str]  # user id → display name
    pools: dict[str, Pool]

    def __init__(self, session: Session, seed: int, now: datetime) -> None:
        self.s = session
        self.rng = random.Random(seed)
        self.now = now
        self.tz = ZoneInfo(settings.timezone)
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.audit: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.sequences: set[str] = set()
        self.extra_notices: list[tuple[int, str, dict[str, Any], dict[str, Any]]] = []

    def at(self, days_ago: float, hour: int | None = None) -> datetime:
        """A business-hours moment ``days_ago`` days back (company time zone), never in the future."""
        local = (self.now - timedelta(days=days_ago)).astimezone(self.tz)
        h = hour if hour is not None else self.rng.randint(9, 17)
        moment = datetime.combine(local.date(), time(h, self.rng.randrange(0, 60, 5)), tzinfo=self.tz)
        if moment > self.now and hour is None:
            moment -= timedelta(days=1)
        return moment.astimezone(UTC)

    def today_at(self, hour: int) -> datetime:
        local = datetime.combine(self.now.astimezone(self.tz).date(), time(hour, 0), tzinfo=self.tz)
        return local.astimezone(UTC)

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self) -> tuple[str, str]:
        surname, py, _w = self.rng.choices(nm.SURNAMES, weights=[w for *_x, w in nm.SURNAMES])[0]
        chars = nm.GIVEN_MALE if self.rng.random() < 0.62 else nm.GIVEN_FEMALE
        given = self.rng.sample(chars, 1 if self.rng.random() < 0.3 else 2)
        return surname + "".join(c for c, _p in given), py + "".join(p for _c, p in given)

    def email(self, pinyin: str, domain: str) -> str:
        local, n = pinyin, 1
        while f"{local}@{domain}" in self.emails:
            n += 1
            local = f"{pinyin}{n}"
        self.emails.add(f"{local}@{domain}")
        return f"{local}@{domain}"

    def insert(self, model: Any, rows: list[dict[str, Any]], ids: bool = False) -> list[int]:
        """Core executemany INSERTs in batches (the fast path); with ``ids``, ids are given here, in order.

        ORM bulk inserts with RETURNING fall back to one row per statement on SQLite when the order of the
        returned ids must be kept, so ids are assigned from MAX(id) instead (the tables are empty or ours).
        """
        table = getattr(model, "__table__", model)
        given: list[int] = []
        if ids and rows:
            start = (self.s.scalar(select(func.max(table.c.id))) or 0) + 1
            given = list(range(start, start + len(rows)))
            for row, new_id in zip(rows, given, strict=True):
                row["id"] = new_id
            self.sequences.add(table.name)
        for i in range(0, len(rows), BATCH):
            self.s.execute(insert(table), rows[i : i + BATCH])
        self.counts[table.name] += len(rows)
        return given

    def fix_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids given here, so later INSERTs do not collide."""
        if self.s.get_bind().dialect.name != "postgresql":
            return
        for name in sorted(self.sequences):
            sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM \"{name}\"))"  # noqa: S608
            self.s.execute(text(sql))

    def audit_row(self, entity: str, entity_id: int, action: str, user: int | None, at: datetime, **changes: Any):
        changes = {k: [None, v] if not isinstance(v, list) else v for k, v in changes.items()}
        self.audit.append(
            {"entity": entity, "entity_id": entity_id, "action": action, "user_id": user, "at": at, "changes": changes}
        )
