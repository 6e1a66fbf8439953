"""The four customers of the relationships story (see :mod:`loam.demo.relationships` for what each one shows):
who they are, how their follow-ups are shaped in bulk before the services run, and the year of events that make
(a) improve, (b) decay, (c) rest on one person and (d)'s power map turn from red to green."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from loam.demo import relationships_data as rd
from loam.demo import relationships_people as rp
from loam.demo.loader import Plan
from loam.demo.records import address
from loam.demo.relationships import FollowUpRow, Rel, story_opportunity, table_of
from loam.demo.relationships_people import Person

QUIET_DAYS = 150  # (b) has had no follow-up for about five months
SHAPED_DAYS = 120  # (c): the recent follow-ups whose other participants are taken off


# --- the cast --------------------------------------------------------------------------------------------------


def cast(rel: Rel) -> None:
    """Find the four customers by name (see relationships_data), each falling back on a customer of the same kind
    if the catalogue ever changes; (d)'s opportunity is its biggest open one."""
    by_name = {p.row["name"]: cid for cid, p in rel.plans.items()}
    owned = sorted(cid for cid, p in rel.plans.items() if p.row["owner_id"] and p.row["tier"] in "SA")
    taken: set[int] = set()

    def pick(role: str, name: str, fits: Callable[[int], bool]) -> None:
        cid = by_name.get(name)
        if cid is None or cid in taken:
            cid = next(c for c in owned if c not in taken and fits(c))
        rel.story[role] = cid
        taken.add(cid)

    def contacts(cid: int) -> int:
        return len(rel.plans[cid].contacts)

    pick("improves", rd.IMPROVES, lambda c: contacts(c) >= 10)
    pick("decays", rd.DECAYS, lambda c: contacts(c) >= 10 and c not in rel.opps)
    pick("single_thread", rd.SINGLE_THREAD, lambda c: rel.owner(rel.plans[c]) == "ar2")
    pick("red_to_green", rd.RED_TO_GREEN, lambda c: c in rel.opps and rel.plans[c].row["tier"] == "S")
    rel.story_opportunity = story_opportunity(rel.s, rel.story["red_to_green"])


# --- shaping the follow-ups the loader inserted ----------------------------------------------------------------


def shape(rel: Rel) -> None:
    """(a)'s follow-ups grow denser through the year, (b)'s stop five months ago, (c)'s recent ones are ar2's
    alone — bulk updates of the rows the loader inserted, with their audit rows, before any service runs."""
    quiet = rel.now - timedelta(days=QUIET_DAYS)
    redate(rel, rel.story["improves"], lambda u: u**0.5, None)
    last = redate(rel, rel.story["decays"], lambda u: u**1.25, quiet)
    if last is not None:
        _quiet(rel, rel.story["decays"], last)
    single_thread(rel, rel.story["single_thread"])


def redate(rel: Rel, customer_id: int, curve: Callable[[float], float], end: datetime | None) -> datetime | None:
    """Move the customer's follow-ups along ``curve`` (0…1 → 0…1) between the first and ``end`` (default: the
    last), each keeping its time of day; created/updated times and the audit rows move with them. Returns the
    newest follow-up's new time."""
    from loam.activities.models import FollowUp
    from loam.kit.models import AuditLog

    t = table_of(FollowUp)
    rows = rel.s.execute(
        select(t.c.id, t.c.occurred_at, t.c.created_at, t.c.updated_at)
        .where(t.c.customer_id == customer_id, t.c.deleted_at.is_(None))
        .order_by(t.c.occurred_at, t.c.id)
    ).all()
    if len(rows) < 2:
        return None
    first, last = rows[0].occurred_at, rows[-1].occurred_at
    target = end or last
    span = (last - first).total_seconds() or 1.0
    changes = []
    for fid, occurred, created, updated in rows:
        moved = first + (target - first) * curve((occurred - first).total_seconds() / span)
        local = moved.astimezone(rel.ld.tz)
        new = datetime.combine(local.date(), occurred.astimezone(rel.ld.tz).time(), tzinfo=rel.ld.tz).astimezone(UTC)
        new = max(first, min(new, target))  # the newest stays the newest (last_followup_at)
        delta = new - occurred
        changes.append(
            {
                "_id": fid,
                "_at": new,
                "_created": min(created + delta, rel.now),
                "_updated": min(updated + delta, rel.now),
            }
        )
    stmt = (
        update(t)
        .where(t.c.id == bindparam("_id"))
        .values(occurred_at=bindparam("_at"), created_at=bindparam("_created"), updated_at=bindparam("_updated"))
    )
    rel.s.execute(stmt, changes)
    a = table_of(AuditLog)
    audit = (
        update(a)
        .where(a.c.entity == "followup", a.c.entity_id == bindparam("_id"), a.c.action == "create")
        .values(at=bindparam("_created"))
    )
    rel.s.execute(audit, [{"_id": c["_id"], "_created": c["_created"]} for c in changes])
    kinds = {f.id: f.kind for f in rel.followups.get(customer_id, [])}
    moved_rows = sorted((c["_at"], c["_id"]) for c in changes)
    rel.followups[customer_id] = [FollowUpRow(fid, at, kinds.get(fid, "visit")) for at, fid in moved_rows]
    return moved_rows[-1][0]


