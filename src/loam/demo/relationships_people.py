"""The demo company's relationships, customer by customer (see :mod:`loam.demo.relationships`): who each contact
is to us (profile, stage history, owners on our side, competitor preferences), informal power-map links, the
organisational checklist, intelligence, executive pairings, rising stars and the scenarios follow-ups followed.

Everything is planned here with the story's random source and scheduled as events (``rel.on``): the calls to the
services happen later, in story order. The four story customers get their own plans (loam.demo.relationships_story)
on top of or instead of these.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from loam.demo import names as nm
from loam.demo import relationships_data as rd
from loam.demo.loader import Plan
from loam.demo.relationships import Rel

TECH = ("网络部", "技术部", "云网运营部", "运维部", "工程部", "信息中心", "科技部", "IT部")
# tier → level → weights of S1…S4 when the account team first described the contact
STAGES = {
    "S": {"executive": (5, 30, 45, 20), "middle": (10, 35, 40, 15), "staff": (35, 45, 20, 0)},
    "A": {"executive": (15, 40, 35, 10), "middle": (20, 45, 28, 7), "staff": (50, 40, 10, 0)},
    "B": {"executive": (45, 40, 15, 0), "middle": (55, 35, 10, 0), "staff": (75, 25, 0, 0)},
    "C": {"executive": (65, 30, 5, 0), "middle": (70, 25, 5, 0), "staff": (85, 15, 0, 0)},
}
# stage → weights of support −2…+2
SUPPORT = {1: (2, 13, 70, 15, 0), 2: (0, 5, 50, 40, 5), 3: (0, 0, 15, 60, 25), 4: (0, 0, 0, 40, 60)}
KEY_ROLES = ("decision_maker", "approver", "evaluator", "influencer")
TARGETS = ("red", "amber", "green", "amber", "green", "red", "green", "amber")
SCENARIO_SHARE = {"S": 0.14, "A": 0.1, "B": 0.05, "C": 0.03}


@dataclass
class Person:
    """How the account team describes one contact when it first records the profile."""

    c: dict[str, Any]  # the contact as the loader made it (id, name, level, dept_name, title, reports_to_id …)
    stage: int = 1
    support: int = 0
    coach: bool = False
    influence: str = "medium"
    role: str | None = None
    chain: str | None = None
    orientation: str | None = None
    owners: list[str] = field(default_factory=list)  # usernames on our side
    prefs: list[tuple[str, str]] = field(default_factory=list)  # (competitor, strong | leaning | none)

    @property
    def id(self) -> int:
        return int(self.c["id"])

    @property
    def key_player(self) -> bool:
        return self.role in KEY_ROLES or self.influence == "high"


def topic(rel: Rel, plan: Plan) -> str:
    return rel.rng.choice(nm.TOPICS.get(plan.topic_key, nm.TOPICS["default"]))


def evidence(rel: Rel, plan: Plan, stage: int) -> str:
    return rel.rng.choice(rd.EVIDENCE[stage]).format(topic=topic(rel, plan))


def rivals(rel: Rel, plan: Plan) -> list[str]:
    found = rel.rivals.get(plan.row["id"]) or []
    return found or list(rd.RIVALS["telecom" if plan.topic_key == "telecom" else "other"])


# --- who each contact is ---------------------------------------------------------------------------------------


def _role(rel: Rel, c: dict[str, Any], index: int, seen: set[str]) -> tuple[str | None, str | None, str]:
    """(decision role, chain, influence) on the account map, from the contact's level, title and department."""
    r = rel.rng
    title, dept, level = c["title"] or "", c["dept_name"] or "", c["level"]
    if level == "executive":
        if index == 0:
            return "decision_maker", "overall", "high"
        if "总工" in title or "首席信息官" in title:
            return "evaluator", "technical", "high"
        if "approver" not in seen:
            seen.add("approver")
            return "approver", "commercial", "high"
        return "influencer", "overall", "high" if r.random() < 0.6 else "medium"
    if level == "middle":
        high = "high" if r.random() < 0.3 else "medium"
        if dept in TECH:
            if "evaluator" not in seen:
                seen.add("evaluator")
                return "evaluator", "technical", high
            return ("influencer", "technical", high) if r.random() < 0.5 else (None, None, high)
        if dept == "采购部":
            return "gatekeeper", "commercial", high
        if dept == "财务部":
            return ("influencer", "commercial", "medium") if r.random() < 0.4 else (None, None, "medium")
        if dept == "办公室":
            return ("gatekeeper", "hidden", "medium") if r.random() < 0.3 else (None, None, "medium")
        return ("initiator", "commercial", "medium") if r.random() < 0.3 else (None, None, "medium")
    low = "low" if r.random() < 0.65 else "medium"
    if "秘书" in title:
        return "gatekeeper", "hidden", "medium"
    if dept in TECH and r.random() < 0.25:
        return "user", "technical", low
    return None, None, low


