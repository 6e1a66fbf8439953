"""A small hand-built company for the report tests, made through the real services (R27).

Every amount is in the ISO 4217 test currency XTS, so the reports (filtered to XTS) see only these records.
See :func:`build` for the exact records; the tests pin the numbers they add up to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.reports.periods import today
from tests.helpers import make_customer, scope_of

D = Decimal
CUR = "XTS"


def stages(session: Session) -> dict[str, int]:
    """Default pipeline stage ids by English name."""
    from loam.opportunities import pipelines

    return {s.name_en: s.id for s in pipelines.stages_of(session, 1)}


def reason(session: Session, name_en: str) -> int:
    from loam.opportunities import pipelines

    return next(r.id for r in pipelines.reasons(session) if r.name_en == name_en)


def opportunity(
    session: Session, owner_id: int, customer_id: int, amount: str, name: str = "商机", **fields: Any
) -> Any:
    from loam.opportunities import service
    from loam.opportunities.schemas import OpportunityCreate

    data = OpportunityCreate(name=name, customer_id=customer_id, amount=D(amount), currency=CUR, **fields)
    opp = service.create(session, scope_of(session, owner_id), data)
    session.flush()
    return opp


def move(session: Session, owner_id: int, opp: Any, *path: str) -> None:
    """Move an opportunity through stages by English name; Won gets a note, Lost/Invalid the first reason."""
    from loam.opportunities import service

    ids = stages(session)
    for name in path:
        extra: dict[str, Any] = {}
        if name == "Won":
            extra["note"] = "签约"
        elif name == "Lost":
            extra["lost_reason_id"] = reason(session, "Price" if opp.amount >= 100000 else "Competitor")
        elif name == "Invalid":
            extra["lost_reason_id"] = reason(session, "No budget")
        service.move_to_stage(session, scope_of(session, owner_id), opp.id, ids[name], **extra)
        session.flush()


def decide_all(session: Session, doc_type: str, doc_id: int) -> None:
    """Approve every pending step of a document's running approval as one of its assignees."""
    from loam.approvals import actions
    from loam.approvals import service as approval_service
    from loam.approvals.models import ApprovalTask

    for _ in range(10):
        instance = approval_service.pending(session, doc_type, doc_id)
        if instance is None:
            return
        task = session.scalar(
            select(ApprovalTask).where(ApprovalTask.instance_id == instance.id, ApprovalTask.status == "pending")
        )
        assert task is not None
        actions.approve(session, scope_of(session, task.user_id), instance.id)
        session.flush()
    raise AssertionError("the approval did not finish")


def contract(
    session: Session,
    owner_id: int,
    customer_id: int,
    lines: list[tuple[int, str, str]] | None = None,
    amount: str | None = None,
    approve: bool = True,
    **fields: Any,
) -> Any:
    """A contract signed today (unless given) for ``customer_id``; lines as (product id, quantity, sale price)."""
    from loam.contracts import lifecycle, service
    from loam.contracts.schemas import ContractCreate
    from loam.products.schemas import ProductLineWrite

    scope = scope_of(session, owner_id)
    written = [ProductLineWrite(product_id=p, quantity=D(q), sale_price=D(s)) for p, q, s in lines or []] or None
    data = ContractCreate(
        name=fields.pop("name", "传输网合同"),
        customer_id=customer_id,
        amount=D(amount) if amount else None,
        currency=CUR,
        signed_on=fields.pop("signed_on", today()),
        lines=written,
        **fields,
    )
    found = service.create(session, scope, data)
    if approve:
        lifecycle.submit(session, scope, found.id)
        decide_all(session, "contract", found.id)
    session.flush()
    session.refresh(found)
    return found


def plan(session: Session, user_id: int, contract_id: int, due_on: date, amount: str) -> Any:
    from loam.receivables import plans
    from loam.receivables.schemas import PlanCreate

    found = plans.create(
        session, scope_of(session, user_id), PlanCreate(contract_id=contract_id, due_on=due_on, amount=D(amount))
    )
    session.flush()
    return found


def receipt(
    session: Session, user_id: int, contract_id: int, amount: str, plan_id: int | None, approve: bool = True
) -> Any:
    from loam.receivables import service
    from loam.receivables.schemas import ReceiptCreate

    scope = scope_of(session, user_id)
    allocations = [{"plan_id": plan_id, "amount": D(amount)}] if plan_id else []
    data = ReceiptCreate(contract_id=contract_id, received_on=today(), amount=D(amount), allocations=allocations)
    found = service.create(session, scope, data)
    if approve:
        service.submit(session, scope, found.id)
        decide_all(session, "receivable", found.id)
    session.flush()
    session.expire_all()
    return found


def products(session: Session, admin_id: int) -> tuple[int, int, int, int]:
    """Two categories (硬件 with 光传输 below it, 软件) and products A (光传输) and B (软件):
    returns (hardware id, software id, product A id, product B id)."""
    from loam.products import categories, service
    from loam.products.schemas import CategoryWrite, ProductCreate

    scope = scope_of(session, admin_id)
    hardware = categories.create_category(session, scope, CategoryWrite(name="报表硬件"))
    optical = categories.create_category(session, scope, CategoryWrite(name="报表光传输", parent_id=hardware.id))
    software = categories.create_category(session, scope, CategoryWrite(name="报表软件"))
    a = service.create(
        session,
        scope,
        ProductCreate(code="RPT-A", name="报表产品A", category_id=optical.id, list_price=D("300000"), currency=CUR),
    )
    b = service.create(
        session,
        scope,
        ProductCreate(code="RPT-B", name="报表产品B", category_id=software.id, list_price=D("400000"), currency=CUR),
    )
    session.flush()
    return hardware.id, software.id, a.id, b.id