def _quiet(rel: Rel, customer_id: int, last: datetime) -> None:
    """(b) has no next contact planned; its last follow-up is the moved newest one."""
    from loam.activities.models import FollowUp
    from loam.customers.models import Customer

    f, c = table_of(FollowUp), table_of(Customer)
    rel.s.execute(update(f).where(f.c.customer_id == customer_id).values(next_contact_at=None))
    rel.s.execute(update(c).where(c.c.id == customer_id).values(last_followup_at=last, next_contact_at=None))
    rel.plans[customer_id].row.update(last_followup_at=last, next_contact_at=None)


def single_thread(rel: Rel, customer_id: int) -> None:
    """(c)'s follow-ups of the last months are its owner's alone (no colleague took part)."""
    from loam.activities.models import FollowUp, followup_participants

    owner = rel.plans[customer_id].row["owner_id"]
    recent = select(FollowUp.id).where(
        FollowUp.customer_id == customer_id, FollowUp.occurred_at >= rel.now - timedelta(days=SHAPED_DAYS)
    )
    fp = followup_participants
    rel.s.execute(delete(fp).where(fp.c.followup_id.in_(recent), fp.c.user_id != owner))


# --- helpers ---------------------------------------------------------------------------------------------------


def one(people: list[Person], level: str | None = None, dept: str | None = None, **attrs: Any) -> Person | None:
    """The first described contact at ``level`` in ``dept`` with the given attributes (role="evaluator" …)."""
    for p in people:
        if (level and p.c["level"] != level) or (dept and p.c["dept_name"] != dept):
            continue
        if all(getattr(p, k) == v for k, v in attrs.items()):
            return p
    return None


def stage(rel: Rel, plan: Plan, p: Person | None, days: float, to: int, support: int | None = None) -> None:
    """``p`` moves to stage ``to`` ``days`` days ago, with the evidence of the exit test (or a reason, down)."""
    if p is None or p.stage == to:
        return
    note = rp.evidence(rel, plan, to) if to > p.stage else rel.rng.choice(rd.DOWN)
    rel.on(rel.ago(days), rp.move_stage, rel, plan, p.id, to, note, support)
    p.stage = to


def edit(rel: Rel, plan: Plan, p: Person | None, days: float, **fields: Any) -> None:
    if p is not None:
        rel.on(rel.ago(days), rp.edit_profile, rel, plan, p.id, **fields)


def who(people: list[Person]) -> str:
    """How a follow-up names the people met: 网络部周总、技术部王经理."""
    return "、".join(
        ("" if p.c["dept_name"] in ("公司领导", None) else p.c["dept_name"]) + address(p.c) for p in people
    )


def record(rel: Rel, plan: Plan, key: str, days: float, kind: str, content: str, met: list[Person],
           with_whom: tuple[str, ...]) -> datetime:  # fmt: skip
    """A follow-up by the customer's owner ``days`` ago (recorded an hour or two later), kept as ``rel.made[key]``."""
    occurred = rel.ago(days)
    rel.on(occurred + timedelta(hours=rel.rng.uniform(1, 3)), _followup, rel, plan, key, kind, occurred, content,
           [p.id for p in met], with_whom)  # fmt: skip
    return occurred


