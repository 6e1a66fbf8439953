"""The demo company's opportunity-to-cash story: products, opportunities, contracts, approvals, receivables,
invoices and sales targets — through the domains' real services, so rules, numbering, approvals and audit are
the real ones.

The story spans the past year. Services stamp "now", so the calls run in episodes of the story clock
(:mod:`loam.demo.clock`) and every timestamp written is moved to its episode's moment at the end. Contract
numbers are re-issued for the month each contract was signed in (the service numbers by the day it runs), and
the number counters are set to match. Deterministic for a seed (dates are relative to today).
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.demo import o2c_data as od
from loam.demo.clock import Clock, fix_durations
from loam.demo.loader import Loader, Plan

NUMBER = "HT-{yyyy}{mm}-{seq:05d}"  # the default pattern of a fresh database (loam.contracts)


@dataclass
class Story:
    """What the parts of the story share: the loader, the clock, the cast and what was made so far."""

    ld: Loader
    clock: Clock
    rng: random.Random
    today: date
    scopes: dict[str, Scope] = field(default_factory=dict)
    products: dict[str, Any] = field(default_factory=dict)  # code → Product
    stages: list[Any] = field(default_factory=list)  # open stages of the default pipeline, in order
    closing: dict[str, Any] = field(default_factory=dict)  # won / lost / invalid → stage
    reasons: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, name_zh) → id
    opportunity_ids: list[int] = field(default_factory=list)
    contracts: list[Any] = field(default_factory=list)  # loam.demo.o2c_contracts.Deal
    numbers: dict[str, int] = field(default_factory=dict)  # contract number prefix → last seq
    counts: dict[str, int] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def s(self) -> Session:
        return self.ld.s

    def uid(self, username: str) -> int:
        return self.ld.u.get(username) or getattr(self.ld.org, username).id  # type: ignore[no-any-return]

    def scope(self, username: str) -> Scope:
        if username not in self.scopes:
            self.scopes[username] = authz_service.build_scope(self.s, getattr(self.ld.org, username))
        return self.scopes[username]

    def moment(self, days_ago: float, hour: int | None = None) -> datetime:
        return self.ld.at(days_ago, hour)

    def later(self, moment: datetime, hours: float) -> datetime:
        """A working-hours moment (09:00–18:00 company time) at least ``hours`` after ``moment``, never in the
        future. Draws the same random numbers whatever the hour, so a load at another time of day tells the same
        story."""
        hour, minute = self.rng.randint(9, 11), self.rng.randrange(0, 60, 5)
        local = (moment + timedelta(hours=hours)).astimezone(self.ld.tz)
        if local.hour >= 18:
            local = (local + timedelta(days=1)).replace(hour=hour, minute=minute)
        elif local.hour < 9:
            local = local.replace(hour=hour, minute=minute)
        return min(local.astimezone(moment.tzinfo), self.ld.now - timedelta(minutes=5))

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.ld.tz).date()

    def next_number(self, day: date) -> str:
        prefix = f"HT-{day.year:04d}{day.month:02d}-"
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return NUMBER.format(yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", seq=self.numbers[prefix])


def load(ld: Loader, plans: list[Plan]) -> dict[str, int]:
    """Load the whole story; return counts per kind of record for the summary."""
    from loam.demo import o2c_cash, o2c_contracts, o2c_deals

    story = Story(ld, Clock(ld.s), random.Random(ld.rng.random()), ld.now.astimezone(ld.tz).date())
    catalogue(story)
    pipeline(story)
    deals = o2c_deals.opportunities(story, plans)
    o2c_contracts.contracts(story, deals, plans)
    o2c_cash.receivables(story)
    targets(story)
    story.clock.at(ld.now)
    scoring(story)
    jobs(story)
    finish(story)
    return story.counts


def catalogue(story: Story) -> None:
    """Categories and products, entered by the administrator before the story starts; one product retired."""
    from loam.products import categories as category_service
    from loam.products import service as product_service
    from loam.products.schemas import CategoryWrite, ProductCreate

    admin = story.scope("admin")
    story.clock.at(story.moment(400, 10))
    ids = {}
    for i, name in enumerate(od.CATEGORIES):
        ids[name] = category_service.create_category(story.s, admin, CategoryWrite(name=name, sort=i)).id
    for category, code, name, unit, price, description in od.PRODUCTS:
        data = ProductCreate(
            code=code,
            name=name,
            category_id=ids[category],
            unit=unit,
            list_price=Decimal(price),
            description=description,
        )
        story.products[code] = product_service.create(story.s, admin, data)
    story.counts["products"] = len(story.products)


def retire_product(story: Story, days_ago: float) -> None:
    """The old 2.1GHz RRU is discontinued: inactive from then on, still on the lines that used it."""
    from loam.products import service as product_service

    story.clock.at(story.moment(days_ago, 11))
    product = story.products[od.RETIRED]
    product_service.set_status(story.s, story.scope("admin"), product.id, False)


def pipeline(story: Story) -> None:
    from loam.opportunities import pipelines

    default = next(p for p in pipelines.list_pipelines(story.s) if p.is_default)
    stages = list(pipelines.stages_of(story.s, default.id, include_retired=False))
    story.stages = sorted((st for st in stages if st.kind == "open"), key=lambda st: st.position)
    story.closing = {st.kind: st for st in stages if st.kind != "open"}
    story.reasons = {(r.kind, r.name_zh): r.id for r in pipelines.reasons(story.s, active_only=True)}


def targets(story: Story) -> None:
    """This year's targets (contract amount and receipts) for ar1, ar2 and the account department, set by the
    director in the first week of January."""
    from loam.reports import targets_service
    from loam.reports.schemas import TargetCreate

    year = story.today.year
    start = datetime(year, 1, 5, 10, tzinfo=story.ld.tz)
    story.clock.at(min(start, story.ld.now - timedelta(hours=1)))
    season = (5, 4, 7, 8, 8, 10, 8, 8, 9, 9, 10, 14)  # per mille of the year ×10: slow after the Spring Festival
    yearly = {"ar1": 60_000_000, "ar2": 48_000_000, "account": 150_000_000}
    director = story.scope("director")
    made = 0
    for metric, share in (("contract_amount", 1.0), ("receipts", 0.8)):
        for subject, total in yearly.items():
            months = [(Decimal(total) * Decimal(str(share)) * w / 100).quantize(Decimal("1")) for w in season]
            who = (
                {"department_id": story.ld.org.account.id} if subject == "account" else {"user_id": story.uid(subject)}
            )
            data = TargetCreate(year=year, metric=metric, months=months, **who)
            targets_service.create_target(story.s, director, data)
            made += 1
    story.counts["sales_targets"] = made


def scoring(story: Story) -> None:
    """Run the learned win-probability model (the daily job) when the opportunities domain has it."""
    try:
        module = importlib.import_module("loam.opportunities.scoring")
    except ModuleNotFoundError as exc:
        if exc.name != "loam.opportunities.scoring":
            raise
        return
    result = module.run(story.s, story.ld.now)
    story.counts["scored"] = int(getattr(result, "scored", 0) or 0)


def jobs(story: Story) -> None:
    """What the nightly jobs would have sent by now: overdue receivables and expiring contracts."""
    from loam.contracts import lifecycle
    from loam.receivables import ageing

    ageing.detect_overdue(story.s)
    lifecycle.remind_expiring(story.s)


def finish(story: Story) -> None:
    """Move the timestamps to the story, fix the stage durations, the number counters; older notices read."""
    from loam.contracts.models import ContractCounter
    from loam.notifications.models import Notification

    first = story.clock.marks[0][0] if story.clock.marks else story.ld.now
    story.s.flush()
    new_notices = select(func.min(Notification.id)).where(Notification.created_at >= first)
    lowest = story.s.scalar(new_notices)
    story.clock.apply()
    fix_durations(story.s, story.opportunity_ids)
    story.s.execute(delete(ContractCounter))
    if story.numbers:
        story.s.execute(
            ContractCounter.__table__.insert(), [{"prefix": p, "value": v} for p, v in sorted(story.numbers.items())]
        )
    if lowest is not None:  # what arrived more than three days ago has been read (an hour or two later)
        old = story.ld.now - timedelta(days=3)
        unread = story.s.execute(
            select(Notification.id, Notification.created_at).where(
                Notification.id >= lowest, Notification.created_at < old, Notification.read_at.is_(None)
            )
        ).all()
        if unread:
            table = Notification.__table__
            stmt = update(table).where(table.c.id == bindparam("_id")).values(read_at=bindparam("_read"))
            story.s.execute(stmt, [{"_id": i, "_read": at + timedelta(hours=1, minutes=i % 60)} for i, at in unread])
    story.s.flush()
    story.s.expunge_all()
