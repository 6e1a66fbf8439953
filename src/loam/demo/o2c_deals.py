"""The demo company's opportunities (商机): ~60 deals on the demo customers across the default pipeline, each
created by its owner with products, contacts in the deal, competitors and the iron-triangle team, then moved
through the stages over the past year — won (by their contract's approval, see :mod:`loam.demo.o2c_contracts`),
lost or invalid with a reason from the list, or still open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from loam.demo import o2c_data as od
from loam.demo.loader import Plan
from loam.demo.o2c import Story

OWNERS = ("ar1", "ar2", "director", "sr1")
FINALS = (
    ["pending"] * 2 + ["rejected"] + ["open0"] * 7 + ["open1"] * 8 + ["open2"] * 8 + ["open3"] * 6
    + ["won"] * 17 + ["lost"] * 8 + ["invalid"] * 3
)  # fmt: skip
# How long ago (days) an opportunity still open (or with its contract in approval) was created; how long the
# sales cycle of a closed one lasted.
BORN = {"open0": (3, 50), "open1": (20, 120), "open2": (40, 200), "open3": (60, 300), "pending": (45, 200),
        "rejected": (45, 200), "won": (60, 365), "lost": (60, 340), "invalid": (25, 300)}  # fmt: skip
CYCLE = {"won": (45, 200), "lost": (30, 160), "invalid": (10, 60)}
SOURCES = {"bid": 35, "referral": 20, "partner": 15, "exhibition": 10, "campaign": 8, "website": 7, "phone": 5}
TIERS = {"S": 6, "A": 3, "B": 1, "C": 0.4}
CLOSED = ("won", "lost", "invalid")


@dataclass
class Opp:
    """One opportunity of the story: whose, what, how it ends and when each step happened."""

    plan: Plan
    owner: str
    deal: od.Deal
    final: str
    born: float  # days ago
    path: list[str] = field(default_factory=list)  # "1" "2" "3" (open stage positions), "lost", "invalid"
    steps: list[datetime] = field(default_factory=list)  # the moment of each path step
    created: datetime | None = None
    end: float = 0.0  # days ago the last step (or the contract) happened
    rival: str = ""
    id: int = 0
    amount: Decimal = Decimal("0.00")
    signatory: int | None = None  # the customer's decision maker (signs the contract)


def kind(plan: Plan) -> str:
    if plan.topic_key != "telecom":
        return "industry"
    if "铁塔" in plan.row["name"]:
        return "tower"
    return "prov" if plan.row["tier"] == "S" else "branch"


def opportunities(story: Story, plans: list[Plan]) -> list[Opp]:
    """Create the opportunities and their history; return them for the contracts part."""
    opps = cast(story, plans)
    for opp in opps:
        create(story, opp)
        for i, target in enumerate(opp.path):
            move(story, opp, target, opp.steps[i], i)
    pending_gate(story, opps)
    story.counts["opportunities"] = len(opps)
    return opps


def cast(story: Story, plans: list[Plan]) -> list[Opp]:
    """Choose 60 (customer, deal, outcome) triples: bigger customers get more deals; the deals whose contract
    waits for (or was refused by) the director belong to ar1 and ar2."""
    r = story.rng
    names = {v: k for k, v in story.ld.u.items()}
    owned = [p for p in plans if names.get(p.row["owner_id"]) in OWNERS]
    taken: dict[int, int] = {}
    chosen: list[Plan] = []
    while len(chosen) < len(FINALS):
        plan = r.choices(owned, weights=[TIERS[p.row["tier"]] for p in owned])[0]
        if taken.get(plan.row["id"], 0) >= (3 if plan.row["tier"] == "S" else 2):
            continue
        taken[plan.row["id"]] = taken.get(plan.row["id"], 0) + 1
        chosen.append(plan)
    finals = list(FINALS)
    r.shuffle(finals)
    sellers = [i for i, p in enumerate(chosen) if names[p.row["owner_id"]] in ("ar1", "ar2")]
    fixed: list[int] = []
    for slot, final in zip(sellers[:3], ("pending", "pending", "rejected"), strict=True):
        other = next(i for i, f in enumerate(finals) if f == final and i not in fixed)
        finals[slot], finals[other] = finals[other], finals[slot]
        fixed.append(slot)
    opps, used = [], set()
    for plan, final in zip(chosen, finals, strict=True):
        fits = [d for d in od.DEALS if kind(plan) in d.fits and (plan.row["id"], d.name) not in used]
        deal = r.choice(fits or list(od.DEALS))
        used.add((plan.row["id"], deal.name))
        opp = Opp(plan, names[plan.row["owner_id"]], deal, final, r.uniform(*BORN[final]))
        timeline(story, opp)
        opps.append(opp)
    old_model(opps)
    return opps


def old_model(opps: list[Opp]) -> None:
    """At least one closed deal quoted the 2.1GHz RRU that was discontinued since (see o2c.retire_product)."""
    four_g = next(d for d in od.DEALS if any(code == "WL-RRU18" for code, _lo, _hi in d.lines))
    if not any(o.deal is four_g and o.final in CLOSED for o in opps):
        opp = next(o for o in opps if o.final in CLOSED and kind(o.plan) in four_g.fits)
        opp.deal = four_g


def timeline(story: Story, opp: Opp) -> None:
    """The path through the stages and the moment of each step, oldest first, at least a day apart."""
    r, final = story.rng, opp.final
    if final.startswith("open"):
        path = [str(k) for k in range(1, int(final[-1]) + 1)]
        opp.end = r.uniform(1, max(1.5, min(40, opp.born / 3)))
    elif final in ("pending", "rejected"):
        path = ["1", "2", "3"]
        opp.end = r.uniform(0.3, 3) if final == "pending" else r.uniform(4, 20)
    else:  # closed: spread over the year, each after a sales cycle of its own
        opp.end = r.uniform(4, 330)
        cycle = r.uniform(*CYCLE[final])
        opp.born = min(opp.end + cycle, 365)
        if final == "won":
            path = ["1", "3"] if r.random() < 0.15 else ["1", "2", "3"]
        elif final == "lost":
            path = [str(k) for k in range(1, r.choice([1, 2, 2, 3, 3]) + 1)] + ["lost"]
        else:
            path = (["1"] if r.random() < 0.5 else []) + ["invalid"]
    if final == "open3" and "back" not in story.flags:
        story.flags.add("back")  # one deal went back to 方案/报价 for a revised quote, then on again
        path = ["1", "2", "3", "2", "3"]
    points = len(path) + (1 if final in ("won", "pending", "rejected") else 0)
    gaps = [r.uniform(0.5, 1.5) for _ in range(points)]
    span = max(opp.born - opp.end, points * 1.2)
    opp.born = opp.end + span
    scale = span / sum(gaps) if gaps else 0.0
    days, moments = opp.born, []
    for gap in gaps[: len(path)]:
        days -= gap * scale
        moments.append(days)
    opp.created = story.moment(opp.born)
    opp.steps = increasing(story, [opp.created] + [story.moment(d) for d in moments])[1:]
    opp.path = path


def increasing(story: Story, moments: list[datetime]) -> list[datetime]:
    out: list[datetime] = []
    for m in moments:
        if out and m <= out[-1]:
            m = out[-1] + timedelta(minutes=47)
        out.append(min(m, story.ld.now - timedelta(minutes=5)))
    return out


def lines(story: Story, opp: Opp) -> list[Any]:
    from loam.products.schemas import ProductLineWrite

    r, out = story.rng, []
    for code, lo, hi in opp.deal.lines:
        if code == "WL-RRU18" and opp.final in CLOSED:  # older deals still quoted the discontinued model
            code = od.RETIRED
        service = code.startswith("SV-")
        discount = r.choice([0, 0, 3, 5, 8]) if service else r.choice([5, 8, 10, 12, 15, 18, 20, 25])
        quantity = r.randint(lo, hi) if hi < 1000 else r.randrange(lo, hi, 500)
        out.append(
            ProductLineWrite(
                product_id=story.products[code].id, quantity=Decimal(quantity), discount_pct=Decimal(discount)
            )
        )
    return out


def close_date(story: Story, opp: Opp) -> date:
    r = story.rng
    if opp.final.startswith("open"):
        return story.today + timedelta(days=r.randint(20, 200))
    return story.local_date(opp.steps[-1] if opp.steps else story.ld.now) + timedelta(days=r.randint(-20, 25))


def create(story: Story, opp: Opp) -> None:
    """The owner enters the opportunity with its products, contacts, competitors and team."""
    from loam.opportunities import service as opportunity_service
    from loam.opportunities.schemas import OpportunityCreate

    r = story.rng
    scope = story.scope(opp.owner)
    assert opp.created is not None
    story.clock.at(opp.created)
    short = opp.plan.short
    data = OpportunityCreate(
        name=opp.deal.name.format(short=short),
        customer_id=opp.plan.row["id"],
        amount_from_lines=True,
        expected_close=close_date(story, opp),
        source=r.choices(list(SOURCES), weights=list(SOURCES.values()))[0],
        remark=f"{short}{r.choice(od.NEEDS)}建设需求，{r.choice(od.BUDGETS)}。",
        lines=lines(story, opp),
    )
    found = opportunity_service.create(story.s, scope, data)
    opp.id, opp.amount = found.id, found.amount
    story.opportunity_ids.append(found.id)
    contacts(story, opp, scope)
    competitors(story, opp, scope)
    team(story, opp, scope)


def contacts(story: Story, opp: Opp, scope: Any) -> None:
    from loam.opportunities import details
    from loam.opportunities.schemas import ContactLinkWrite

    r, people = story.rng, opp.plan.contacts
    execs = [c for c in people if c["level"] == "executive"]
    middles = [c for c in people if c["level"] == "middle"]
    staff = [c for c in people if c["level"] == "staff"]
    chosen = [(execs[0], "decision_maker")]
    if len(execs) > 1 and r.random() < 0.6:
        chosen.append((r.choice(execs[1:]), "approver"))
    if middles:
        chosen.append((r.choice(middles), r.choice(["evaluator", "influencer", "initiator"])))
    if staff and r.random() < 0.6:
        chosen.append((r.choice(staff), "user"))
    opp.signatory = execs[0]["id"]
    for contact, role in chosen:
        details.link_contact(story.s, scope, opp.id, ContactLinkWrite(contact_id=contact["id"], role=role))


def competitors(story: Story, opp: Opp, scope: Any) -> None:
    from loam.opportunities import details
    from loam.opportunities.schemas import CompetitorWrite

    r = story.rng
    rivals = r.sample(opp.deal.rivals, r.randint(1, len(opp.deal.rivals)))
    opp.rival = rivals[0]
    for name in rivals:
        price = (opp.amount * Decimal(str(round(r.uniform(0.82, 1.08), 3)))).quantize(Decimal("1000"))
        remark = r.choice(od.COMPETITOR_REMARKS).format(pct=r.randint(3, 15))
        data = CompetitorWrite(name=name, quoted_price=price, status="active", remark=remark)
        details.add_competitor(story.s, scope, opp.id, data)


def team(story: Story, opp: Opp, scope: Any) -> None:
    """The iron triangle: AR (the owner, or ar1/ar2 when a director or the SR owns it), SR, FR; finance on the
    deals that reach a contract."""
    from loam.opportunities import team as team_service
    from loam.opportunities.schemas import TeamMemberWrite

    members = {"ar1": [], "ar2": [], "director": [("ar1", "AR", "write")], "sr1": [("ar2", "AR", "write")]}[opp.owner]
    if opp.owner != "sr1":
        members.append(("sr1", "SR", "write"))
    if opp.final not in ("open0", "open1", "invalid"):
        members.append(("fr1", "FR", "read"))
    if opp.final in ("won", "pending", "rejected"):
        members.append(("finance1", "finance", "read"))
    for user, role, access in members:
        data = TeamMemberWrite(user_id=story.uid(user), access=access, role=role)
        team_service.add(story.s, scope, opp.id, data)


def move(story: Story, opp: Opp, target: str, at: datetime, index: int) -> None:
    """One stage move by the owner; lost and invalid with a reason of the list and a note. A big deal passes the
    project gate (立项) first: the owner submits the project approval and the director approves it."""
    from loam.opportunities import details
    from loam.opportunities import service as opportunity_service
    from loam.opportunities.schemas import CompetitorWrite

    r = story.rng
    scope = story.scope(opp.owner)
    if target.isdigit():
        stage = story.stages[int(target)]
        at = gate(story, opp, stage, at, index)
        opp.steps[index:] = increasing(story, [at, *opp.steps[index + 1 :]])  # later steps stay later
        story.clock.at(at)
        probability = r.choice([40, 60]) if opp.final == "open2" and target == "2" and r.random() < 0.3 else None
        opportunity_service.move_to_stage(story.s, scope, opp.id, stage.id, probability=probability)
        return
    story.clock.at(at)
    notes = od.LOST_NOTES if target == "lost" else od.INVALID_NOTES
    reason = r.choices(list(notes), weights=[4, 2, 2, 1, 1, 1][: len(notes)])[0]
    note = notes[reason].format(rival=opp.rival, pct=r.randint(5, 15))
    opportunity_service.move_to_stage(
        story.s, scope, opp.id, story.closing[target].id, lost_reason_id=story.reasons[(target, reason)], note=note
    )
    if target == "lost":
        for rival in details.competitors(story.s, scope, opp.id):
            status = "won" if rival.name == opp.rival else "eliminated"
            data = CompetitorWrite(name=rival.name, quoted_price=rival.quoted_price, status=status, remark=rival.remark)
            details.update_competitor(story.s, scope, opp.id, rival.id, data)


def gate(story: Story, opp: Opp, stage: Any, at: datetime, index: int) -> datetime:
    """When the move would pass the gate of a big deal not approved yet: submit the project approval a couple of
    days before and let the approvers decide; return when the move itself can happen."""
    try:
        from loam.opportunities import gate as gate_service
        from loam.opportunities.schemas import GateSubmit
    except ModuleNotFoundError:
        return at
    scope = story.scope(opp.owner)
    state = gate_service.read(story.s, scope, opp.id)
    if not state.required or state.status == "approved" or state.stage is None:
        return at
    if stage.position <= state.stage.position:
        return at
    before = opp.steps[index - 1] if index else opp.created
    submitted = increasing(story, [before, at - timedelta(days=story.rng.uniform(1, 3))])[-1]  # type: ignore[list-item]
    story.clock.at(submitted)
    name_an_approver(story, opp, scope, state)
    comment = "客户需求与预算已确认，申请商机立项"
    gate_service.submit(story.s, scope, opp.id, GateSubmit(comment=comment))
    from loam.demo.o2c_contracts import decide

    decided = decide(story, "opportunity", opp.id, submitted)
    story.counts["project_approvals"] = story.counts.get("project_approvals", 0) + 1
    return increasing(story, [decided, at])[-1]


def name_an_approver(story: Story, opp: Opp, scope: Any, state: Any) -> None:
    """The gate wants a power map naming a decision maker and an approver (loam.relationships.powermap): when the
    deal has none, the first of its customer's contacts not yet in the deal (executives first) becomes its approver
    — deterministic, so the rest of the story stays the same."""
    from loam.opportunities import details
    from loam.opportunities.schemas import ContactLinkWrite

    if [r.key for r, ok in state.inputs if not ok] != ["power_map"]:
        return
    linked = {link.contact_id for link in details.contacts(story.s, scope, opp.id)}
    order = {"executive": 0, "middle": 1, "staff": 2}
    free = sorted((c for c in opp.plan.contacts if c["id"] not in linked), key=lambda c: order.get(c["level"], 3))
    if free:
        details.link_contact(story.s, scope, opp.id, ContactLinkWrite(contact_id=free[0]["id"], role="approver"))


def pending_gate(story: Story, opps: list[Opp]) -> None:
    """One big deal in 需求分析 waits for its project approval (an item in the director's approvals)."""
    try:
        from loam.opportunities import gate as gate_service
        from loam.opportunities.schemas import GateSubmit
    except ModuleNotFoundError:
        return
    for opp in opps:
        if opp.final != "open1":
            continue
        scope = story.scope(opp.owner)
        state = gate_service.read(story.s, scope, opp.id)
        if state.required and opp.final == "open1":
            name_an_approver(story, opp, scope, state)
            state = gate_service.read(story.s, scope, opp.id)
        if state.required and state.submittable:
            story.clock.at(increasing(story, [opp.steps[-1], story.moment(story.rng.uniform(0.2, 1))])[-1])
            gate_service.submit(story.s, scope, opp.id, GateSubmit(comment="方案交流已完成，申请立项"))
            story.counts["project_approvals"] = story.counts.get("project_approvals", 0) + 1
            return