def _followup(rel: Rel, plan: Plan, key: str, kind: str, occurred: datetime, content: str, contacts: list[int],
              with_whom: tuple[str, ...]) -> None:  # fmt: skip
    from loam.activities import service as followup_service
    from loam.activities.schemas import FollowUpCreate

    data = FollowUpCreate(
        customer_id=plan.row["id"],
        kind=kind,  # type: ignore[arg-type]
        occurred_at=occurred,
        content=content,
        participant_ids=[rel.users[u] for u in with_whom],
        contact_ids=contacts,
    )
    rel.made[key] = followup_service.create(rel.s, rel.scope(rel.owner(plan)), data).id


def scenario_of(rel: Rel, plan: Plan, key: str, code: str, at: datetime, quality: int, support: int) -> None:
    """The follow-up ``key`` followed scenario ``code`` (ticked when recorded), rated a day or two later."""
    found = rp.catalogue(rel)
    if code not in found:
        return
    chosen = at + timedelta(hours=3)
    rel.on(chosen, lambda: rp.choose(rel, plan, rel.made[key], found[code]))
    stage_effect = 1 if quality == 5 else 0
    rated = max(rel.after(at, rel.rng.uniform(1, 2)), chosen + timedelta(hours=1))
    rel.on(rated, lambda: rp.rate(rel, plan, rel.made[key], quality, support, stage_effect))


def write(rel: Rel, plan: Plan) -> None:
    """Record the story customer's people as planned by now (first description)."""
    cid = plan.row["id"]
    rel.on(rel.described[cid], rp.write_people, rel, plan, rp.frozen(rel.people[cid]))


def plan(rel: Rel) -> None:
    improves(rel, rel.plans[rel.story["improves"]])
    decays(rel, rel.plans[rel.story["decays"]])
    single(rel, rel.plans[rel.story["single_thread"]])
    red_to_green(rel, rel.plans[rel.story["red_to_green"]])


# --- (a) improves ----------------------------------------------------------------------------------------------

GROWTH_DAYS = (262, 235, 205, 180, 155, 130, 108, 88, 66, 46, 27, 12)


def improves(rel: Rel, plan: Plan) -> None:
    """Hardly known a year ago (S1, neutral); month after month more people, departments and colleagues; S3 by the
    end with a coach; checklist marks and an executive pairing from mid-year."""
    people, r = rel.people[plan.row["id"]], rel.rng
    head = people[0]
    chief = one(people, "executive", role="evaluator")
    net = one(people, "middle", "网络部") or one(people, "middle")
    tech = [p for p in people if p.c["level"] == "middle" and p.c["dept_name"] in rp.TECH and p is not net]
    fin, buy, ops = one(people, "middle", "财务部"), one(people, "middle", "采购部"), one(people, "middle", "运维部")
    star = one(people, "staff", "网络部") or one(people, "staff")
    for p in people:
        p.owners = [rel.owner(plan)] if p is head else []
    write(rel, plan)
    growth(rel, plan, people)
    stage(rel, plan, head, 300, 2)
    stage(rel, plan, net, 296, 2)
    edit(rel, plan, net, 232, support=1)
    stage(rel, plan, chief, 214, 2)
    for p in tech[:2]:
        stage(rel, plan, p, 210, 2)
    created = rel.ago(203)
    held = [rel.ago(d) for d in (150, 82, 20)]
    rp.pair(rel, head, "director", 90, created, held, rel.now + timedelta(days=r.uniform(20, 35)))
    for p in [net, *tech[:2]]:
        if p is not None:
            rel.on(rel.ago(190), rp.set_owners, rel, plan, p.id, [rel.owner(plan), "sr1"])
    if fin is not None:
        rel.on(rel.ago(153), rp.add_member, rel, plan, "finance1")
        rel.on(rel.ago(153), rp.set_owners, rel, plan, fin.id, ["finance1", "fr1"])
    t0 = rel.described[plan.row["id"]]
    rp.mark(rel, plan, t0, "joint_plan", 176)
    stage(rel, plan, net, 160, 3, support=1)
    edit(rel, plan, head, 158, support=1)
    rp.mark(rel, plan, t0, "strategic_agreement", 143, "0.7")
    project = r.choice(rd.INTEL_PROJECT).format(topic=rp.topic(rel, plan))
    sources = [("contact", p.id) for p in (net, chief) if p is not None]
    at = rel.ago(122)
    rel.on(at, rp.add_intel, rel, plan, "project", project, sources, occurred_on=rel.day(at), confidence="high")
    stage(rel, plan, chief, 96, 3, support=2)
    edit(rel, plan, chief, 95, coach=True)
    if star is not None:
        fields = {"rising_star": True, "rising_reasons": ["education", "expertise"],
                  "rising_owner_id": rel.users["sr1"], "rising_plan": rd.RISING_PLANS[0]}  # fmt: skip
        edit(rel, plan, star, 88, **fields)
        stage(rel, plan, star, 40, 2)
    stage(rel, plan, buy, 75, 2)
    stage(rel, plan, ops, 72, 2)
    stage(rel, plan, head, 58, 3, support=1)
    rp.mark(rel, plan, t0, "exec_meetings", 82, n=2)
    rp.mark(rel, plan, t0, "summit", 46)
    rp.mark(rel, plan, t0, "exec_pairing", 20, who=head.c["name"])
    rp.mark(rel, plan, t0, "satisfaction", 12)
    stage(rel, plan, net, 14, 4, support=2)