def describe(rel: Rel, plan: Plan, mood: str | None) -> list[Person]:
    """Profiles for the customer's contacts (of a B or C customer its executives and middle managers, of one in a
    pool its executives; the others keep the default profile, S1 and neutral). ``mood``: None (as the
    tier makes it likely), "new" (hardly known yet), "warm" (a close account), "cold" (nobody supports us), or a
    power-map target: "red", "amber", "green"."""
    r, tier = rel.rng, plan.row["tier"]
    levels: tuple[str, ...] = ("executive", "middle", "staff") if plan.row["tier"] in "SA" else ("executive", "middle")
    if not plan.row["owner_id"]:
        levels = ("executive",)
    contacts = [c for c in plan.contacts if c["level"] in levels]
    execs = [c for c in plan.contacts if c["level"] == "executive"]
    seen: set[str] = set()
    out = []
    for c in contacts:
        index = execs.index(c) if c in execs else -1
        role, chain, influence = _role(rel, c, index, seen)
        stage = r.choices((1, 2, 3, 4), weights=STAGES[tier][c["level"]])[0]
        support = r.choices((-2, -1, 0, 1, 2), weights=SUPPORT[stage])[0]
        coach = stage >= 3 and support >= 1 and r.random() < (0.6 if stage == 4 else 0.2)
        p = Person(c, stage, support, coach, influence, role, chain)
        if c["level"] != "staff" and r.random() < 0.6:
            p.orientation = r.choice(rd.ORIENTATIONS)
        out.append(p)
    mood_of(rel, out, mood)
    if tier == "S" and mood in (None, "green"):
        mood_of(rel, out, "warm")  # the strategic accounts we hold best: trusted by their key people
    owners(rel, plan, out)
    preferences(rel, plan, out)
    return out


def mood_of(rel: Rel, people: list[Person], mood: str | None) -> None:
    """Shape the described people to the customer's part in the story (see :func:`describe`)."""
    if not people or mood is None:
        return
    head = people[0]
    if mood == "new":
        for p in people:
            p.stage, p.support, p.coach = 1, min(p.support, 0), False
    elif mood in ("cold", "red"):
        for p in people:
            p.stage, p.support, p.coach = min(p.stage, 2), min(p.support, 0), False
    elif mood == "warm":
        for p in people:
            if p.c["level"] != "staff":
                p.stage, p.support = max(p.stage, 3 if p.key_player else 2), max(p.support, 1)
    elif mood == "amber":
        for p in people:
            p.coach = False
        if not any(p.support >= 1 and p.key_player for p in people):
            pick = next((p for p in people if p.key_player and p.role not in ("decision_maker", "approver")), head)
            pick.stage, pick.support = max(pick.stage, 2), 1
    elif mood == "green":
        head.stage, head.support = max(head.stage, 2), max(head.support, 1)
        if not any(p.coach and p.key_player for p in people):
            tech = [p for p in people if p.c["level"] != "staff" and p.chain == "technical"]
            coach = tech[0] if tech else head
            coach.stage, coach.support, coach.coach, coach.influence = max(coach.stage, 3), 1, True, "high"


