"""The demo company's accounts: pools, custom fields, customers and how they changed hands."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from loam.customers.models import Customer
from loam.demo import companies as co
from loam.demo.loader import CLOSED_P, OWNER_POOL, SOURCE_WEIGHTS, Loader, Plan, Spec
from loam.kit import normalize
from loam.kit.models import CustomField
from loam.pools.models import Pool, PoolMember


def make_pools(ld: Loader) -> dict[str, Pool]:
    o = ld.org
    specs = [
        ("广西公海", "广西电信系统部的公海：区内运营商及行业客户", 30, 90, {"key": (60, 180)}, 5, 10, 200, 7),
        ("行业客户公海", "电网、交通、金融、政府及制造业客户", 60, 180, {"key": (90, 365)}, 7, 5, 100, 30),
        ("省外运营商公海", "广东、云南、贵州、湖南的运营商客户", 45, 120, {}, 7, 5, 150, 15),
    ]
    pools: dict[str, Pool] = {}
    for name, desc, nf, nd, levels, warn, daily, owned, cool in specs:
        rules = {lv: {"no_followup_days": a, "no_deal_days": b} for lv, (a, b) in levels.items()}
        pools[name] = Pool(
            name=name,
            description=desc,
            no_followup_days=nf,
            no_deal_days=nd,
            level_rules=rules,
            exempt_closed=True,
            warn_days=warn,
            daily_claim_cap=daily,
            owned_cap=owned,
            cooldown_days=cool,
        )
    ld.s.add_all(pools.values())
    ld.s.flush()
    ld.s.add_all(
        [
            PoolMember(pool_id=pools["广西公海"].id, department_id=o.account.id, include_children=True),
            PoolMember(pool_id=pools["行业客户公海"].id, department_id=o.team2.id, include_children=False),
            PoolMember(pool_id=pools["行业客户公海"].id, user_id=o.director.id),
            PoolMember(pool_id=pools["行业客户公海"].id, user_id=o.sr1.id),
            PoolMember(pool_id=pools["省外运营商公海"].id, department_id=o.office.id, include_children=True),
        ]
    )
    ld.counts["pools"] = len(pools)
    return pools


def custom_fields(ld: Loader) -> None:
    ld.s.add_all(
        [
            CustomField(
                entity="customer", key="code", label_zh="客户编码", label_en="Customer code", field_type="text",
                unique=True, sort_order=1,
            ),
            CustomField(
                entity="customer", key="network_scale", label_zh="网络规模", label_en="Network scale",
                field_type="select", options={"choices": ["大", "中", "小"]}, sort_order=2,
            ),
            CustomField(
                entity="contact", key="wechat", label_zh="微信号", label_en="WeChat ID", field_type="text",
                sort_order=1, show_in_list=False,
            ),
        ]
    )  # fmt: skip
    ld.s.flush()
    ld.counts["custom_fields"] = 3


# --- customers
def catalogue(ld: Loader) -> list[Spec]:
    """Every demo customer: operators' provincial companies and city branches, towers, industry."""
    out = []
    provinces = {p.short: p for p in co.PROVINCES}
    mail = {"CT": "chinatelecom", "CM": "chinamobile", "CU": "chinaunicom"}
    for p in co.PROVINCES:
        capital = p.cities[0]
        for op in co.OPERATORS:
            domain = f"{p.code.lower()}.{mail[op.code]}.example.com"
            name = op.provincial(p)
            out.append(Spec(name, p.short + op.short, "telecom", p, capital, "S", "prov", domain, op.website))
            for c in p.cities:
                tier = "A" if c.short in co.BIG_CITIES else "B"
                if tier == "B" and p.code != "GX" and ld.rng.random() < 0.3:
                    tier = "C"
                out.append(Spec(op.branch(p, c), c.short + op.short, "telecom", p, c, tier, "branch", domain))
        name = f"中国铁塔股份有限公司{p.full}分公司"
        domain = f"{p.code.lower()}.tower.example.com"
        out.append(Spec(name, p.short + "铁塔", "telecom", p, capital, "B", "tower", domain))
    for i, ind in enumerate(co.INDUSTRY_CUSTOMERS):
        p = provinces[ind.province]
        c = next(c for c in p.cities if c.short == ind.city)
        domain = f"{ind.industry}{i + 1:02d}.example.com"
        out.append(Spec(ind.name, ind.short, ind.industry, p, c, ind.tier, "industry", domain))
    return out