def growth(rel: Rel, plan: Plan, people: list[Person]) -> None:
    """The new follow-ups of (a): each meets more departments, with more of our people (relationships_data.GROWTH),
    each picked its scenario and was rated."""
    r = rel.rng
    for i, ((kind, code, text, depts, with_whom), days) in enumerate(zip(rd.GROWTH, GROWTH_DAYS, strict=True)):
        met: list[Person] = []
        for dept in depts:
            here = [p for p in people if p.c["dept_name"] == dept]
            met += sorted(here, key=lambda p: ("executive", "middle", "staff").index(p.c["level"]))[: r.choice((1, 2))]
        met = met or [people[0]]
        key = f"improves:{i}"
        at = record(rel, plan, key, days, kind, text.format(who=who(met[:3])), met, with_whom)
        scenario_of(rel, plan, key, code, at, r.choice((4, 4, 5)), 1 if i % 3 != 2 else 0)


# --- (b) decays ------------------------------------------------------------------------------------------------


def decays(rel: Rel, plan: Plan) -> None:
    """Close a year ago (S3, supportive, a coach, the checklist largely in place, a quarterly executive pairing);
    then the follow-ups stop, the head of the network department leaves with no one at S3+ behind them (the
    succession alert), support and stages drop, the pairing goes overdue and marks lapse."""
    people, r = rel.people[plan.row["id"]], rel.rng
    head = people[0]
    chief = one(people, "executive", role="evaluator") or (people[1] if len(people) > 1 else head)
    leaver = one(people, "middle", "网络部") or one(people, "middle")
    assert leaver is not None
    leaver.stage, leaver.support, leaver.influence = 3, 2, "high"
    leaver.owners = [rel.owner(plan), "sr1"]
    for p in people:
        if p is not leaver and p.c["dept_name"] == leaver.c["dept_name"]:
            p.stage = min(p.stage, 2)  # nobody to take over at S3+
    head.stage, head.support = 3, 1
    chief.stage, chief.support, chief.coach = 3, 2, True
    write(rel, plan)
    t0 = rel.described[plan.row["id"]]
    rp.mark(rel, plan, t0, "strategic_agreement", 820, "1")
    rp.mark(rel, plan, t0, "exec_meetings", 380, n=3)
    rp.mark(rel, plan, t0, "exec_pairing", 376, who=head.c["name"])
    rp.mark(rel, plan, t0, "summit", 405)
    rp.mark(rel, plan, t0, "satisfaction", 430)
    rp.mark(rel, plan, t0, "joint_plan", 338)
    created = rel.after(t0, 2)
    rp.pair(rel, head, "director", 90, created, [rel.ago(d) for d in (335, 262, 192)], None)
    rp.project_news(rel, plan, people, rel.ago(240), verified=True)
    rival = rp.rivals(rel, plan)[0]
    content = rd.INTEL_RIVAL[0].format(rival=rival)
    at = rel.ago(200)
    informant = one(people, "middle", "运维部") or chief
    sources = [("user", rel.users[rel.owner(plan)]), ("contact", informant.id)]
    rel.on(at, rp.add_intel, rel, plan, "competitor", content, sources, occurred_on=rel.day(at), competitor=rival)
    left = rel.ago(160)
    content = f"{leaver.c['dept_name']}{address(leaver.c)}已办理离职，去向为一家云服务商，接任人选未定"
    witness = one(people, "staff", leaver.c["dept_name"]) or informant
    sources = [("contact", witness.id), ("user", rel.users[rel.owner(plan)])]
    rel.on(rel.ago(157), rp.add_intel, rel, plan, "org_change", content, sources, occurred_on=rel.day(left),
           subject_contact_id=leaver.id, change="left", confidence="high")  # fmt: skip
    stage(rel, plan, head, 135, 2, support=0)
    edit(rel, plan, chief, 110, coach=False, support=0)
    stage(rel, plan, chief, 108, 2)
    deputy = people[1] if len(people) > 1 else head
    content = f"新任分管网络的{address(deputy.c)}与{rival}关系密切，近期多次出席其活动"
    at = rel.ago(95)
    sources = [("user", rel.users[rel.owner(plan)])]
    rel.on(at, rp.add_intel, rel, plan, "person", content, sources, occurred_on=rel.day(at), contact_ids=[deputy.id])
    if deputy is not head:
        edit(rel, plan, deputy, 90, support=-1)
        rel.on(rel.ago(90), set_preferences, rel, plan, deputy.id, [(rival, "strong")])
    cooled = [p for p in people if p.c["level"] == "middle" and p is not leaver and p.support >= 1]
    for p, days in zip(cooled[:3], (82, 64, 47), strict=False):
        edit(rel, plan, p, days, support=0)
    rel.on(rel.ago(45), rp.clear_mark, rel, plan, "summit")
    rel.on(rel.ago(38), rp.clear_mark, rel, plan, "joint_plan")
    rel.on(rel.ago(24), rp.clear_mark, rel, plan, "satisfaction")
    rel.on(rel.ago(r.uniform(5, 9)), rp.clear_mark, rel, plan, "exec_pairing")