def owners(rel: Rel, plan: Plan, people: list[Person]) -> None:
    """Our people who own each relationship: the account owner the executives, the director the head of an S
    customer, the solution manager the technical heads of S customers, fulfilment the finance department."""
    owner, tier = rel.owner(plan), plan.row["tier"]
    if not plan.row["owner_id"]:
        return
    for p in people:
        level, dept = p.c["level"], p.c["dept_name"]
        if level == "executive" and (tier in "SA" or p is people[0]):
            p.owners = [owner] + (["director"] if tier == "S" and p is people[0] and owner != "director" else [])
        elif tier == "S" and level == "middle" and dept in TECH and p.role:
            p.owners = [owner, "sr1"] if owner != "sr1" else [owner]
        elif tier == "S" and dept == "财务部" and level != "staff":
            p.owners = ["fr1"]


def preferences(rel: Rel, plan: Plan, people: list[Person]) -> None:
    """On S/A customers a few key people lean towards a competitor (an opposed contact strongly)."""
    r = rel.rng
    if plan.row["tier"] not in "SA" or not plan.row["owner_id"]:
        return
    names = rivals(rel, plan)
    key = [p for p in people if p.c["level"] != "staff"]
    for p in r.sample(key, min(len(key), r.randint(1, 3))):
        chosen = r.sample(names, min(len(names), r.randint(1, 2)))
        strong = p.support < 0
        p.prefs = [(n, "strong" if strong and i == 0 else r.choice(("leaning", "leaning", "none"))) for i, n in
                   enumerate(chosen)]  # fmt: skip


# --- writing it (run later, in story order) --------------------------------------------------------------------


def frozen(people: list[Person]) -> list[Person]:
    """The people as described now: later plans (stage moves) change the originals, not what is first recorded."""
    return [replace(p, owners=list(p.owners), prefs=list(p.prefs)) for p in people]


def write_people(rel: Rel, plan: Plan, people: list[Person]) -> None:
    """The account team records its people: profile, stage with evidence, owners, competitor preferences."""
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import (
        CompetitorPreference,
        CompetitorPreferencesWrite,
        ProfileUpdate,
        RelationOwnersWrite,
        StageChange,
    )

    scope = rel.scope(rel.owner(plan))
    for p in people:
        fields: dict[str, Any] = {"support": p.support, "coach": p.coach, "influence": p.influence}
        if p.role:
            fields |= {"decision_role": p.role, "chain": p.chain}
        if p.orientation:
            fields["orientation"] = p.orientation
        profiles.update(rel.s, scope, p.id, ProfileUpdate(**fields))
        if p.stage > 1:
            profiles.change_stage(
                rel.s, scope, p.id, StageChange(to_stage=p.stage, evidence=evidence(rel, plan, p.stage), version=None)
            )
        if p.owners:
            ids = [rel.users[u] for u in p.owners]
            profiles.set_relation_owners(rel.s, scope, p.id, RelationOwnersWrite(user_ids=ids))
        if p.prefs:
            items = [CompetitorPreference(competitor=n, preference=v) for n, v in p.prefs]
            profiles.set_competitor_preferences(rel.s, scope, p.id, CompetitorPreferencesWrite(items=items))


def move_stage(rel: Rel, plan: Plan, contact_id: int, to: int, note: str, support: int | None = None) -> None:
    """Record a stage change with its evidence (and, with ``support``, the support it comes with)."""
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import ProfileUpdate, StageChange

    scope = rel.scope(rel.owner(plan))
    profile = profiles.change_stage(rel.s, scope, contact_id, StageChange(to_stage=to, evidence=note, version=None))
    if support is not None and support != profile.support:
        profiles.update(rel.s, scope, contact_id, ProfileUpdate(support=support, version=profile.version))


def edit_profile(rel: Rel, plan: Plan, contact_id: int, username: str | None = None, **fields: Any) -> None:
    """A partial edit of a stored profile (the version read just before)."""
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import ProfileUpdate

    scope = rel.scope(username or rel.owner(plan))
    version = profiles.get(rel.s, scope, contact_id).version
    profiles.update(rel.s, scope, contact_id, ProfileUpdate(**fields, version=version))


