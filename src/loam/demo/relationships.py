"""The demo company's relationships story (issue 5): relationship profiles, power maps, the organisational
checklist, intelligence, executive pairings, contact scenarios and a year of monthly health snapshots — through the
relationship services, so rules, audit rows, notifications and scores are the real ones.

Every customer gets profiles for its contacts (all of them for owned customers, the executives of pool customers):
stage, support, coach, influence and account-level decision roles plausible for its tier and the contact's level,
relationship owners on our side (finance1 owns the finance department of a few customers), competitor preferences
on the S/A customers. S/A customers get checklist marks with evidence, a few intel items (some verified by two
sources, competitor moves); S customers get executive pairings with held and planned meetings; a share of the
visits, meetings and receptions picked a contact scenario and was rated; a few rising stars have owners and plans.
Customers with open opportunities get power maps whose status ranges over red, amber and green.

Four customers tell the story (names in :mod:`loam.demo.relationships_data`, chosen among the S/A customers):

(a) 中国电信股份有限公司广西分公司 (S, ar1) **improves**: follow-ups month after month with more contacts,
    departments and colleagues (the year's older ones thin at first), stage changes S1 → S3 with evidence dated
    through the year, a coach, checklist marks and an executive pairing from mid-year;
(b) 中国移动通信集团广东有限公司 (S, ar1) **decays**: lively a year ago, no follow-up for five months, its
    network department head leaves (an organisation change → departure → succession alert: no one left there at
    S3+), support and stages drop, the executive pairing goes overdue and checklist marks lapse;
(c) 中国联合网络通信有限公司昆明市分公司 (A, ar2) **single-thread risk**: its covered cells rest on ar2 alone,
    with a big 5G deal open;
(d) 中国电信股份有限公司贵州分公司 (S, director) **power map red → green**: its biggest open opportunity (the
    10G PON deal with the default seed, see :func:`story_opportunity`) starts with no supportive key player and, edit by
    edit on the map over the year, gains a supportive evaluator, a coach, a supportive approver and decision maker.

How: the services stamp "now", so the year runs in episodes of a story clock (:mod:`loam.demo.clock`, moving the
timestamps of this part's tables afterwards), in story order, and :func:`loam.relationships.snapshots.take` runs on
the 1st of this month and each of the twelve before, between the events — each snapshot scores the profiles, marks
and departures as they were then (follow-ups are dated already). Before that, the follow-ups of the quarter before
the loader's year are added in bulk (:mod:`loam.demo.relationships_history`: the scores look 90 days back, and a
year back for "the same month last year"), and the follow-ups of (a), (b) and (c) are shaped in bulk: (a)'s are
re-dated to grow denser through the year, (b)'s squeezed into the months before its silence, (c)'s recent ones
lose their other participants. Deterministic for a seed (dates are relative to today).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Column, MetaData, Table, bindparam, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.db import Base, UTCDateTime
from loam.demo.clock import Clock
from loam.demo.loader import Loader, Plan

# table → the timestamp columns the relationship services (and what they call) fill with "now"; updated_at is
# added wherever a table has it. Only rows written after this part's first episode are moved.
STAMPED: dict[str, tuple[str, ...]] = {
    "audit_log": ("at",),
    "contact_profiles": ("created_at",),
    "contact_stage_changes": ("changed_at",),
    "contact_relation_owners": ("created_at",),
    "power_links": ("created_at",),
    "org_marks": ("created_at",),
    "relationship_snapshots": ("created_at",),
    "intel_items": ("created_at",),
    "intel_sources": ("noted_at",),
    "exec_pairings": ("created_at",),
    "exec_meetings": ("created_at",),
    "followup_scenarios": ("rated_at",),
    "followups": ("created_at",),
    "customers": (),
    "contacts": (),
    "opportunities": (),
    "opportunity_contacts": ("created_at",),
    "record_members": ("created_at",),
    "notifications": ("created_at",),
}
MONTHS = 13  # monthly snapshots: this month and the twelve before (so "the same month last year" has one)
COUNTED = (
    "contact_profiles",
    "contact_stage_changes",
    "power_links",
    "org_marks",
    "intel_items",
    "exec_pairings",
    "exec_meetings",
    "relationship_snapshots",
    "followup_scenarios",
)


class RelClock(Clock):
    """The story clock of :mod:`loam.demo.clock`, moving this part's tables (:data:`STAMPED`)."""

    def apply(self) -> None:
        if not self.marks:
            return
        self.s.flush()
        episodes = Table(
            "demo_rel_episodes",
            MetaData(),
            Column("real_start", UTCDateTime(), primary_key=True),
            Column("moment", UTCDateTime(), nullable=False),
            prefixes=["TEMPORARY"],
        )
        conn = self.s.connection()
        episodes.create(conn)
        try:
            conn.execute(insert(episodes), [{"real_start": r, "moment": m} for r, m in self.marks])
            present = set(inspect(conn).get_table_names())
            for name, columns in STAMPED.items():
                if name in present and name in Base.metadata.tables:
                    self._stamp(Base.metadata.tables[name], columns, episodes)
        finally:
            episodes.drop(conn)
        self.s.expire_all()


