"""Relationships at scale: a bulk generator of customers with realistic relationship data, for benchmarks.

On top of the demo organisation (:mod:`loam.demo.org`) it adds five account teams with 40 account, solution and
fulfilment managers, then — by default — 10,000 customers, 500,000 contacts and 5,000,000 follow-ups:

- customers in every industry, tiered S 5 % / A 15 % / B 40 % / C 40 %, owned by the teams' people (department =
  the owner's, so data scopes hold); bigger tiers get more contacts and follow-ups;
- contacts in the departments of their industry's coverage template (and a few outside it), executive 12 % /
  middle 30 % / staff 58 %, reporting to the head of their department (a formal power-map line);
- relationship profiles for 45 % of the contacts (stage S1–S4, support −2…+2, coach, influence, a decision role for
  the executives, 2 % departed), relationship owners on our side for a fifth of them, competitor preferences and
  informal power-map links for the bigger customers;
- follow-ups over the past two years (each customer warming up or cooling down over time), each linked to one to
  three contacts, written by the owner or a teammate, a quarter with a colleague taking part; 1 % deleted;
- organisational checklist marks, most for strategic customers.

Rows go through the driver (:mod:`loam.kit.bulk`: sqlite3 ``executemany`` / PostgreSQL ``COPY``) in batches of 500
customers, with the big tables' secondary indexes dropped during the load and rebuilt once at the end. Deterministic
for a seed and the sizes. :func:`history` then fills the twelve months before a taken snapshot month, so trends and
"the same month last year" have data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from loam.demo import names as nm
from loam.kit import bulk
from loam.relationships.settings import DEFAULTS

SEED = 20261203
BATCH = 500
TIERS = {"S": 5, "A": 15, "B": 40, "C": 40}
TIER_CONTACTS = {"S": 120, "A": 80, "B": 45, "C": 25}
TIER_FOLLOWUPS = {"S": 1600, "A": 900, "B": 420, "C": 200}
TIER_MARKS = {"S": 0.7, "A": 0.45, "B": 0.2, "C": 0.05}
INDUSTRY_WEIGHTS = {"telecom": 25, "government": 20, "energy": 12, "finance": 10, "transport": 6,
                    "manufacturing": 10, "education": 6, "healthcare": 6, "internet": 3, "other": 2}  # fmt: skip
SUFFIXES = {
    "telecom": ("电信分公司", "移动分公司", "联通分公司", "铁塔分公司"),
    "government": ("大数据发展局", "公安局", "人民政府办公室", "自然资源局"),
    "energy": ("供电局", "发电有限公司", "燃气集团", "水务集团"),
    "finance": ("银行分行", "农村商业银行", "保险分公司"),
    "transport": ("交通投资集团", "机场集团", "港务集团"),
    "manufacturing": ("汽车制造有限公司", "钢铁集团", "机械有限公司", "制糖集团"),
    "education": ("大学", "职业技术学院", "教育局"),
    "healthcare": ("人民医院", "中医院", "卫生健康委员会"),
    "internet": ("网络科技有限公司", "数据科技有限公司"),
    "other": ("实业有限公司", "投资集团"),
}
CITIES = ("南宁", "柳州", "桂林", "梧州", "北海", "钦州", "贵港", "玉林", "百色", "河池", "来宾", "崇左", "防城港",
          "贺州", "广州", "深圳", "昆明", "贵阳", "长沙", "海口")  # fmt: skip
EXTRA_DEPTS = ("战略发展部", "安全保卫部", "党群工作部", "审计部")
LEVELS = (("executive", 12), ("middle", 30), ("staff", 58))
ROLES = ("decision_maker", "approver", "evaluator", "influencer", "user", "initiator", "gatekeeper")
KINDS = list(nm.FOLLOWUP_KINDS)
KIND_WEIGHTS = list(nm.FOLLOWUP_KINDS.values())
TEAMS = ("南宁大客户一组", "南宁大客户二组", "柳州客户群", "桂林客户群", "桂南客户群")


@dataclass
class Plan:
    """One customer to write and what its contacts and follow-ups need to know."""

    id: int
    tier: str
    industry: str
    owner: int
    department: int
    contacts: int
    followups: int
    skew: float  # follow-up dates: < 1 more in the past (cooling down), > 1 more recent (warming up)


@dataclass
class Ctx:
    s: Session
    rng: random.Random
    now: datetime
    users: list[tuple[int, int]] = field(default_factory=list)  # (user id, department id)
    team: dict[int, list[int]] = field(default_factory=dict)  # department → its users
    contents: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def tables() -> list[Any]:
    from loam.activities.models import FollowUp, followup_contacts, followup_participants
    from loam.contacts.models import Contact
    from loam.customers.models import Customer
    from loam.relationships.models import (
        ContactCompetitorPreference,
        ContactProfile,
        ContactRelationOwner,
        OrgMark,
        PowerLink,
    )

    models: list[Any] = [Customer, Contact, ContactProfile, ContactRelationOwner, ContactCompetitorPreference,
                         PowerLink, OrgMark, FollowUp]  # fmt: skip
    return [m.__table__ for m in models] + [followup_contacts, followup_participants]


def scale(
    session: Session,
    customers: int = 10_000,
    contacts: int = 500_000,
    followups: int = 5_000_000,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write ``customers`` customers with ``contacts`` contacts and ``followups`` follow-ups in all (and their
    profiles, owners, links and marks). Needs the demo organisation; returns the rows written per table."""
    ctx = Ctx(session, random.Random(seed), datetime.now(UTC).replace(microsecond=0))
    people(ctx)
    ctx.contents = contents(ctx.rng)
    suspended = {t.name: bulk.suspend_indexes(session, t) for t in tables() if t.name != "customers"}
    bulk.bigger_cache(session, 512)
    plans = write_customers(ctx, customers, contacts, followups)
    done = 0
    for start in range(0, len(plans), BATCH):
        part = plans[start : start + BATCH]
        heads = write_contacts(ctx, part)
        write_followups(ctx, part, heads)
        write_marks(ctx, part)
        done += len(part)
        if progress:
            progress(done, len(plans))
    for ddl in suspended.values():
        bulk.restore_indexes(session, ddl)
    last_followups(session, plans[0].id if plans else 0)
    for table in tables():
        bulk.analyze(session, table)
    return ctx.counts