def described_at(rel: Rel, plan: Plan) -> datetime:
    """When the account team first recorded the customer's people: in the story's first weeks, or a few days
    after a newer customer was entered."""
    created = plan.row["created_at"]
    if created < rel.start:
        return rel.ago((rel.now - rel.start).days - rel.rng.uniform(1, 25))
    return rel.after(created, rel.rng.uniform(2, 10))


# --- the plan for every customer -------------------------------------------------------------------------------


def plan(rel: Rel) -> None:
    """Plan every customer's relationships (the story customers' own plans come on top, in relationships_story)."""
    story = set(rel.story.values())
    targets = {}
    with_deals = sorted(c for c in rel.opps if c not in story and c in rel.plans)
    for i, cid in enumerate(with_deals):
        targets[cid] = TARGETS[i % len(TARGETS)]
    moods = {rel.story["improves"]: "new", rel.story["decays"]: "warm", rel.story["red_to_green"]: "cold"}
    stars = 0
    for cid in sorted(rel.plans):
        plan = rel.plans[cid]
        people = describe(rel, plan, moods.get(cid, targets.get(cid)))
        rel.people[cid] = people
        if not people:
            continue
        t0 = rel.described[cid] = described_at(rel, plan)
        if cid in story:
            continue  # relationships_story plans and records them
        rel.on(t0, write_people, rel, plan, frozen(people))
        if not plan.row["owner_id"]:
            continue
        stage_moves(rel, plan, people, t0, capped=targets.get(cid) == "red")
        tier = plan.row["tier"]
        if tier in "SA":
            marks(rel, plan, t0)
            intel(rel, plan, people, t0)
        elif rel.rng.random() < 0.25:
            project_news(rel, plan, people, rel.after(t0, rel.rng.uniform(30, 330)))
        if tier == "S" or cid in targets:
            links(rel, plan, people, t0)
        if tier == "S":
            pairings(rel, plan, people, t0)
            if stars < 3:
                stars += rising_star(rel, plan, people, t0)
    finance_owners(rel, story)
    scenarios(rel)


def stage_moves(rel: Rel, plan: Plan, people: list[Person], t0: datetime, capped: bool) -> None:
    """During the year some relationships move up a stage (with evidence), a few down."""
    r = rel.rng
    share = 0.22 if plan.row["tier"] in "SA" else 0.08
    span = max((rel.now - t0).days - 25, 1)
    for p in people:
        roll = r.random()
        at = rel.after(t0, 20 + r.uniform(0, span))
        if roll < share and p.stage < (2 if capped else 4):
            to = p.stage + 1
            support = max(p.support, 1) if to >= 3 else None
            rel.on(at, move_stage, rel, plan, p.id, to, evidence(rel, plan, to), support)
            p.stage = to
        elif roll > 0.97 and p.stage > 1:
            rel.on(at, move_stage, rel, plan, p.id, p.stage - 1, r.choice(rd.DOWN))
            p.stage -= 1


def evidence_followups(rel: Rel, customer_id: int, until: datetime, n: int = 1) -> list[int]:
    """The customer's latest follow-ups (visits, meetings, receptions) in the 60 days up to ``until``."""
    rows = rel.followups.get(customer_id, [])
    end = bisect.bisect_right([f.occurred_at for f in rows], until)
    found = [f.id for f in rows[:end] if f.occurred_at > until - timedelta(days=60) and f.kind in rd.SCENARIO_OF_KIND]
    return found[-n:]


def set_mark(rel: Rel, plan: Plan, key: str, achieved: datetime, text: str, factor: str = "1", proof: int = 0) -> None:
    from loam.relationships import orgmarks
    from loam.relationships.schemas_layers import OrgMarkWrite

    ids = evidence_followups(rel, plan.row["id"], achieved, proof) if proof else []
    data = OrgMarkWrite(factor=Decimal(factor), achieved_on=rel.day(achieved), evidence=text, followup_ids=ids)
    orgmarks.set_mark(rel.s, rel.scope(rel.owner(plan)), plan.row["id"], key, data)