def choose_owner(ld: Loader, spec: Spec, n_prov: int) -> tuple[str | None, str]:
    """(owner's username, or None for a customer now in its pool; the pool that covers it)."""
    r = ld.rng
    roll = r.random()
    if spec.kind == "industry":
        pool = "行业客户公海"
        owner = r.choices(["ar2", "ar1", "director", "sr1", "fr1"], [40, 25, 12, 8, 5])[0]
    elif spec.province.code == "GX":
        pool = "广西公海"
        owner = "ar1" if spec.city.short in co.GX_TEAM1_CITIES else "ar2"
        owner = {"prov": ["ar1", "ar2", "ar1"][n_prov % 3], "tower": "sr1"}.get(spec.kind, owner)
    else:
        pool = "省外运营商公海"
        owner = r.choices(["ar1", "ar2", "sr1", "fr1", "director"], [35, 30, 10, 8, 7])[0]
        owner = {"prov": ["director", "ar1", "ar2"][n_prov % 3], "tower": "fr1"}.get(spec.kind, owner)
    share = 0.25 if spec.province.code == "GX" and spec.kind == "branch" else 0.15
    in_pool = spec.tier in ("B", "C") and spec.kind in ("branch", "industry") and roll < share
    return (None if in_pool else owner), pool


def plan_customers(ld: Loader) -> list[Plan]:
    plans: list[Plan] = []
    n_prov = 0
    for seq, spec in enumerate(catalogue(ld), start=1):
        owner_key, pool = choose_owner(ld, spec, n_prov)
        n_prov += spec.kind == "prov"
        tier = spec.tier
        level = "key" if tier == "S" or (tier == "A" and ld.rng.random() < 0.6) else "normal"
        if tier == "C" and ld.rng.random() < 0.5:
            level = "minor"
        owner = ld.u[owner_key] if owner_key else None
        closed = owner is not None and ld.rng.random() < CLOSED_P[tier]
        locked = owner is not None and level == "key" and ld.rng.random() < 0.4
        row = customer_row(ld, seq, spec, level)
        plan = Plan(row, spec.short, spec.industry, spec.industry, tier in "SA", "", spec.domain, pool)
        place(ld, plan, owner, closed, locked)
        plans.append(plan)
    return plans


def customer_row(ld: Loader, seq: int, spec: Spec, level: str) -> dict[str, Any]:
    r = ld.rng
    name, industry, p, c, tier, kind = spec.name, spec.industry, spec.province, spec.city, spec.tier, spec.kind
    digits = 8 if p.code == "GD" else 7
    phone = f"{c.area_code}-{r.randint(2, 8)}{r.randrange(10 ** (digits - 1)):0{digits - 1}d}"
    scale = {"S": "大", "A": r.choice(["大", "中"]), "B": "中", "C": "小"}[tier] if industry == "telecom" else None
    scale = scale or {"S": "大", "A": "中", "B": r.choice(["中", "小"]), "C": "小"}[tier]
    remark = {
        "prov": "省级公司，集团重点客户，年度框架采购，网络建设投资规模大。",
        "tower": "负责全省铁塔及室分建设，关注共建共享与节能。",
    }.get(kind)
    return {
        "name": name,
        "name_norm": normalize.company(name),
        "industry": industry,
        "tier": tier,
        "level": level,
        "source": ld.pick(SOURCE_WEIGHTS),
        "phone": phone,
        "phone_norm": normalize.phone(phone),
        "email": f"office@{spec.domain}" if kind in ("prov", "industry") else None,
        "website": spec.website,
        "province": p.full,
        "city": c.full,
        "address": f"{p.full}{c.full}{r.choice(co.ROADS)}{r.randint(1, 399)}号",
        "remark": remark,
        "custom": {"code": f"KH-{p.code}-{seq:04d}", "network_scale": scale},
    }


