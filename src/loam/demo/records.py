"""The demo company's people and history: contacts, follow-ups, leads, team members, notifications."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from loam.activities.models import FollowUp, followup_contacts, followup_participants
from loam.authz.models import RecordMember
from loam.contacts.models import Contact
from loam.demo import companies as co
from loam.demo import names as nm
from loam.demo.loader import BORN, FOLLOWUPS_PER_YEAR, LEAD_SOURCE_WEIGHTS, OWNER_POOL, Loader, Plan
from loam.kit import normalize
from loam.leads.models import Lead
from loam.notifications.models import Notification


# --- contacts
def insert_contacts(ld: Loader, plans: list[Plan]) -> None:
    """The head first, then deputies, then middle managers reporting to them, then staff under the managers."""
    layers: list[list[tuple[Plan, dict[str, Any]]]] = [[], [], [], []]
    for plan in plans:
        for c in org_chart(ld, plan):
            depth = {"executive": 0 if c["_boss"] is None else 1, "middle": 2, "staff": 3}[c["level"]]
            layers[depth].append((plan, c))
    for layer in layers:
        rows = []
        for _plan, c in layer:
            boss = c.pop("_boss")
            c["reports_to_id"] = boss["id"] if boss else None
            rows.append({k: v for k, v in c.items() if not k.startswith("_")})
        for (_plan, c), cid in zip(layer, ld.insert(Contact, rows, ids=True), strict=True):
            c["id"] = cid
            ld.audit_row("contact", cid, "create", c["created_by"], c["created_at"], name=c["name"])


def org_chart(ld: Loader, plan: Plan) -> list[dict[str, Any]]:
    r, row = ld.rng, plan.row
    n = {"prov": (26, 34), "S": (22, 28), "A": (13, 18), "B": (5, 8), "C": (3, 5)}
    lo, hi = n["prov"] if plan.row["tier"] == "S" and plan.topic_key == "telecom" else n[row["tier"]]
    total = r.randint(lo, hi)
    n_exec = 4 if total >= 14 else 3 if total >= 10 else 2 if total >= 6 else 1
    n_mid = max(1, round((total - n_exec) * 0.5))
    n_staff = max(0, total - n_exec - n_mid)
    depts = departments(plan.dept_key)
    r.shuffle(depts)
    ind = plan.topic_key
    exec_titles = nm.EXECUTIVE_TITLES.get(ind, nm.EXECUTIVE_TITLES["default"])
    # The head sits in the leadership; each deputy is recorded under the department they oversee (分管), which is
    # what the coverage grid's executive cells mean.
    overseen = ["公司领导", *r.sample(depts, min(len(depts), n_exec - 1))]
    execs = [make_contact(ld, plan, overseen[i], exec_titles[i], "executive", None) for i in range(n_exec)]
    for e in execs[1:]:
        e["_boss"] = execs[0]
    mids: dict[str, dict[str, Any]] = {}
    middles = []
    for i in range(n_mid):
        dept = depts[i % len(depts)]
        titles = (
            nm.MIDDLE_TITLES.get(dept)
            or nm.MIDDLE_TITLES["government" if ind == "government" else "default_big" if plan.big else "default"]
        )
        m = make_contact(ld, plan, dept, titles[0 if dept not in mids else 1], "middle", r.choice(execs))
        mids.setdefault(dept, m)
        middles.append(m)
    staff = []
    for _ in range(n_staff):
        dept = r.choice(list(mids))
        title = r.choice(nm.STAFF_TITLES.get(dept, nm.STAFF_TITLES["default"]))
        title = title.replace("总经理", exec_titles[0])
        staff.append(make_contact(ld, plan, dept, title, "staff", mids[dept]))
    plan.contacts = execs + middles + staff
    return plan.contacts


def departments(industry: str) -> list[str]:
    """The customer's departments: the relationship method's department template for its industry (so that the
    demo's coverage grids have the rows a user of the method expects)."""
    from loam.relationships.settings import DEFAULTS

    templates = DEFAULTS["coverage"]["templates"]
    return list(templates.get(industry, templates["default"]))


def make_contact(ld: Loader, plan: Plan, dept: str | None, title: str, level: str, boss: dict[str, Any] | None):
    r, row = ld.rng, plan.row
    name, py = ld.person()
    senior = level != "staff"
    phone = ld.mobile()
    created = row["created_at"] + timedelta(minutes=r.randint(1, 60))  # entered with the customer
    return {
        "customer_id": row["id"],
        "name": name,
        "dept_name": dept,
        "title": title,
        "level": level,
        "phone": phone,
        "phone_norm": normalize.phone(phone),
        "email": ld.email(py, plan.domain) if r.random() < 0.75 else None,
        "birthday": date(r.randint(*BORN[level]), r.randint(1, 12), r.randint(1, 28)) if r.random() < 0.45 else None,
        "is_decision_maker": title in ("总经理", "局长", "行长", "院长", "校长") or (senior and r.random() < 0.25),
        "personality": r.choice(nm.PERSONALITIES) if r.random() < (0.8 if senior else 0.25) else None,
        "preferences": r.choice(nm.PREFERENCES) if r.random() < (0.7 if senior else 0.2) else None,
        "remark": None,
        "owner_id": row["owner_id"] or row["previous_owner_id"],
        "department_id": row["department_id"],
        "custom": {"wechat": f"wx_{py}{r.randint(10, 99)}"} if r.random() < 0.4 else {},
        "created_by": row["created_by"],
        "created_at": created,
        "updated_at": created,
        "version": 1,
        "_boss": boss,
    }


# --- follow-ups
def insert_followups(ld: Loader, plans: list[Plan]) -> None:
    rows: list[dict[str, Any]] = []
    links: list[tuple[set[int], list[int]]] = []
    for plan in plans:
        for fu, people, contacts in history(ld, plan):
            rows.append(fu)
            links.append((people, contacts))
    ids = ld.insert(FollowUp, rows, ids=True)
    audit_followups(ld, ids, rows)
    parts = [{"followup_id": i, "user_id": u} for i, (people, _c) in zip(ids, links, strict=True) for u in people]
    seen = [{"followup_id": i, "contact_id": c} for i, (_p, cs) in zip(ids, links, strict=True) for c in cs]
    ld.insert(followup_participants, parts)
    ld.insert(followup_contacts, seen)


def audit_followups(ld: Loader, ids: list[int], rows: list[dict[str, Any]]) -> None:
    for fid, fu in zip(ids, rows, strict=True):
        changes = {"kind": fu["kind"], "customer_id": fu["customer_id"], "lead_id": fu["lead_id"]}
        ld.audit_row("followup", fid, "create", fu["created_by"], fu["created_at"], **changes)


def history(ld: Loader, plan: Plan) -> list[tuple[dict[str, Any], set[int], list[int]]]:
    """The customer's follow-ups: spread over its window, the newest exactly at last_followup_at."""
    r, row = ld.rng, plan.row
    last = row["last_followup_at"]
    start = max(row["created_at"], ld.now - timedelta(days=365))
    span = max((last - start).total_seconds(), 86400.0)
    n = max(2, round(FOLLOWUPS_PER_YEAR[row["tier"]] * r.uniform(0.75, 1.25) * min(1.0, span / 86400 / 365 + 0.3)))
    moments = sorted(start + timedelta(seconds=r.uniform(0, span)) for _ in range(n - 1))
    earliest = start + timedelta(hours=1)  # after the customer and its contacts were entered
    moments = [min(max(ld.at((ld.now - m).total_seconds() / 86400), earliest), last) for m in moments] + [last]
    out = []
    for i, moment in enumerate(moments):
        newest = i == len(moments) - 1
        kind = ld.pick(nm.FOLLOWUP_KINDS)
        author = row["owner_id"] if row["owner_id"] and moment >= row["owner_since"] else None
        author = author or row["previous_owner_id"] or row["owner_id"]
        chosen = met(r, plan.contacts, kind)
        content = note(ld, plan, kind, chosen[0])
        people = {author}
        if "方案经理" in content:
            people.add(ld.u["sr1"])
        if kind in ("visit", "meeting", "reception"):
            if r.random() < 0.3:
                people.add(ld.u["sr1"])
            if r.random() < 0.15:
                people.add(ld.u["fr1"])
        has_next = (newest and row["next_contact_at"] is not None) or r.random() < 0.6
        fu = {
            "customer_id": row["id"],
            "lead_id": None,
            "kind": kind,
            "occurred_at": moment,
            "content": content,
            "next_step": r.choice(nm.NEXT_STEPS) if has_next else None,
            "next_contact_at": row["next_contact_at"] if newest else None,
            "created_by": author,
            "created_at": min(moment + timedelta(minutes=r.randint(5, 240)), ld.now),
            "version": 1,
        }
        fu["updated_at"] = fu["created_at"]
        out.append((fu, people, [c["id"] for c in chosen]))
    return out


LEVEL_WEIGHTS = {"executive": 3, "middle": 4, "staff": 2}
# kind → how many contacts a follow-up of that kind may meet (a call one; a meeting a room)
MET = {"call": (1,), "wechat": (1,), "email": (1,), "visit": (1, 2, 2, 3), "meeting": (2, 3, 4, 5)}


def met(r: random.Random, contacts: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The contacts a follow-up of ``kind`` met: distinct, drawn by level (middle managers most often)."""
    k = r.choice(MET.get(kind, (1, 2, 3, 4)))
    chosen = r.choices(contacts, weights=[LEVEL_WEIGHTS[c["level"]] for c in contacts], k=k)
    return list({c["id"]: c for c in chosen}.values())


def note(ld: Loader, plan: Plan, kind: str, contact: dict[str, Any]) -> str:
    r = ld.rng
    topics = nm.TOPICS.get(plan.topic_key, nm.TOPICS["default"])
    result = r.choice(nm.RESULTS).format(competitor=r.choice(nm.COMPETITORS))
    who = (contact["dept_name"] if contact["dept_name"] != "公司领导" else "") + address(contact)
    template = r.choice(nm.FOLLOWUP_TEMPLATES[kind])
    return template.format(who=who, topic=r.choice(topics), customer=plan.short, result=result)


def address(contact: dict[str, Any]) -> str:
    """How a salesperson would write the person: 王总, 李主任, 张工, 陈经理 …"""
    name, title = contact["name"], contact["title"] or ""
    surname = name[:2] if name.startswith("欧阳") else name[0]
    if "秘书" in title or "司机" in title:
        return name
    for marker, form in (("总工程师", "总工"), ("总", "总"), ("董事长", "董事长"), ("行长", "行长"),
                         ("局长", "局长"), ("处长", "处长"), ("院长", "院长"), ("校长", "校长"),
                         ("书记", "书记"), ("主任", "主任"),
                         ("经理", "经理"), ("工程师", "工")):  # fmt: skip
        if marker in title:
            return surname + form
    return name


# --- leads
def insert_leads(ld: Loader, plans: list[Plan]) -> None:
    r = ld.rng
    prospects = list(co.LEAD_COMPANIES)
    taken = {p.row["name_norm"] for p in plans}
    while len(prospects) < 54:
        name = r.choice(co.LEAD_PREFIXES) + r.choice(co.LEAD_WORDS) + r.choice(co.LEAD_SUFFIXES)
        if normalize.company(name) not in taken | {normalize.company(p.name) for p in prospects}:
            prospects.append(co.Industrial(name, name[:4], r.choice(["other", "manufacturing", "internet"]),
                                           "广西", name[:2], "C"))  # fmt: skip
    recent = [p for p in plans if p.row["owner_id"] and p.row["previous_owner_id"] is None
              and p.row["created_at"] > ld.now - timedelta(days=90)][:6]  # fmt: skip
    rows = []
    for i, pr in enumerate(prospects + [None] * len(recent)):
        converted = recent[i - len(prospects)] if pr is None else None
        rows.append(lead_row(ld, i, pr, converted))
    ids = ld.insert(Lead, rows, ids=True)
    fus, parts = [], []
    for row, lid in zip(rows, ids, strict=True):
        ld.audit_row("lead", lid, "create", row["created_by"], row["created_at"], name=row["name"])
        if row["last_followup_at"] is None:
            continue
        topic = r.choice(nm.TOPICS.get(row["industry"], nm.TOPICS["default"]))
        moments = [row["created_at"] + (row["last_followup_at"] - row["created_at"]) * k for k in (0.4, 1.0)]
        for moment in moments[-r.randint(1, 2) :]:
            fus.append({
                "customer_id": None, "lead_id": lid, "kind": r.choice(["call", "wechat", "visit"]),
                "occurred_at": moment, "content": r.choice(nm.LEAD_FOLLOWUPS).format(topic=topic),
                "next_step": r.choice(nm.NEXT_STEPS), "next_contact_at": None, "created_by": row["owner_id"],
                "created_at": moment, "updated_at": moment, "version": 1,
            })  # fmt: skip
    fids = ld.insert(FollowUp, fus, ids=True)
    audit_followups(ld, fids, fus)
    for fid, fu in zip(fids, fus, strict=True):
        parts.append({"followup_id": fid, "user_id": fu["created_by"]})
    ld.insert(followup_participants, parts)


def lead_row(ld: Loader, i: int, pr: co.Industrial | None, converted: Plan | None) -> dict[str, Any]:
    r = ld.rng
    name, py = ld.person()
    phone = ld.mobile()
    source = ld.pick(LEAD_SOURCE_WEIGHTS)
    owner = ld.u[r.choices(["ar1", "ar2", "sr1", "director", "fr1"], [40, 35, 8, 10, 7])[0]]
    company = converted.row["name"] if converted else pr.name if pr else ""
    industry = converted.row["industry"] if converted else pr.industry if pr else "other"
    topic = r.choice(nm.TOPICS.get(industry, nm.TOPICS["default"]))
    created = ld.at(r.uniform(2, 120))
    status, conv_at, next_at = "open", None, None
    if converted:
        owner, status = converted.row["owner_id"], "converted"
        conv_at = converted.row["created_at"]
        created = conv_at - timedelta(days=r.uniform(7, 40))
    elif i % 9 == 8:
        status = "invalid"
    else:
        roll = r.random()
        next_at = (
            ld.today_at(r.randint(9, 17)) if roll < 0.25
            else ld.at(r.uniform(1, 7)) if roll < 0.4
            else ld.today_at(10) + timedelta(days=r.randint(1, 30)) if roll < 0.8
            else None
        )  # fmt: skip
    last = None
    if status != "open" or r.random() < 0.65:
        last = min(created + (ld.now - created) * r.uniform(0.3, 0.95), conv_at or ld.now)
    province = next((p for p in co.PROVINCES if pr and p.short == pr.province), co.PROVINCES[0])
    city = next((c for c in province.cities if pr and c.short == pr.city), province.cities[0])
    return {
        "name": name,
        "company": company,
        "company_norm": normalize.company(company),
        "title": r.choice(nm.LEAD_TITLES),
        "phone": phone,
        "phone_norm": normalize.phone(phone),
        "email": f"{py}@lead{i + 1:02d}.example.com" if r.random() < 0.6 else None,
        "source": source,
        "grade": r.choices(["A", "B", "C"], [25, 45, 30])[0],
        "industry": industry,
        "province": province.full,
        "city": city.full,
        "address": None,
        "remark": nm.LEAD_REMARKS[source].format(topic=topic),
        "next_contact_at": next_at,
        "last_followup_at": last,
        "status": status,
        "converted_customer_id": converted.row["id"] if converted else None,
        "converted_at": conv_at,
        "owner_id": owner,
        "department_id": ld.dept[owner],
        "custom": {},
        "created_by": owner,
        "created_at": created,
        "updated_at": last or created,
        "version": 1,
    }


# --- team, notifications
def team_members(ld: Loader, plans: list[Plan]) -> None:
    owned = [p.row for p in plans if p.row["owner_id"]]
    ar1 = [c for c in owned if c["owner_id"] == ld.u["ar1"]]
    key = [c for c in owned if c["level"] == "key" and c["owner_id"] in (ld.u["ar1"], ld.u["ar2"])]
    closed = [c for c in owned if c["deal_status"] == "closed" and c["owner_id"] != ld.u["fr1"]]
    rows: list[dict[str, Any]] = []
    for cust, user, access, expires in (
        [(c, "ar2", "read", None) for c in ld.rng.sample(ar1, 4)]
        + [(c, "sr1", "write", None) for c in ld.rng.sample(key, 8)]
        + [(c, "fr1", "read", ld.today_at(18) + timedelta(days=30) if i == 0 else None)
           for i, c in enumerate(ld.rng.sample(closed, 5))]
    ):  # fmt: skip
        if cust["owner_id"] == ld.u[user] or any(
            m["record_id"] == cust["id"] and m["user_id"] == ld.u[user] for m in rows
        ):
            continue
        at = ld.now - timedelta(days=ld.rng.uniform(5, 60))
        rows.append(
            {
                "entity": "customer",
                "record_id": cust["id"],
                "user_id": ld.u[user],
                "access": access,
                "expires_at": expires,
                "added_by": cust["owner_id"],
                "created_at": at,
            }
        )
        ld.audit_row("customer", cust["id"], "member_add", cust["owner_id"], at,
                       member=ld.names[ld.u[user]], access=access)  # fmt: skip
    ld.insert(RecordMember, rows)


def notifications(ld: Loader, plans: list[Plan]) -> None:
    """What the pool rules and the pool service would have sent: warnings, returns, assignments."""
    rows = []
    pool = ld.pools[OWNER_POOL]
    for p in plans:
        row = p.row
        if p.state == "warn":
            rule = (pool.level_rules or {}).get(row["level"], {})
            days = int(rule.get("no_followup_days") or pool.no_followup_days or 30)
            due = (row["last_followup_at"] + timedelta(days=days)).astimezone(ld.tz).strftime("%Y-%m-%d")
            rows.append(notice(ld, row["owner_id"], "pool_warning", row, {"date": due}, f":{due}"))
        elif p.state == "pool" and row["released_at"] > ld.now - timedelta(days=10):
            rows.append(notice(ld, row["previous_owner_id"], "pool_returned", row, {"pool": p.pool}))
    rows += [notice(ld, user, kind, row, params) for user, kind, row, params in ld.extra_notices]
    for i, r in enumerate(rows):
        r["read_at"] = r["created_at"] + timedelta(hours=1) if i % 4 == 3 else None
    ld.insert(Notification, rows)


def notice(ld: Loader, user: int, kind: str, cust: dict[str, Any], params: dict[str, Any], key: str = "") -> dict:
    return {
        "user_id": user,
        "kind": kind,
        "params": {"customer": cust["name"], **params},
        "entity": "customer",
        "entity_id": cust["id"],
        "dedupe_key": f"{kind}:{cust['id']}{key}" if kind == "pool_warning" else None,
        "created_at": ld.now - timedelta(hours=ld.rng.uniform(1, 30)),
    }