def clear_mark(rel: Rel, plan: Plan, key: str) -> None:
    from loam.relationships import orgmarks

    orgmarks.clear_mark(rel.s, rel.scope(rel.owner(plan)), plan.row["id"], key)


def mark(rel: Rel, plan: Plan, t0: datetime, key: str, days_ago: float, factor: str = "1", **params: Any) -> None:
    """Schedule one checklist mark achieved ``days_ago`` days ago: recorded then (or at ``t0`` when older)."""
    achieved = rel.ago(days_ago)
    text = rd.MARKS[key].format(**params)
    if key == "strategic_agreement":
        text += rd.AGREEMENT_SCOPES.get(f"{Decimal(factor):.2f}", "")
    moment = t0 if achieved < t0 else rel.after(achieved, rel.rng.uniform(1, 6))
    rel.on(moment, set_mark, rel, plan, key, achieved, text, factor, 1 if key != "strategic_agreement" else 0)


def marks(rel: Rel, plan: Plan, t0: datetime) -> None:
    """The organisational checklist of an S or A customer: a few items long in place, some achieved this year."""
    r, s_tier = rel.rng, plan.row["tier"] == "S"
    head = next((p.c["name"] for p in rel.people[plan.row["id"]] if p.c["level"] == "executive"), "")
    if s_tier or r.random() < 0.4:
        mark(
            rel,
            plan,
            t0,
            "strategic_agreement",
            r.uniform(420, 1000),
            r.choice(("1", "0.7") if s_tier else ("0.7", "0.4")),
        )
    if s_tier:
        mark(rel, plan, t0, "exec_meetings", r.uniform(200, 300), n=r.choice((2, 3, 4)))
        mark(rel, plan, t0, "exec_pairing", r.uniform(20, 120), who=f"{head}")
    if r.random() < (0.8 if s_tier else 0.35):
        mark(rel, plan, t0, "summit", r.uniform(30, 70) if r.random() < 0.5 else r.uniform(390, 420))
    if r.random() < (0.6 if s_tier else 0.25):
        mark(rel, plan, t0, "joint_plan", r.uniform(150, 330))
    if r.random() < (0.5 if s_tier else 0.3):
        mark(rel, plan, t0, "satisfaction", r.uniform(40, 250))
    if s_tier and r.random() < 0.35:
        mark(rel, plan, t0, "joint_innovation", r.uniform(100, 600))
    if s_tier and r.random() < 0.15:
        mark(rel, plan, t0, "crisis", r.uniform(60, 500))


# --- intelligence ----------------------------------------------------------------------------------------------


def add_intel(rel: Rel, plan: Plan, kind: str, content: str, sources: list[tuple[str, int]], **extra: Any) -> None:
    """Record an intel item: ``sources`` are ("contact" | "user" | "against", id) — "against" contradicts."""
    from loam.relationships import intel as intel_service
    from loam.relationships.schemas_network import IntelCreate, SourceWrite

    written = []
    for who, ident in sources:
        if who == "user":
            written.append(SourceWrite(user_id=ident))
        else:
            written.append(SourceWrite(contact_id=ident, stance="contradicts" if who == "against" else "confirms"))
    data = IntelCreate(customer_id=plan.row["id"], kind=kind, content=content, sources=written, **extra)
    intel_service.create(rel.s, rel.scope(rel.owner(plan)), data)


def informants(rel: Rel, people: list[Person], n: int) -> list[Person]:
    """Contacts who tell us things: those at S2 or above first."""
    good = [p for p in people if p.stage >= 2 and p.c["level"] != "executive"] or people
    return rel.rng.sample(good, min(n, len(good)))


def project_news(rel: Rel, plan: Plan, people: list[Person], at: datetime, verified: bool = False) -> None:
    r = rel.rng
    content = r.choice(rd.INTEL_PROJECT).format(topic=topic(rel, plan))
    sources = [("contact", p.id) for p in informants(rel, people, 2 if verified else 1)]
    confidence = "high" if verified else "medium"
    rel.on(at, add_intel, rel, plan, "project", content, sources, occurred_on=rel.day(at), confidence=confidence)