def followup(session: Session, user_id: int, customer_id: int) -> None:
    from loam.activities import service
    from loam.activities.schemas import FollowUpCreate

    service.create(
        session, scope_of(session, user_id), FollowUpCreate(kind="visit", content="拜访", customer_id=customer_id)
    )
    session.flush()


@dataclass
class World:
    ids: dict[str, int]
    opps: dict[str, Any] = field(default_factory=dict)
    contracts: dict[str, Any] = field(default_factory=dict)
    plans: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)


def build_opportunities(session: Session, w: World) -> None:
    """ar1: O1 100k Qualify; O2 200k →Needs; O3 300k →Needs→Proposal; O4 400k →Negotiation;
    O5 500k →Needs→Proposal→Won; O6 600k →Needs→Lost (Price); O10 100k →Won.
    ar2: O7 50k Qualify; O8 70k →Lost (Competitor); O9 80k →Negotiation→Won; O11 90k →Invalid (No budget).
    O3 has product B (软件) on its lines."""
    ar1, ar2 = w.ids["ar1"], w.ids["ar2"]
    c1, c2 = w.customers["ar1"], w.customers["ar2"]
    plan_ = {
        "O1": (ar1, c1, "100000", ()),
        "O2": (ar1, c1, "200000", ("Needs analysis",)),
        "O3": (ar1, c1, "300000", ("Needs analysis", "Proposal / quote")),
        "O4": (ar1, c1, "400000", ("Negotiation",)),
        "O5": (ar1, c1, "500000", ("Needs analysis", "Proposal / quote", "Won")),
        "O6": (ar1, c1, "600000", ("Needs analysis", "Lost")),
        "O7": (ar2, c2, "50000", ()),
        "O8": (ar2, c2, "70000", ("Lost",)),
        "O9": (ar2, c2, "80000", ("Negotiation", "Won")),
        "O10": (ar1, c1, "100000", ("Won",)),
        "O11": (ar2, c2, "90000", ("Invalid",)),
    }
    for key, (owner, customer, amount, path) in plan_.items():
        extra: dict[str, Any] = {"expected_close": today() + timedelta(days=30)}
        if key == "O3":
            from loam.products.schemas import ProductLineWrite

            extra["lines"] = [ProductLineWrite(product_id=w.categories["B"], quantity=D("1"), sale_price=D("300000"))]
        opp = opportunity(session, owner, customer, amount, name=f"报表{key}", **extra)
        move(session, owner, opp, *path)
        w.opps[key] = opp


def build_money(session: Session, w: World) -> None:
    """C1 ar1 approved: A 2 × 300,000 + B 1 × 400,000 = 1,000,000; C2 ar2 approved: A 1 × 500,000;
    C3 ar1 draft 999. Plans: P1 C1 due 40 days ago 300,000 (100,000 received, approved), P2 C1 due in 20 days
    700,000, P3 C2 due 100 days ago 500,000. A draft receipt of 50,000 on C1 does not count."""
    ar1, ar2 = w.ids["ar1"], w.ids["ar2"]
    a, b = w.categories["A"], w.categories["B"]
    w.contracts["C1"] = contract(
        session,
        ar1,
        w.customers["ar1"],
        lines=[(a, "2", "300000"), (b, "1", "400000")],
        end_on=today() + timedelta(days=10),
    )
    w.contracts["C2"] = contract(session, ar2, w.customers["ar2"], lines=[(a, "1", "500000")])
    w.contracts["C3"] = contract(session, ar1, w.customers["ar1"], amount="999", approve=False)
    t = today()
    w.plans["P1"] = plan(session, ar1, w.contracts["C1"].id, t - timedelta(days=40), "300000")
    w.plans["P2"] = plan(session, ar1, w.contracts["C1"].id, t + timedelta(days=20), "700000")
    w.plans["P3"] = plan(session, ar2, w.contracts["C2"].id, t - timedelta(days=100), "500000")
    admin = w.ids["admin"]
    receipt(session, admin, w.contracts["C1"].id, "100000", w.plans["P1"].id)
    receipt(session, admin, w.contracts["C1"].id, "50000", None, approve=False)


def build(session: Session, ids: dict[str, int], money: bool = True, opportunities: bool = True) -> World:
    """The whole company: customers (ar1: 2, ar2: 1), follow-ups (ar1: 3, ar2: 1), products, opportunities
    and (with ``money``) contracts, plans and receipts."""
    w = World(dict(ids))
    w.customers["ar1"] = make_customer(session, ids["ar1"], "报表客户甲").id
    make_customer(session, ids["ar1"], "报表客户乙")
    w.customers["ar2"] = make_customer(session, ids["ar2"], "报表客户丙").id
    for _ in range(3):
        followup(session, ids["ar1"], w.customers["ar1"])
    followup(session, ids["ar2"], w.customers["ar2"])
    hardware, software, a, b = products(session, ids["admin"])
    w.categories.update({"hardware": hardware, "software": software, "A": a, "B": b})
    if opportunities:
        build_opportunities(session, w)
    if money:
        build_money(session, w)
    return w