@dataclass
class Opp:
    """An open opportunity as the story needs it: its contacts' roles in the deal."""

    id: int
    customer_id: int
    name: str
    amount: Any
    created_at: datetime
    links: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # contact → (role, chain)


@dataclass
class FollowUpRow:
    id: int
    occurred_at: datetime
    kind: str


@dataclass
class Rel:
    """What the parts of the story share: the loader, the clock, the cast, the events to run in story order."""

    ld: Loader
    clock: RelClock
    rng: random.Random
    plans: dict[int, Plan]  # customer id → plan
    start: datetime  # the story's first day, a little more than a year ago
    users: dict[str, int]  # username → id, every demo user
    scopes: dict[str, Scope] = field(default_factory=dict)
    events: list[tuple[datetime, int, Callable[[], object]]] = field(default_factory=list)
    followups: dict[int, list[FollowUpRow]] = field(default_factory=dict)  # customer → live follow-ups, oldest first
    opps: dict[int, list[Opp]] = field(default_factory=dict)  # customer → open opportunities
    rivals: dict[int, list[str]] = field(default_factory=dict)  # customer → competitors named in its deals
    people: dict[int, list[Any]] = field(default_factory=dict)  # customer → relationships_people.Person
    described: dict[int, datetime] = field(default_factory=dict)  # customer → when its people were first recorded
    story: dict[str, int] = field(default_factory=dict)  # improves / decays / single_thread / red_to_green → id
    story_opportunity: int | None = None
    pairing_ids: dict[tuple[int, int], int] = field(default_factory=dict)  # (contact, user) → pairing, as made
    made: dict[str, int] = field(default_factory=dict)  # story follow-ups made on the way: key → id

    @property
    def s(self) -> Session:
        return self.ld.s

    @property
    def now(self) -> datetime:
        return self.ld.now

    def scope(self, username: str) -> Scope:
        if username not in self.scopes:  # the loader's users are detached by now: read them again
            from loam.org.models import User

            user = self.s.get(User, self.users[username])
            assert user is not None
            self.scopes[username] = authz_service.build_scope(self.s, user)
        return self.scopes[username]

    def username(self, user_id: int | None) -> str:
        return next((name for name, uid in self.users.items() if uid == user_id), "director")

    def owner(self, plan: Plan) -> str:
        """Who writes the customer's relationship data: its owner; the director for a customer in a pool."""
        return self.username(plan.row["owner_id"]) if plan.row["owner_id"] else "director"

    def on(self, moment: datetime, fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run ``fn(*args, **kwargs)`` at ``moment`` of the story (never later than a minute before now)."""
        moment = min(moment, self.now - timedelta(minutes=1))
        self.events.append((moment, len(self.events), lambda: fn(*args, **kwargs)))

    def ago(self, days: float, hour: int | None = None) -> datetime:
        """A business-hours moment ``days`` days ago (company time), never in the future; draws the same random
        numbers whatever the time of day, so a load at another hour tells the same story."""
        tz = self.ld.tz
        local = (self.now - timedelta(days=max(days, 0.0))).astimezone(tz)
        h = hour if hour is not None else self.rng.randint(9, 17)
        moment = datetime.combine(local.date(), time(h, self.rng.randrange(0, 60, 5)), tzinfo=tz)
        if moment > self.now:
            moment -= timedelta(days=1)
        return moment.astimezone(UTC)

    def after(self, moment: datetime, days: float) -> datetime:
        """A business-hours moment about ``days`` days after ``moment``, never in the future."""
        return self.ago(max((self.now - moment).total_seconds() / 86400 - days, 0.0))

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.ld.tz).date()


def load(ld: Loader, plans: list[Plan]) -> dict[str, int]:
    """Load the relationships story on top of the customers, follow-ups and deals; return counts for the summary."""
    from loam.demo import relationships_history as history
    from loam.demo import relationships_people as people
    from loam.demo import relationships_story as story

    users: dict[str, int] = dict(ld.s.execute(text("SELECT username, id FROM users")).all())  # type: ignore[arg-type]
    rel = Rel(
        ld,
        RelClock(ld.s),
        random.Random(ld.rng.random()),
        {p.row["id"]: p for p in plans},
        ld.now - timedelta(days=400),
        users,
    )
    read_world(rel)
    story.cast(rel)
    history.older_followups(rel)
    story.shape(rel)
    people.plan(rel)
    story.plan(rel)
    run(rel)
    finish(rel)
    return counts(rel.s)


def read_world(rel: Rel) -> None:
    """What the loader and the opportunity story made: follow-ups, open deals with their contacts, competitors."""
    from loam.activities.models import FollowUp
    from loam.opportunities.models import Opportunity, OpportunityCompetitor, OpportunityContact

    live = select(FollowUp.id, FollowUp.customer_id, FollowUp.occurred_at, FollowUp.kind).where(
        FollowUp.customer_id.is_not(None), FollowUp.deleted_at.is_(None)
    )
    for fid, cid, at, kind in rel.s.execute(live.order_by(FollowUp.occurred_at, FollowUp.id)):
        if cid is not None:
            rel.followups.setdefault(cid, []).append(FollowUpRow(fid, at, kind))
    opps = select(Opportunity.id, Opportunity.customer_id, Opportunity.name, Opportunity.amount, Opportunity.created_at)
    found = {}
    for oid, cid, name, amount, created in rel.s.execute(
        opps.where(Opportunity.status == "open", Opportunity.deleted_at.is_(None)).order_by(Opportunity.id)
    ):
        found[oid] = Opp(oid, cid, name, amount, created)
        rel.opps.setdefault(cid, []).append(found[oid])
    oc = OpportunityContact
    for oid, contact_id, role, chain in rel.s.execute(select(oc.opportunity_id, oc.contact_id, oc.role, oc.chain)):
        if oid in found:
            found[oid].links[contact_id] = (role, chain)
    rivals = select(Opportunity.customer_id, OpportunityCompetitor.name).join(
        Opportunity, Opportunity.id == OpportunityCompetitor.opportunity_id
    )
    for cid, name in rel.s.execute(rivals.order_by(OpportunityCompetitor.id)):
        if name not in rel.rivals.setdefault(cid, []):
            rel.rivals[cid].append(name)


def story_opportunity(session: Session, customer_id: int) -> int | None:
    """The open opportunity of story (d): the customer's biggest open one (ties: the oldest)."""
    from loam.opportunities.models import Opportunity

    stmt = (
        select(Opportunity.id)
        .where(
            Opportunity.customer_id == customer_id,
            Opportunity.status == "open",
            Opportunity.deleted_at.is_(None),
        )
        .order_by(Opportunity.amount.desc(), Opportunity.id)
        .limit(1)
    )
    return session.scalar(stmt)


def job_moment(month: date) -> datetime:
    """When the monthly snapshot job runs: the 1st at 01:00 UTC (loam.relationships.tasks_health)."""
    return datetime(month.year, month.month, 1, 1, 0, tzinfo=UTC)


def months(today: date) -> list[date]:
    from loam.relationships import health

    this = health.month_start(today)
    return [health.add_months(this, -k) for k in range(MONTHS - 1, -1, -1)]


def run(rel: Rel) -> None:
    """Every event in story order; on the 1st of each month the snapshot job, then the daily pairing check now."""
    from loam.relationships import execpool, snapshots

    events = sorted(rel.events, key=lambda e: (e[0], e[1]))
    last: datetime | None = None
    i = 0
    for month in months(rel.day(rel.now)):
        moment = job_moment(month)
        while i < len(events) and events[i][0] < moment:
            last = _episode(rel, events[i][0], last)
            events[i][2]()
            i += 1
        rel.clock.at(moment)
        last = moment
        snapshots.take(rel.s, month)
    for moment, _seq, fn in events[i:]:
        last = _episode(rel, moment, last)
        fn()
    rel.clock.at(rel.now - timedelta(minutes=1))
    execpool.notify_due(rel.s, rel.day(rel.now))


def _episode(rel: Rel, moment: datetime, last: datetime | None) -> datetime:
    if moment != last:
        rel.clock.at(moment)
    return moment


def finish(rel: Rel) -> None:
    """Move the timestamps to the story; notifications older than three days have been read."""
    from loam.notifications.models import Notification

    first = rel.clock.marks[0][0] if rel.clock.marks else rel.now
    rel.s.flush()
    lowest = rel.s.scalar(select(func.min(Notification.id)).where(Notification.created_at >= first))
    rel.clock.apply()
    rated_in_story(rel, first)
    if lowest is not None:
        old = rel.now - timedelta(days=3)
        unread = rel.s.execute(
            select(Notification.id, Notification.created_at).where(
                Notification.id >= lowest, Notification.created_at < old, Notification.read_at.is_(None)
            )
        ).all()
        if unread:
            table = table_of(Notification)
            stmt = update(table).where(table.c.id == bindparam("_id")).values(read_at=bindparam("_read"))
            rel.s.execute(stmt, [{"_id": i, "_read": at + timedelta(hours=2, minutes=i % 60)} for i, at in unread])
    rel.s.flush()
    rel.s.expunge_all()


def rated_in_story(rel: Rel, first: datetime) -> None:
    """A rating's audit row names the moment it was given: the story's (its column was moved, its copy in the
    audit row's changes was not)."""
    from loam.kit.audit import jsonable
    from loam.kit.models import AuditLog
    from loam.relationships.models import FollowUpScenario

    rows = rel.s.execute(
        select(AuditLog.id, AuditLog.changes, FollowUpScenario.rated_at)
        .join(FollowUpScenario, FollowUpScenario.followup_id == AuditLog.entity_id)
        .where(AuditLog.entity == "followup_scenario", AuditLog.action == "rate", AuditLog.at >= rel.start)
    ).all()
    fixed = []
    for audit_id, changes, rated_at in rows:
        if rated_at is not None and "rated_at" in (changes or {}):
            fixed.append(
                {"_id": audit_id, "_changes": changes | {"rated_at": [changes["rated_at"][0], jsonable(rated_at)]}}
            )
    if fixed:
        table = table_of(AuditLog)
        rel.s.execute(update(table).where(table.c.id == bindparam("_id")).values(changes=bindparam("_changes")), fixed)


def table_of(model: Any) -> Table:
    """A model's table, typed as one (``__table__`` is a FromClause to a type checker)."""
    return cast(Table, model.__table__)


def counts(session: Session) -> dict[str, int]:
    return {t: session.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) or 0 for t in COUNTED}  # noqa: S608 - our names