def intel(rel: Rel, plan: Plan, people: list[Person], t0: datetime) -> None:
    """A few items about an S or A customer over the year: project news, a competitor move, a key person."""
    r = rel.rng
    span = max((rel.now - t0).days - 10, 1)
    project_news(rel, plan, people, rel.after(t0, r.uniform(5, span)), verified=r.random() < 0.5)
    rival = r.choice(rivals(rel, plan))
    content = r.choice(rd.INTEL_RIVAL).format(rival=rival, pct=r.randint(5, 15))
    at = rel.after(t0, r.uniform(5, span))
    sources = [("user", rel.users[rel.owner(plan)])] + [("contact", p.id) for p in informants(rel, people, 1)
                                                        if r.random() < 0.5]  # fmt: skip
    rel.on(at, add_intel, rel, plan, "competitor", content, sources, occurred_on=rel.day(at), competitor=rival)
    if plan.row["tier"] == "S":
        who = next((p for p in people if p.c["level"] == "executive"), people[0])
        content = r.choice(rd.INTEL_PERSON).format(who=who.c["name"])
        at = rel.after(t0, r.uniform(5, span))
        sources = [("user", rel.users[rel.owner(plan)])]
        rel.on(at, add_intel, rel, plan, "person", content, sources, occurred_on=rel.day(at), contact_ids=[who.id])


# --- power-map links, pairings, rising stars, finance owners -----------------------------------------------------


def add_link(rel: Rel, plan: Plan, a: int, b: int, kind: str, strength: int, remark: str | None = None) -> None:
    from loam.relationships import powermap
    from loam.relationships.schemas_powermap import PowerLinkCreate

    data = PowerLinkCreate.model_validate(
        {"from_contact_id": a, "to_contact_id": b, "kind": kind, "strength": strength, "remark": remark}
    )
    powermap.add_link(rel.s, rel.scope(rel.owner(plan)), plan.row["id"], data)


def links(rel: Rel, plan: Plan, people: list[Person], t0: datetime) -> None:
    """Informal links on the map: the chief engineer's sway over the head, a personal tie, now and then a rift."""
    r = rel.rng
    execs = [p for p in people if p.c["level"] == "executive"]
    if len(execs) < 2:
        return
    at = rel.after(t0, r.uniform(20, 120))
    chief = next((p for p in execs[1:] if p.role == "evaluator"), None)
    if chief is not None:
        rel.on(
            at,
            add_link,
            rel,
            plan,
            chief.id,
            execs[0].id,
            "influences",
            3,
            "技术方案基本由总工把关，总经理很尊重其意见",
        )
    mids = [p for p in people if p.c["level"] == "middle" and p.c.get("reports_to_id") == execs[1].id]
    if mids and r.random() < 0.5:
        rel.on(at, add_link, rel, plan, execs[1].id, r.choice(mids).id, "personal", 2, "大学同学，私交很好")
    if len(execs) > 2 and r.random() < 0.2:
        rel.on(at, add_link, rel, plan, execs[1].id, execs[2].id, "conflicts", 2, "分管领域有交叉，意见时常不一致")


def make_pairing(rel: Rel, contact_id: int, username: str, days: int, remark: str) -> None:
    from loam.relationships import execpool
    from loam.relationships.schemas_network import PairingCreate

    data = PairingCreate(contact_id=contact_id, user_id=rel.users[username], expected_days=days, remark=remark)
    rel.pairing_ids[(contact_id, rel.users[username])] = execpool.create(rel.s, rel.scope("director"), data).id