def put(ctx: Ctx, table: Any, names: list[str], rows: list[tuple[Any, ...]], ids: list[int] | None = None,
        **constants: Any) -> None:  # fmt: skip
    """Insert tuples in the order of ``names`` (``ids`` first when the table has an id); the other columns take
    their defaults or ``constants``."""
    if not rows:
        return
    with_id = ["id", *names] if ids is not None else names
    fixed = {k: v for k, v in bulk.column_defaults(table).items() if k not in with_id} | constants
    fixed = {k: v for k, v in fixed.items() if k in table.c and k != "id"}
    inserter = bulk.Inserter(ctx.s, table, with_id, fixed)
    data = [(i, *r) for i, r in zip(ids, rows, strict=True)] if ids is not None else rows
    for start in range(0, len(data), 50_000):
        inserter.insert(data[start : start + 50_000])
    ctx.counts[table.name] = ctx.counts.get(table.name, 0) + len(rows)


def ids_for(ctx: Ctx, table: Any, n: int) -> list[int]:
    return bulk.allocate_ids(ctx.s, table, n)


def people(ctx: Ctx) -> None:
    """Five account teams under the demo account department and eight people in each (six AR, one SR, one FR),
    with the demo users' password."""
    from loam.org import service as org_service
    from loam.org.models import Department, User, user_roles
    from loam.org.schemas import DepartmentCreate

    s = ctx.s
    account = s.scalar(select(Department).where(Department.kind == "account").order_by(Department.id))
    template = s.scalar(select(User).where(User.username == "ar1"))
    director = s.scalar(select(User.id).where(User.username == "director"))
    if account is None or template is None:
        raise RuntimeError("The demo organisation is not loaded: run `loam demo` first.")
    roles = org_service.ensure_builtin_roles(s)
    n = 0
    for t, team_name in enumerate(TEAMS, start=1):
        dept = org_service.create_department(
            s, DepartmentCreate(name=team_name, kind="team", parent_id=account.id, sort_order=t)
        )
        rows, links = [], []
        for k in range(8):
            n += 1
            role = "ar" if k < 6 else ("sr" if k == 6 else "fr")
            surname, _py, _w = ctx.rng.choice(nm.SURNAMES)
            given = "".join(c for c, _p in ctx.rng.sample(nm.GIVEN_MALE + nm.GIVEN_FEMALE, 2))
            rows.append((f"rel_{role}{t}{k:02d}", surname + given, template.password_hash, dept.id, director))
            links.append(role)
        ids = ids_for(ctx, User.__table__, len(rows))
        put(ctx, User.__table__, ["username", "display_name", "password_hash", "department_id", "manager_id"], rows,
            ids, is_active=True)  # fmt: skip
        put(ctx, user_roles, ["user_id", "role_id"], [(i, roles[r].id) for i, r in zip(ids, links, strict=True)])
        ctx.team[dept.id] = ids
        ctx.users.extend((i, dept.id) for i, r in zip(ids, links, strict=True) if r == "ar")
    fix_sequence(s, User.__table__)