# --- (c) single thread -----------------------------------------------------------------------------------------


def single(rel: Rel, plan: Plan) -> None:
    """Every relationship rests on ar2: no colleague on the follow-ups, no other relationship owner; a big deal
    open and a competitor move only ar2 has heard of."""
    people, r = rel.people[plan.row["id"]], rel.rng
    for p in people:
        p.owners = [rel.owner(plan)] if p.c["level"] == "executive" else []
    write(rel, plan)
    stage(rel, plan, people[0], r.uniform(100, 140), min(4, people[0].stage + 1), support=max(people[0].support, 1))
    deals = rel.opps.get(plan.row["id"], [])
    rival = rp.rivals(rel, plan)[0]
    at = rel.ago(r.uniform(30, 50))
    extra: dict[str, Any] = {"occurred_on": rel.day(at), "competitor": rival, "confidence": "low"}
    if deals:
        extra["opportunity_id"] = max(deals, key=lambda o: o.amount).id
    content = rd.INTEL_RIVAL[1].format(rival=rival, pct=r.randint(8, 15))
    rel.on(at, rp.add_intel, rel, plan, "competitor", content, [("user", rel.users[rel.owner(plan)])], **extra)


# --- (d) power map red → green ---------------------------------------------------------------------------------


def edit_on_map(rel: Rel, plan: Plan, contact_id: int, **changes: Any) -> None:
    """Edit a node from (d)'s opportunity map (powermap.edit_node with the overlay): support / coach on the profile;
    the contact's role in the deal stays as it is."""
    from loam.relationships import powermap, profiles
    from loam.relationships.schemas_powermap import NodeEdit

    scope = rel.scope(rel.owner(plan))
    profile = profiles.get(rel.s, scope, contact_id)
    opp = next(o for o in rel.opps[plan.row["id"]] if o.id == rel.story_opportunity)
    role, chain = opp.links.get(contact_id, (None, None))
    values = {"support": profile.support, "influence": profile.influence, "coach": profile.coach} | changes
    node = NodeEdit.model_validate(values | {"decision_role": role, "chain": chain, "version": profile.version})
    powermap.edit_node(rel.s, scope, plan.row["id"], contact_id, node, opportunity_id=opp.id)