def meeting(rel: Rel, contact_id: int, username: str, on: datetime, held: bool, summary: str | None = None,
            followup_id: int | None = None) -> None:  # fmt: skip
    from loam.relationships import execpool
    from loam.relationships.schemas_network import MeetingCreate

    pairing = rel.pairing_ids[(contact_id, rel.users[username])]
    day = rel.day(on)
    data = MeetingCreate(planned_on=day, held_on=day if held else None, status="held" if held else "planned",
                         summary=summary, followup_id=followup_id)  # fmt: skip
    execpool.add_meeting(rel.s, rel.scope("director"), pairing, data)


def pair(rel: Rel, contact: Person, username: str, days: int, created: datetime, held: list[datetime],
         planned: datetime | None) -> None:  # fmt: skip
    """A pairing made at ``created``, its meetings recorded the day after they were held, the next one planned."""
    remark = rd.PAIRING_REMARK if username == "director" else rd.TECH_PAIRING_REMARK
    rel.on(created, make_pairing, rel, contact.id, username, days, remark)
    for on in held:
        rel.on(rel.after(on, 1), meeting, rel, contact.id, username, on, True, rel.rng.choice(rd.MEETING_SUMMARIES))
    if planned is not None:
        rel.on(rel.ago(rel.rng.uniform(2, 8)), meeting, rel, contact.id, username, planned, False)


def rhythm(rel: Rel, created: datetime, last_days: float, step: tuple[float, float]) -> list[datetime]:
    """Meeting days every ``step`` days back from ``last_days`` ago, all after the pairing was made."""
    out, days = [], last_days
    while rel.now - timedelta(days=days) > created + timedelta(days=5):
        out.append(rel.ago(days))
        days += rel.rng.uniform(*step)
    return sorted(out)


def pairings(rel: Rel, plan: Plan, people: list[Person], t0: datetime) -> None:
    """高层对口 of an S customer: the director with its head (quarterly); in Guangxi also the solution manager with
    the chief engineer (every two months). Never overdue: the last meeting is recent, the next one planned."""
    r = rel.rng
    execs = [p for p in people if p.c["level"] == "executive"]
    created = rel.after(t0, r.uniform(1, 10))
    held = rhythm(rel, created, r.uniform(8, 70), (70, 88))
    pair(rel, execs[0], "director", 90, created, held, rel.now + timedelta(days=r.uniform(10, 40)))
    chief = next((p for p in execs[1:] if p.role == "evaluator"), None)
    if chief is not None and "广西" in plan.row["name"]:
        held = rhythm(rel, created, r.uniform(5, 45), (45, 58))
        pair(rel, chief, "sr1", 60, created, held, rel.now + timedelta(days=r.uniform(5, 30)))


def rising_star(rel: Rel, plan: Plan, people: list[Person], t0: datetime, owner: str | None = None) -> int:
    """A young specialist marked as a rising star with an owner and a plan; their stage moves up later."""
    r = rel.rng
    young = [p for p in people if p.c["level"] == "staff" and p.c["dept_name"] in TECH and p.stage <= 2]
    if not young:
        return 0
    p = young[0]
    reasons = r.sample(["education", "expertise", "eq", "popularity"], 2)
    at = rel.after(t0, r.uniform(40, 120))
    fields = {"rising_star": True, "rising_reasons": reasons, "rising_owner_id": rel.users[owner or "sr1"],
              "rising_plan": r.choice(rd.RISING_PLANS)}  # fmt: skip
    rel.on(at, edit_profile, rel, plan, p.id, **fields)
    rel.on(
        rel.after(at, r.uniform(60, 150)), move_stage, rel, plan, p.id, p.stage + 1, evidence(rel, plan, p.stage + 1)
    )
    p.stage += 1
    return 1


def add_member(rel: Rel, plan: Plan, username: str) -> None:
    from loam.customers import service as customer_service
    from loam.customers.schemas import MemberWrite

    data = MemberWrite(user_id=rel.users[username], access="read")
    customer_service.add_member(rel.s, rel.scope(rel.owner(plan)), plan.row["id"], data)


def set_owners(rel: Rel, plan: Plan, contact_id: int, usernames: list[str]) -> None:
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import RelationOwnersWrite

    ids = [rel.users[u] for u in usernames]
    profiles.set_relation_owners(rel.s, rel.scope(rel.owner(plan)), contact_id, RelationOwnersWrite(user_ids=ids))