def fix_sequence(session: Session, table: Any) -> None:
    """PostgreSQL: ids allocated from the sequence already moved it; nothing to do on SQLite (MAX(id) + 1)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT setval('{table.name}_id_seq', (SELECT MAX(id) FROM {table.name}))"))  # noqa: S608


def contents(rng: random.Random) -> list[str]:
    """Follow-up notes from the demo company's templates (a few hundred distinct texts)."""
    out = []
    for kind, templates in nm.FOLLOWUP_TEMPLATES.items():
        for template in templates:
            for _i in range(12):
                result = rng.choice(nm.RESULTS).replace("{competitor}", rng.choice(nm.COMPETITORS))
                topic = rng.choice(rng.choice(list(nm.TOPICS.values())))
                who = rng.choice(("网络部王主任", "采购部李经理", "信息中心陈主任", "办公室黄主任", "技术部刘工"))
                out.append(kind + "\t" + template.format(who=who, topic=topic, customer="客户", result=result))
    return out


def spread(weights: list[float], total: int) -> list[int]:
    """Integers proportional to ``weights`` adding up to ``total`` (largest remainder)."""
    whole = sum(weights)
    exact = [w * total / whole for w in weights]
    out = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: out[i] - exact[i])[: total - sum(out)]:
        out[i] += 1
    return out


def write_customers(ctx: Ctx, n: int, contacts: int, followups: int) -> list[Plan]:
    from loam.customers.models import Customer

    r = ctx.rng
    tiers = r.choices(list(TIERS), weights=list(TIERS.values()), k=n)
    industries = r.choices(list(INDUSTRY_WEIGHTS), weights=list(INDUSTRY_WEIGHTS.values()), k=n)
    n_contacts = spread([TIER_CONTACTS[t] * r.uniform(0.6, 1.4) for t in tiers], contacts)
    n_followups = spread([TIER_FOLLOWUPS[t] * r.uniform(0.5, 1.5) for t in tiers], followups)
    ids = ids_for(ctx, Customer.__table__, n)
    rows, plans = [], []
    for i, cid in enumerate(ids):
        owner, dept = r.choice(ctx.users)
        name = f"{r.choice(CITIES)}{r.choice(SUFFIXES[industries[i]])}{cid}"
        created = ctx.now - timedelta(days=r.uniform(760, 2000))
        level = "key" if tiers[i] in ("S", "A") else "normal"
        rows.append((name, name, industries[i], tiers[i], level, owner, dept, created, created, owner, created))
        skew = r.choice((0.5, 0.8, 1.0, 1.0, 1.0, 1.3, 2.0))
        plans.append(Plan(cid, tiers[i], industries[i], owner, dept, max(1, n_contacts[i]), n_followups[i], skew))
    names = ["name", "name_norm", "industry", "tier", "level", "owner_id", "department_id", "owner_since",
             "created_at", "created_by", "updated_at"]  # fmt: skip
    put(ctx, Customer.__table__, names, rows, ids, source="bid", custom={}, deal_status="none")
    fix_sequence(ctx.s, Customer.__table__)
    return plans


@dataclass
class Person:
    id: int
    level: str
    dept: str
    profiled: bool
    weight: int  # how often follow-ups name this contact


def departments(industry: str, rng: random.Random) -> list[str]:
    template = DEFAULTS["coverage"]["templates"].get(industry) or DEFAULTS["coverage"]["templates"]["default"]
    return list(template) + rng.sample(EXTRA_DEPTS, rng.randint(0, 2))