def place(ld: Loader, plan: Plan, owner: int | None, closed: bool, locked: bool) -> None:
    """Owner, dates and pool state, consistent with what the pool rules will look at."""
    r, row = ld.rng, plan.row
    prev: int | None = None
    created_days = r.uniform(400, 1100)
    owner_since_days = created_days
    if owner is None:
        plan.state = "pool"
        prev = r.choice([ld.u["ar1"], ld.u["ar2"], ld.u["sr1"], ld.u["fr1"]])
        last_days = r.uniform(40, 200)
    else:
        exempt = closed or locked
        roll = r.random()
        plan.state = "fresh" if exempt or roll >= 0.3 else ("stale" if roll < 0.18 else "warn")
        # Owned customers follow the rule of their owner's pool: the first pool covering the owner.
        pool = ld.pools[OWNER_POOL]
        rules = (pool.level_rules or {}).get(row["level"], {})
        no_followup = rules.get("no_followup_days") or pool.no_followup_days or 30
        no_deal = rules.get("no_deal_days") or pool.no_deal_days or 90
        if plan.state == "stale":
            last_days = no_followup + r.uniform(2, 60)
        elif plan.state == "warn":
            last_days = no_followup - r.uniform(1.2, pool.warn_days - 0.2)
        else:
            last_days = r.choice([0, 0, 1, 1, 2, 3, 4, 5]) + r.uniform(0, 15) * (r.random() < 0.6)
        if not exempt and plan.state != "stale":
            # Not closed: owned recently (new customer, claim or transfer), so "no deal" has not run out.
            owner_since_days = r.uniform(max(last_days, 20) + 1, no_deal - 5)
            if r.random() < 0.5:
                created_days = owner_since_days
            else:
                prev = r.choice([u for u in ld.u.values() if u != owner])
        elif r.random() < 0.15:
            owner_since_days = r.uniform(100, created_days - 30)
            prev = r.choice([u for u in ld.u.values() if u != owner])
    created = ld.at(created_days)
    last = ld.at(last_days)
    holder = owner or prev
    assert holder is not None
    row.update(
        owner_id=owner,
        department_id=ld.dept[holder],  # a pool customer keeps its last department
        pool_id=ld.pools[plan.pool].id if owner is None and plan.pool else None,
        locked=locked,
        deal_status="closed" if closed else "none",
        deal_at=ld.at(r.uniform(30, created_days - 10)) if closed else None,
        owner_since=ld.at(owner_since_days) if owner else None,
        previous_owner_id=prev,
        released_at=None,
        last_followup_at=last,
        next_contact_at=next_contact(ld, plan.state),
        created_by=prev or owner,
        created_at=created,
        updated_at=max(last, created),
        version=1,
    )
    if owner is None:
        row["released_at"] = min(last + timedelta(days=r.uniform(30, 45)), ld.now - timedelta(hours=r.uniform(2, 72)))
    if row["created_at"] > last:
        row["created_at"] = last - timedelta(days=r.uniform(5, 30))


def next_contact(ld: Loader, state: str) -> datetime | None:
    r = ld.rng.random()
    if state == "fresh":
        if r < 0.3:
            return ld.today_at(ld.rng.randint(9, 17))
        if r < 0.42:
            return ld.at(ld.rng.uniform(1, 6))
        return None if r > 0.9 else ld.today_at(10) + timedelta(days=ld.rng.randint(1, 21))
    if state == "warn" and r < 0.5:
        return ld.at(ld.rng.uniform(3, 10))
    return None


def insert_customers(ld: Loader, plans: list[Plan]) -> None:
    ids = ld.insert(Customer, [p.row for p in plans], ids=True)
    for plan, cid in zip(plans, ids, strict=True):
        row = plan.row
        row["id"] = cid
        ld.audit_row("customer", cid, "create", row["created_by"], row["created_at"], name=row["name"])
        if row["owner_id"] and row["previous_owner_id"]:
            ownership_history(ld, plan)
        if row["locked"]:
            ld.audit_row("customer", cid, "lock", row["owner_id"], row["owner_since"], locked=[False, True])
        if row["owner_id"] is None:
            by_rules = ld.rng.random() < 0.6
            action, who = ("return", None) if by_rules else ("release", row["previous_owner_id"])
            pool_move(ld, plan, action, who, row["released_at"])


def pool_move(ld: Loader, plan: Plan, action: str, user: int | None, at: datetime, owner: int | None = None) -> None:
    """A movement in or out of the customer's pool: the pool event and the audit row the services write."""
    row = plan.row
    pool_id = ld.pools[plan.pool or OWNER_POOL].id
    if action in ("return", "release"):
        before, after, pools = row["previous_owner_id"], None, [None, pool_id]
        reason = "no_followup" if action == "return" else "客户暂无需求，主动放回公海"
    else:
        before, after, pools, reason = None, owner, [pool_id, None], None
    event = {"pool_id": pool_id, "customer_id": row["id"], "action": action, "user_id": user}
    ld.events.append({**event, "owner_id": before or after, "reason": reason, "at": at})
    ld.audit_row("customer", row["id"], action, user, at, owner_id=[before, after], pool_id=pools)


def ownership_history(ld: Loader, plan: Plan) -> None:
    """A customer that changed hands: taken from its pool (claimed or distributed), or transferred."""
    row = plan.row
    since, prev, owner = row["owner_since"], row["previous_owner_id"], row["owner_id"]
    pool = plan.pool or OWNER_POOL
    member = pool != "行业客户公海" or owner in (ld.u["ar2"], ld.u["sr1"], ld.u["director"])
    roll = ld.rng.random()
    if roll < 0.6 and member:
        pool_move(ld, plan, "return", None, since - timedelta(days=ld.rng.uniform(3, 40)))
        distributed = roll < 0.25 and owner != ld.u["director"]
        action, by = ("distribute", ld.u["director"]) if distributed else ("claim", owner)
        pool_move(ld, plan, action, by, since, owner)
        if distributed and since > ld.now - timedelta(days=30):
            ld.extra_notices.append((owner, "pool_assigned", row, {"pool": pool}))
    else:
        ld.audit_row("customer", row["id"], "transfer", ld.u["director"], since, owner_id=[prev, owner])
