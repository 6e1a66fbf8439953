"""The demo company's contracts (合同): one per won opportunity (created from it, approved through the approval
engine by whoever the seeded flow resolves to — which wins the opportunity and closes the customer's deal),
two waiting for the director, one rejected, and service / framework contracts created blank; one of those is
voided later (see :mod:`loam.demo.o2c_cash`), one is still a draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from loam.demo import o2c_data as od
from loam.demo.loader import Plan
from loam.demo.o2c import Story
from loam.demo.o2c_deals import Opp, increasing

SIGNING_ENTITY = "壤土科技有限公司"
OWNERS = ("ar1", "ar2", "director")
# Blank contracts: (kind, outcome, days ago drafted) — two service contracts end within the reminder window.
BLANK = (
    ("service", "approved", 352), ("service", "approved", 343), ("service", "approved", 260),
    ("framework", "approved", 300), ("framework", "approved", 150), ("service", "approved", 95),
    ("service", "approved", 40), ("framework", "approved", 18), ("service", "void", 130), ("service", "draft", 2),
)  # fmt: skip
BLANK_LINES = {
    "service": (("SV-MAINT", 1, 2), ("SV-PLAN", 10, 30)),
    "framework": (("TX-QSFP100", 60, 200), ("DC-AS48", 20, 80), ("SV-INSTALL", 10, 40)),
}


@dataclass
class Paper:
    """One contract of the story."""

    customer: Plan
    owner: str
    kind: str  # sales | service | framework
    outcome: str  # approved | pending | rejected | void | draft
    drafted: datetime
    opp: Opp | None = None
    id: int = 0
    number: str = ""
    amount: Decimal = Decimal("0.00")
    approved: datetime | None = None
    signed_on: date | None = None


def contracts(story: Story, opps: list[Opp], plans: list[Plan]) -> None:
    """Create, submit and decide every contract of the story, oldest first (numbers follow the drafting month)."""
    papers = [from_opportunity(story, o) for o in opps if o.final in ("won", "pending", "rejected")]
    papers += blank(story, plans)
    papers.sort(key=lambda p: p.drafted)
    for paper in papers:
        draft(story, paper)
        if paper.outcome != "draft":
            submit(story, paper)
    story.contracts = papers
    story.counts["contracts"] = len(papers)


def from_opportunity(story: Story, opp: Opp) -> Paper:
    outcome = {"won": "approved"}.get(opp.final, opp.final)
    drafted = increasing(story, [*opp.steps, story.moment(opp.end)])[-1]
    return Paper(opp.plan, opp.owner, "sales", outcome, drafted, opp)


def blank(story: Story, plans: list[Plan]) -> list[Paper]:
    """Contracts without an opportunity, with customers that have closed deals before."""
    names = {v: k for k, v in story.ld.u.items()}
    closed = [p for p in plans if p.row["deal_status"] == "closed" and names.get(p.row["owner_id"]) in OWNERS]
    telecom = [p for p in closed if p.topic_key == "telecom"]
    chosen = story.rng.sample(telecom, len(BLANK))
    out = []
    for (kind, outcome, days), plan in zip(BLANK, chosen, strict=True):
        out.append(Paper(plan, names[plan.row["owner_id"]], kind, outcome, story.moment(days)))
    return out


def _lines(story: Story, kind: str) -> list[Any]:
    from loam.products.schemas import ProductLineWrite

    r = story.rng
    return [
        ProductLineWrite(
            product_id=story.products[code].id,
            quantity=Decimal(r.randint(lo, hi)),
            discount_pct=Decimal(r.choice([0, 5, 10]) if code.startswith("SV-") else r.choice([10, 15, 20])),
        )
        for code, lo, hi in BLANK_LINES[kind]
    ]


def _dates(story: Story, paper: Paper) -> dict[str, Any]:
    """Signing and validity dates: a contract is signed a day or two after its approval."""
    if paper.outcome not in ("approved", "void"):
        return {}
    approved = paper.drafted + timedelta(days=2)
    signed = min(story.local_date(approved) + timedelta(days=story.rng.randint(0, 2)), story.today)
    paper.signed_on = signed
    years = 1 if paper.kind == "service" else story.rng.choice([1, 2, 3])
    end = signed + timedelta(days=364) if years == 1 else date(signed.year + years, signed.month, 1)
    return {"signed_on": signed, "start_on": signed, "end_on": end}


def draft(story: Story, paper: Paper) -> None:
    """The owner creates the contract (from the opportunity: customer, name, amount and products copied)."""
    from loam.contracts import service as contract_service
    from loam.contracts.schemas import ContractCreate

    story.clock.at(paper.drafted)
    year = story.local_date(paper.drafted).year
    common: dict[str, Any] = {
        "type": paper.kind,
        "customer_signatory_id": next(c["id"] for c in paper.customer.contacts if c["level"] == "executive"),
        "our_signatory_id": story.uid("director"),
        "signing_entity": SIGNING_ENTITY,
        "payment_terms": od.SERVICE_TERMS if paper.kind == "service" else od.PAYMENT_TERMS,
        **_dates(story, paper),
    }
    if paper.opp is not None:
        data = ContractCreate(opportunity_id=paper.opp.id, **common)
    else:
        title = "年度网络维保服务合同" if paper.kind == "service" else "年度设备框架采购协议"
        name = f"{paper.customer.short}{year}{title}"
        data = ContractCreate(
            customer_id=paper.customer.row["id"], name=name, lines=_lines(story, paper.kind), **common
        )
    contract = contract_service.create(story.s, story.scope(paper.owner), data)
    paper.id, paper.amount = contract.id, contract.amount
    renumber(story, contract, story.local_date(paper.drafted))
    paper.number = contract.number


def renumber(story: Story, contract: Any, day: date) -> None:
    """The number the contract would have got on the day it was drafted (the service numbers by today)."""
    from loam.contracts.models import Contract
    from loam.kit.models import AuditLog

    number = story.next_number(day)
    story.s.execute(update(Contract).where(Contract.id == contract.id).values(number=number))
    story.s.execute(
        update(AuditLog)
        .where(AuditLog.entity == "contract", AuditLog.entity_id == contract.id, AuditLog.action == "create")
        .values(changes={"number": [None, number]})
    )


def submit(story: Story, paper: Paper) -> None:
    """Submit for approval, then the approvers decide (or not yet): the rejected one back to its owner."""
    from loam.contracts import lifecycle
    from loam.contracts.schemas import SubmitRequest

    comment = story.rng.choice(od.SUBMIT_COMMENTS)
    lifecycle.submit(story.s, story.scope(paper.owner), paper.id, SubmitRequest(comment=comment))
    if paper.outcome == "pending":
        return
    refusal = od.REJECT_COMMENT if paper.outcome == "rejected" else None
    paper.approved = decide(story, "contract", paper.id, paper.drafted, refusal)
    if paper.outcome == "approved" and paper.opp is not None:
        eliminate(story, paper.opp)


def decide(story: Story, doc_type: str, doc_id: int, since: datetime, refusal: str | None = None) -> datetime:
    """Act as whoever the flow asks, step after step, until the approval ends; return when it ended."""
    from loam.approvals import service as approval_service

    r = story.rng
    users = {getattr(story.ld.org, name).id: name for name in ("admin", "director", "finance1", "ar1", "ar2", "sr1")}
    at = since
    for _round in range(8):
        instance = approval_service.pending(story.s, doc_type, doc_id)
        tasks = [t for t in approval_service.tasks(story.s, instance) if t.status == "pending"] if instance else []
        if not tasks:
            break
        at = increasing(story, [at, story.later(at, r.uniform(1, 20))])[-1]
        story.clock.at(at)
        scope = story.scope(users[tasks[0].user_id])
        if refusal:
            approval_service.reject(story.s, scope, instance.id, refusal)  # type: ignore[union-attr]
            break
        approval_service.approve(story.s, scope, instance.id, r.choice(od.APPROVE_COMMENTS))  # type: ignore[union-attr]
    return at


def eliminate(story: Story, opp: Opp) -> None:
    """We won: the competitors are out (in the approval episode)."""
    from loam.opportunities import details
    from loam.opportunities.schemas import CompetitorWrite

    scope = story.scope(opp.owner)
    for rival in details.competitors(story.s, scope, opp.id):
        data = CompetitorWrite(
            name=rival.name, quoted_price=rival.quoted_price, status="eliminated", remark=rival.remark
        )
        details.update_competitor(story.s, scope, opp.id, rival.id, data)