def write_contacts(ctx: Ctx, plans: list[Plan]) -> dict[int, list[Person]]:
    """Contacts (heads first so the formal reporting lines point backwards), profiles, relationship owners,
    competitor preferences and informal links; returns each customer's contacts."""
    from loam.contacts.models import Contact
    from loam.relationships.models import ContactCompetitorPreference, ContactProfile, ContactRelationOwner, PowerLink

    r = ctx.rng
    total = sum(p.contacts for p in plans)
    ids = iter(ids_for(ctx, Contact.__table__, total))
    rows, profiles, owners, prefs, links = [], [], [], [], []
    out: dict[int, list[Person]] = {}
    for p in plans:
        depts = departments(p.industry, r)
        levels = sorted(r.choices([lv for lv, _w in LEVELS], weights=[w for _lv, w in LEVELS], k=p.contacts),
                        key=["executive", "middle", "staff"].index)  # fmt: skip
        heads: dict[str, int] = {}
        people_: list[Person] = []
        created = ctx.now - timedelta(days=r.uniform(30, 740))
        for level in levels:
            cid = next(ids)
            dept = r.choice(depts)
            boss = heads.get(dept) if level != "executive" else heads.get("__top__")
            surname, _py, _w = r.choice(nm.SURNAMES)
            name = surname + "".join(c for c, _p in r.sample(nm.GIVEN_MALE, r.randint(1, 2)))
            rows.append((p.id, name, dept, level, boss, p.owner, p.department, p.owner, created, created))
            heads.setdefault(dept if level != "staff" else "", cid)
            heads.setdefault("__top__", cid)
            profiled = r.random() < (0.9 if level == "executive" else 0.55 if level == "middle" else 0.3)
            people_.append(Person(cid, level, dept, profiled, 6 if profiled else 1))
            if profiled:
                profiles.append(profile(ctx, cid, level, created))
                if r.random() < 0.2:
                    for uid in r.sample(ctx.team[p.department], r.randint(1, 2)):
                        owners.append((cid, uid, created))
                if level == "executive" and r.random() < 0.4:
                    prefs.append((cid, r.choice(nm.COMPETITORS), r.choice(("strong", "leaning", "none"))))
        key_people = [x.id for x in people_ if x.profiled]
        if p.tier in ("S", "A") and len(key_people) > 3:
            for _k in range(min(8, len(key_people) // 2)):
                a, b = r.sample(key_people, 2)
                links.append((a, b, r.choice(("influences", "conflicts", "personal")), r.randint(1, 3), p.owner))
        out[p.id] = people_
    names = ["customer_id", "name", "dept_name", "level", "reports_to_id", "owner_id", "department_id",
             "created_by", "created_at", "updated_at"]  # fmt: skip
    put(ctx, Contact.__table__, names, rows, [x.id for ps in out.values() for x in ps], custom={})
    pnames = ["contact_id", "stage", "support", "coach", "influence", "decision_role", "chain", "departed_on",
              "created_at", "updated_at"]  # fmt: skip
    put(ctx, ContactProfile.__table__, pnames, profiles, rising_reasons=[])
    put(ctx, ContactRelationOwner.__table__, ["contact_id", "user_id", "created_at"], owners,
        ids_for(ctx, ContactRelationOwner.__table__, len(owners)))  # fmt: skip
    put(ctx, ContactCompetitorPreference.__table__, ["contact_id", "competitor", "preference"], prefs,
        ids_for(ctx, ContactCompetitorPreference.__table__, len(prefs)))  # fmt: skip
    unique = list({(a, b, k): (a, b, k, s, u) for a, b, k, s, u in links if a != b}.values())
    put(ctx, PowerLink.__table__, ["from_contact_id", "to_contact_id", "kind", "strength", "created_by"], unique,
        ids_for(ctx, PowerLink.__table__, len(unique)))  # fmt: skip
    return out


def profile(ctx: Ctx, contact_id: int, level: str, created: datetime) -> tuple[Any, ...]:
    r = ctx.rng
    stage = r.choices((1, 2, 3, 4), weights=(35, 30, 22, 13))[0]
    support = max(-2, min(2, stage - 2 + r.choice((-1, 0, 0, 0, 1))))
    coach = stage == 4 and r.random() < 0.3
    influence = {"executive": "high", "middle": r.choice(("high", "medium")), "staff": r.choice(("medium", "low"))}
    role = r.choice(ROLES) if level != "staff" or r.random() < 0.2 else None
    chain = r.choice(("technical", "commercial", "overall", "hidden")) if role else None
    departed = (ctx.now - timedelta(days=r.randint(1, 300))).date() if r.random() < 0.02 else None
    return (contact_id, stage, support, coach, influence[level], role, chain, departed, created, created)


def write_followups(ctx: Ctx, plans: list[Plan], contacts: dict[int, list[Person]]) -> None:
    """Follow-ups over the past two years, each naming one to three contacts (key people more often)."""
    from loam.activities.models import FollowUp, followup_contacts, followup_participants

    r = ctx.rng
    total = sum(p.followups for p in plans)
    fids = ids_for(ctx, FollowUp.__table__, total)
    ids = iter(fids)
    rows, links, takers = [], [], []
    span = 730 * 86_400
    for p in plans:
        people_ = contacts[p.id]
        pool = [x.id for x in people_ for _k in range(x.weight)]
        mates = [u for u in ctx.team[p.department] if u != p.owner]
        for _k in range(p.followups):
            fid = next(ids)
            ago = span * (1 - r.random() ** (1 / p.skew)) if p.skew != 1.0 else span * r.random()
            at = ctx.now - timedelta(seconds=int(ago) + 60)
            text_ = r.choice(ctx.contents)
            kind, content = text_.split("\t", 1)
            author = p.owner if r.random() < 0.7 else r.choice(mates)
            deleted = at if r.random() < 0.01 else None
            rows.append((p.id, kind, at, content, author, at, at, deleted))
            n = 1 if r.random() < 0.6 else (2 if r.random() < 0.75 else 3)
            for cid in {r.choice(pool) for _i in range(n)}:
                links.append((fid, cid))
            if r.random() < 0.25:
                takers.append((fid, r.choice(mates)))
    names = ["customer_id", "kind", "occurred_at", "content", "created_by", "created_at", "updated_at", "deleted_at"]
    put(ctx, FollowUp.__table__, names, rows, fids)
    put(ctx, followup_contacts, ["followup_id", "contact_id"], links)
    put(ctx, followup_participants, ["followup_id", "user_id"], takers)


def write_marks(ctx: Ctx, plans: list[Plan]) -> None:
    """Checklist items in place, more of them for strategic customers (the agreement at group / region / project
    scope)."""
    from loam.relationships.models import OrgMark

    r = ctx.rng
    rows = []
    for p in plans:
        for item in DEFAULTS["org"]["items"]:
            if r.random() < TIER_MARKS[p.tier]:
                factor = Decimal(r.choice(("1.00", "0.70", "0.40"))) if item["key"] == "strategic_agreement" else None
                achieved = (ctx.now - timedelta(days=r.randint(10, 900))).date()
                rows.append((p.id, item["key"], factor or Decimal("1.00"), achieved, "年度复盘确认", p.owner))
    put(ctx, OrgMark.__table__, ["customer_id", "item_key", "factor", "achieved_on", "evidence", "updated_by"], rows,
        ids_for(ctx, OrgMark.__table__, len(rows)), followup_ids=[])  # fmt: skip


def last_followups(session: Session, first_customer: int) -> None:
    """The customers' stored ``last_followup_at`` from their live follow-ups (one UPDATE)."""
    from loam.activities.models import FollowUp
    from loam.customers.models import Customer

    latest = (
        select(func.max(FollowUp.occurred_at))
        .where(FollowUp.customer_id == Customer.id, FollowUp.deleted_at.is_(None))
        .scalar_subquery()
    )
    session.execute(update(Customer).where(Customer.id >= first_customer).values(last_followup_at=latest))


def history(session: Session, month: date, months: int = 12) -> int:
    """The ``months`` monthly snapshots before ``month`` for every customer snapshotted in ``month``: the same
    details, the health moved by a deterministic walk (±10 a month) and its band recomputed. Set-based (one
    INSERT … SELECT per month); months that already have snapshots are skipped."""
    from loam.relationships.health import add_months
    from loam.relationships.models import RelationshipSnapshot as Snap

    written = 0
    bands = DEFAULTS["health"]["bands"]
    for k in range(1, months + 1):
        target = add_months(month, -k)
        if session.scalar(select(func.count()).select_from(Snap).where(Snap.month == target)):
            continue
        moved = Snap.health + (Snap.customer_id * 7 + k * 13) % 21 - 10
        value = case((moved < 0, 0), (moved > 100, 100), else_=moved)
        band = case(
            (value >= bands["healthy"], "healthy"),
            (value >= bands["sub_healthy"], "sub_healthy"),
            (value >= bands["at_risk"], "at_risk"),
            else_="critical",
        )
        cols = ["customer_id", "month", "settings_version", "key_score", "broad_score", "org_score", "health",
                "band", "details", "created_at"]  # fmt: skip
        src = select(
            Snap.customer_id, literal(target), Snap.settings_version, Snap.key_score, Snap.broad_score,
            Snap.org_score, value, band, Snap.details, Snap.created_at,
        ).where(Snap.month == month)  # fmt: skip
        session.execute(insert(Snap).from_select(cols, src))
        written += session.scalar(select(func.count()).select_from(Snap).where(Snap.month == target)) or 0
    return written