def finance_owners(rel: Rel, story: set[int]) -> None:
    """The collection manager (finance1) joins three S/A account teams and owns their finance departments."""
    chosen = 0
    for cid in sorted(rel.plans):
        plan = rel.plans[cid]
        if chosen == 3 or cid in story or plan.row["tier"] not in "SA" or rel.owner(plan) not in ("ar1", "ar2"):
            continue
        finance = [p for p in rel.people.get(cid, []) if p.c["dept_name"] == "财务部"]
        if not finance:
            continue
        at = rel.after(rel.start, rel.rng.uniform(30, 90))
        rel.on(at, add_member, rel, plan, "finance1")
        for p in finance:
            rel.on(at, set_owners, rel, plan, p.id, ["finance1"])
        chosen += 1


# --- contact scenarios -----------------------------------------------------------------------------------------


def catalogue(rel: Rel) -> dict[str, tuple[int, int, bool]]:
    """code → (id, checklist length, hospitality) of the active scenarios (empty when the catalogue is)."""
    from loam.relationships import scenarios as scenario_service

    return {s.code: (s.id, len(s.checklist or []), s.hospitality) for s in scenario_service.list_scenarios(rel.s)}


def choose(rel: Rel, plan: Plan, followup_id: int, scenario: tuple[int, int, bool]) -> None:
    """The follow-up picked ``scenario`` (id, checklist length, hospitality): most of its checklist ticked, the
    guests and money of a hospitality within the limit per guest."""
    from loam.relationships import scenarios as scenario_service
    from loam.relationships.schemas_scenarios import FollowUpScenarioWrite

    r = rel.rng
    sid, n, hospitality = scenario
    checked = sorted(r.sample(range(n), max(0, n - r.choice((0, 0, 1, 2))))) if n else []
    guests = r.randint(2, 6) if hospitality else None
    spent = Decimal(guests * r.randrange(200, 480, 20)) if guests else None
    data = FollowUpScenarioWrite(scenario_id=sid, checked=checked, guests=guests, spent=spent)
    scenario_service.choose(rel.s, rel.scope(rel.owner(plan)), followup_id, data)


def rate(rel: Rel, plan: Plan, followup_id: int, quality: int, support: int, stage: int) -> None:
    from loam.relationships import scenarios as scenario_service
    from loam.relationships.schemas_scenarios import RatingWrite

    data = RatingWrite(quality=quality, support_effect=support, stage_effect=stage)
    scenario_service.rate(rel.s, rel.scope(rel.owner(plan)), followup_id, data)


def scenarios(rel: Rel) -> None:
    """A share of the year's visits, meetings and receptions of owned customers picked a scenario, with its
    checklist ticked; most were rated a day or three later."""
    r = rel.rng
    found = catalogue(rel)
    if not found:
        return
    since = rel.now - timedelta(days=365)
    for cid in sorted(rel.followups):
        plan = rel.plans.get(cid)
        if plan is None or not plan.row["owner_id"]:
            continue
        share = SCENARIO_SHARE[plan.row["tier"]]
        for f in rel.followups[cid]:
            if f.kind not in rd.SCENARIO_OF_KIND or f.occurred_at < since or r.random() >= share:
                continue
            code = r.choice(rd.SCENARIO_OF_KIND[f.kind])
            if code not in found:
                continue
            chosen = f.occurred_at + timedelta(hours=5)
            rel.on(chosen, choose, rel, plan, f.id, found[code])
            if r.random() < 0.7:
                quality = r.choices((2, 3, 4, 5), weights=(1, 4, 6, 3))[0]
                support = 1 if quality >= 4 and r.random() < 0.5 else 0
                stage = 1 if quality == 5 and r.random() < 0.4 else 0
                rated = max(rel.after(f.occurred_at, r.uniform(1, 3)), chosen + timedelta(hours=1))
                rel.on(rated, rate, rel, plan, f.id, quality, support, stage)