def red_to_green(rel: Rel, plan: Plan) -> None:
    """Nobody on (d)'s map supports us when its big deal starts (the approver leans to a competitor): red. Then,
    edit by edit on the map: the deal's evaluator turns supportive (amber), the chief engineer trusts us and
    becomes our coach, the approver comes round (green), and finally the decision maker."""
    cid = plan.row["id"]
    people, r = rel.people[cid], rel.rng
    t0 = rel.described[cid]
    opp = next((o for o in rel.opps.get(cid, []) if o.id == rel.story_opportunity), None)
    links = opp.links if opp else {}
    by_id = {p.id: p for p in people}
    head = next((by_id[c] for c, (role, _ch) in links.items() if role == "decision_maker" and c in by_id), people[0])
    approver = next((by_id[c] for c, (role, _ch) in links.items() if role == "approver" and c in by_id), None)
    approver = approver or one(people, "executive", role="approver") or head
    chief = one(people, "executive", role="evaluator") or one(people, "middle", role="evaluator") or head
    evaluator = next((by_id[c] for c, (role, _ch) in links.items() if role in ("evaluator", "influencer")
                      and c in by_id), None) or chief  # fmt: skip
    for p in people:
        p.coach, p.support = False, min(p.support, 0)
        p.stage = min(p.stage, 2 if p.c["level"] == "staff" else 1)
    approver.support = -1
    approver.prefs = [(rp.rivals(rel, plan)[0], "strong")]
    write(rel, plan)
    rp.marks(rel, plan, t0)
    rp.pairings(rel, plan, people, t0)
    rp.links(rel, plan, people, t0)
    if opp is None:
        return
    start = max(opp.created_at, t0) + timedelta(days=1)
    span = (rel.now - timedelta(days=7) - start).total_seconds() / 86400

    def when(share: float) -> float:  # days ago at ``share`` of the way from the deal's start to a week ago
        return (rel.now - start).total_seconds() / 86400 - share * span

    rel.on(rel.ago(when(0.08)), edit_on_map, rel, plan, evaluator.id, support=1)
    stage(rel, plan, evaluator, when(0.09), 2)
    rival = rp.rivals(rel, plan)[0]
    at = rel.ago(when(0.2))
    sources = [("user", rel.users[rel.owner(plan)]), ("contact", evaluator.id)]
    content = rd.INTEL_RIVAL[1].format(rival=rival, pct=r.randint(8, 15))
    rel.on(at, rp.add_intel, rel, plan, "competitor", content, sources, occurred_on=rel.day(at), competitor=rival,
           opportunity_id=opp.id, confidence="high")  # fmt: skip
    stage(rel, plan, chief, when(0.3), 2)
    rel.on(rel.ago(when(0.31)), edit_on_map, rel, plan, chief.id, support=1)
    conflicting(rel, plan, people, when(0.4))
    stage(rel, plan, chief, when(0.45), 3)
    rel.on(rel.ago(when(0.46)), edit_on_map, rel, plan, chief.id, coach=True, influence="high")
    rel.on(rel.ago(when(0.65)), edit_on_map, rel, plan, approver.id, support=1)
    stage(rel, plan, approver, when(0.66), 2)
    rel.on(rel.ago(when(0.67)), set_preferences, rel, plan, approver.id, [(rival, "leaning")])
    stage(rel, plan, head, when(0.85), 2)
    rel.on(rel.ago(when(0.86)), edit_on_map, rel, plan, head.id, support=1)
    stage(rel, plan, head, when(0.97), 3)


def set_preferences(rel: Rel, plan: Plan, contact_id: int, prefs: list[tuple[str, str]]) -> None:
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import CompetitorPreference, CompetitorPreferencesWrite

    items = [CompetitorPreference(competitor=n, preference=v) for n, v in prefs]
    profiles.set_competitor_preferences(
        rel.s, rel.scope(rel.owner(plan)), contact_id, CompetitorPreferencesWrite(items=items)
    )


def conflicting(rel: Rel, plan: Plan, people: list[Person], days: float) -> None:
    """One budget report that a contact confirms and another contradicts: flagged as conflicting (and notified)."""
    fin = one(people, "middle", "财务部") or people[-1]
    buy = one(people, "middle", "采购部") or people[-2]
    at = rel.ago(days)
    content = rd.INTEL_BUDGET[0].format(topic=rp.topic(rel, plan), amount=rel.rng.choice((3800, 4500, 5200)))
    sources = [("contact", fin.id), ("against", buy.id)]
    rel.on(at, rp.add_intel, rel, plan, "budget", content, sources, occurred_on=rel.day(at), confidence="low")
