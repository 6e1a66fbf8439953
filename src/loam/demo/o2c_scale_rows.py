"""The rows of `loam demo --scale N` (see :mod:`loam.demo.o2c_scale` for what they are and how they are written)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from loam.demo.o2c_scale import CENT, OPEN_WEIGHTS, SHARES, Ctx, deal_names, local, money, number, put
from loam.kit.i18n import gettext as _

SIGNING_ENTITY = "壤土科技有限公司"
SOURCES = ("bid", "bid", "bid", "referral", "referral", "partner", "exhibition", "campaign", "website", "phone")
DISCOUNTS = tuple(Decimal(d) for d in (0, 3, 5, 8, 10, 12, 15, 18, 20, 25))


@dataclass
class Line:
    """One product line (the snapshot the products service writes)."""

    product: Any
    quantity: Decimal
    discount: Decimal
    sale: Decimal
    subtotal: Decimal

    def row(self, record_id: int) -> tuple[Any, ...]:
        p = self.product
        return (record_id, p.id, p.name, p.unit, self.quantity, p.list_price, self.discount, self.sale, self.subtotal)


LINE_NAMES = ["record_id", "product_id", "name", "unit", "quantity", "list_price", "discount_pct", "sale_price"]
LINE_NAMES += ["subtotal"]


@dataclass
class Paper:
    """A contract to write: whose, with which customer, how much, and its story dates."""

    customer: tuple[int, str, int, int]
    line: Line
    drafted: datetime
    status: str  # approved | draft | void
    opportunity_id: int | None = None
    approved: datetime | None = None
    number: str = ""
    name: str = ""
    id: int = 0
    signed_on: date | None = None


def line(ctx: Ctx, cap: Decimal) -> Line:
    """A product line worth 50 thousand to a few million, below ``cap``."""
    r = ctx.rng
    product = r.choice(ctx.products)
    discount = r.choice(DISCOUNTS)
    sale = money(product.list_price * (100 - discount) / 100)
    target = Decimal(int(50_000 * 80 ** r.random()))
    quantity = max(1, min(int(target / sale), int((cap - CENT) / sale)))
    return Line(product, Decimal(quantity), discount, sale, money(sale * quantity))


def final(ctx: Ctx) -> tuple[str, int]:
    """The outcome (open / won / lost / invalid) and, for open ones, the stage index."""
    u = ctx.rng.random()
    if u < 0.50:
        return "open", ctx.rng.choices(range(len(ctx.stages)), weights=OPEN_WEIGHTS[: len(ctx.stages)])[0]
    return ("won" if u < 0.72 else "lost" if u < 0.92 else "invalid"), len(ctx.stages) - 1


def path(ctx: Ctx, outcome: str, stage: int) -> list[Any]:
    """The stages entered after the first one, ending with the closing stage for closed ones."""
    r = ctx.rng
    if outcome == "open":
        return ctx.stages[1 : stage + 1]
    if outcome == "won":
        return [*ctx.stages[1:], ctx.closing["won"]]
    if outcome == "lost":
        return [*ctx.stages[1 : r.randint(1, len(ctx.stages))], ctx.closing["lost"]]
    return [*ctx.stages[1 : r.randint(1, 2)], ctx.closing["invalid"]]


def reason(ctx: Ctx, kind: str) -> int:
    choices = ctx.reasons[kind]
    return ctx.rng.choices([i for i, _w in choices], weights=[w for _i, w in choices])[0]  # type: ignore[no-any-return]


OPPORTUNITY_COLUMNS = ["name", "customer_id", "pipeline_id", "stage_id", "status", "amount", "expected_close",
                       "probability", "source", "lost_reason_id", "lost_note", "closed_at", "stage_entered_at",
                       "owner_id", "department_id", "created_by", "created_at", "updated_at"]  # fmt: skip


@dataclass
class Deal:
    """One generated opportunity: its row (in the order of OPPORTUNITY_COLUMNS), line, moves and contract."""

    row: tuple[Any, ...]
    line: Line
    moves: tuple[int, datetime, list[Any], str | None]
    paper: Paper | None


def deal(ctx: Ctx, names: list[str], won_note: str) -> Deal:
    """An opportunity on a random owned customer, owned by its owner, with its whole way through the stages."""
    r = ctx.rng
    customer = r.choice(ctx.customers)
    cid, short, owner, department = customer
    outcome, stage = final(ctx)
    created = ctx.now - timedelta(seconds=r.randrange(86_400, (730 if outcome != "open" else 540) * 86_400))
    steps = path(ctx, outcome, stage)
    span = (ctx.now - created) * (r.uniform(0.25, 0.95) if steps else 0)
    times = sorted(created + span * r.random() for _s in steps[:-1]) + ([created + span] if steps else [])
    current, entered = (steps[-1], times[-1]) if steps else (ctx.stages[0], created)
    item = line(ctx, ctx.gate_amount)
    closed = entered if outcome != "open" else None
    name = f"{short}{r.choice(names)}"[:200]
    paper, note, reason_id = None, None, None
    if outcome == "won":  # won when its contract was approved (drafted a few days before)
        drafted = entered - timedelta(days=r.uniform(1, 5))
        paper = Paper(customer, item, drafted, "approved", approved=entered, name=name)
        paper.number = number(ctx, drafted.astimezone(ctx.tz).date())
        note = won_note.format(n=paper.number)
    elif outcome in ("lost", "invalid"):
        reason_id = reason(ctx, outcome)
    close_on = closed.astimezone(ctx.tz).date() if closed else ctx.today + timedelta(days=r.randrange(366))
    row = (name, cid, ctx.pipeline_id, current.id, outcome, item.subtotal, close_on, current.probability,
           r.choice(SOURCES), reason_id, note, closed, entered, owner, department, owner, created, entered)  # fmt: skip
    return Deal(row, item, (owner, created, list(zip(steps, times, strict=True)), note), paper)


def opportunities(ctx: Ctx, n: int) -> list[Paper]:
    """Write ``n`` opportunities with their line and stage moves; return the contracts of the won ones."""
    from loam.opportunities.models import Opportunity

    names, won_note = deal_names(), _("Contract %(number)s approved", number="{n}")
    deals = [deal(ctx, names, won_note) for _i in range(n)]
    rows = [d.row for d in deals]
    ids = put(ctx, Opportunity, OPPORTUNITY_COLUMNS, rows, currency="CNY", amount_from_lines=True)
    write_lines(ctx, "opportunity", ids, [d.line for d in deals])
    write_moves(ctx, ids, [d.moves for d in deals])
    papers = []
    for oid, d in zip(ids, deals, strict=True):
        ctx.audit.append(("opportunity", oid, d.row[13], d.row[16], {"name": [None, d.row[0]]}))
        if d.paper is not None:
            d.paper.opportunity_id = oid
            papers.append(d.paper)
    return papers


def write_lines(ctx: Ctx, entity: str, ids: list[int], lines: list[Line]) -> None:
    from loam.products.models import ProductLine

    rows = [item.row(record_id) for record_id, item in zip(ids, lines, strict=True)]
    put(ctx, ProductLine, LINE_NAMES, rows, entity=entity, position=0, remark=None)


def write_moves(ctx: Ctx, ids: list[int], moves: list[tuple[int, datetime, list[Any], str | None]]) -> None:
    """The entry into the first stage, then each move with the seconds spent in the stage it left; the won move
    is the system's (the contract's approval)."""
    from loam.opportunities.models import StageMove

    first = ctx.stages[0].id
    rows = []
    for oid, (owner, created, steps, note) in zip(ids, moves, strict=True):
        rows.append((oid, None, first, owner, created, None, None))
        before, at_before = first, created
        for stage, at in steps:
            system = stage.kind == "won"
            seconds = int((at - at_before).total_seconds())
            rows.append((oid, before, stage.id, None if system else owner, at, seconds, note if system else None))
            before, at_before = stage.id, at
    names = ["opportunity_id", "from_stage_id", "to_stage_id", "user_id", "at", "duration_seconds", "note"]
    put(ctx, StageMove, names, rows)


def contracts(ctx: Ctx, papers: list[Paper], count: int) -> list[Paper]:
    """The won opportunities' contracts plus blank ones up to ``count``; written with their product lines."""
    from loam.contracts.models import Contract

    r, names = ctx.rng, deal_names()
    papers = papers[:count]
    for _i in range(count - len(papers)):
        customer = r.choice(ctx.customers)
        drafted = ctx.now - timedelta(seconds=r.randrange(3 * 86_400, 730 * 86_400))
        status = "approved" if r.random() < 0.9 else r.choice(["draft", "void"])
        approved = min(drafted + timedelta(hours=r.uniform(4, 72)), ctx.now) if status != "draft" else None
        paper = Paper(customer, line(ctx, ctx.gate_amount * 2), drafted, status, approved=approved)
        paper.number, paper.name = number(ctx, drafted.astimezone(ctx.tz).date()), f"{customer[1]}{r.choice(names)}"
        papers.append(paper)
    rows = [contract_row(ctx, p) for p in papers]
    names_ = ["name", "customer_id", "opportunity_id", "amount", "signed_on", "start_on", "end_on", "status",
              "approved_at", "void_reason", "voided_at", "voided_by", "owner_id", "department_id", "created_by",
              "created_at", "updated_at", "number"]  # fmt: skip
    constants = {"type": "sales", "currency": "CNY", "signing_entity": SIGNING_ENTITY, "our_signatory_id": ctx.director}
    ids = put(ctx, Contract, names_, rows, **constants)
    write_lines(ctx, "contract", ids, [p.line for p in papers])
    for paper, cid, row in zip(papers, ids, rows, strict=True):
        paper.id = cid
        ctx.audit.append(("contract", cid, row[12], row[15], {"number": [None, paper.number]}))
    return papers


def contract_row(ctx: Ctx, p: Paper) -> tuple[Any, ...]:
    r = ctx.rng
    cid, _short, owner, department = p.customer
    signed = start = end = None
    if p.approved is not None:
        signed = min(p.approved.astimezone(ctx.tz).date() + timedelta(days=r.randint(0, 2)), ctx.today)
        start, end = signed, signed + timedelta(days=r.choice([364, 729, 1094]))
        p.signed_on = signed
    voided = min(p.approved + timedelta(days=r.uniform(5, 60)), ctx.now) if p.status == "void" and p.approved else None
    reason = "客户签约主体变更，原合同作废" if voided else None
    updated = voided or p.approved or p.drafted
    return (p.name, cid, p.opportunity_id, p.line.subtotal, signed, start, end, p.status, p.approved, reason, voided,
            ctx.director if voided else None, owner, department, owner, p.drafted, updated, p.number)  # fmt: skip


def receivables(ctx: Ctx, papers: list[Paper]) -> None:
    """Three periods per approved or void contract; approved receipts for most periods already due."""
    from loam.receivables.models import ReceivablePlan

    r, plans, due_rows = ctx.rng, [], []
    for p in papers:
        if p.approved is None or p.signed_on is None:
            continue
        made = min(p.approved + timedelta(days=1), ctx.now)
        left = p.line.subtotal
        for i, (milestone, share, days) in enumerate(SHARES, start=1):
            amount = left if share is None else money(p.line.subtotal * share)
            left -= amount
            due = p.signed_on + timedelta(days=days)
            plans.append((p.id, i, due, amount, milestone, p.customer[2], made, made))
            due_rows.append((p, due, amount) if p.status == "approved" and due < ctx.today else None)
    names = ["contract_id", "number", "due_on", "amount", "milestone", "created_by", "created_at", "updated_at"]
    ids = put(ctx, ReceivablePlan, names, plans, currency="CNY")
    for pid, row in zip(ids, plans, strict=True):
        ctx.audit.append(
            ("receivable_plan", pid, row[5], row[6], {"number": [None, row[1]], "amount": [None, str(row[3])]})
        )
    receipts(ctx, [(pid, d) for pid, d in zip(ids, due_rows, strict=True) if d is not None and r.random() < 0.88])


def receipts(ctx: Ctx, due: list[tuple[int, tuple[Paper, date, Decimal]]]) -> None:
    """One approved receipt per paid period (one in fifteen only half paid), allocated to it."""
    from loam.receivables.models import Receivable, ReceivableAllocation

    r, rows, plan_ids = ctx.rng, [], []
    for plan_id, (paper, due_on, amount) in due:
        assert paper.signed_on is not None
        paid = money(amount / 2) if r.random() < 1 / 15 else amount
        received = min(max(due_on + timedelta(days=r.randint(-5, 25)), paper.signed_on), ctx.today - timedelta(days=1))
        created = local(ctx, received, 15)
        approved = max(local(ctx, received + timedelta(days=1), 10), created)
        method = "acceptance_bill" if r.random() < 0.15 else "bank_transfer"
        rows.append(
            (paper.id, received, paid, method, paper.customer[1], approved, paper.customer[2], created, approved)
        )
        plan_ids.append((plan_id, paid))
    names = ["contract_id", "received_on", "amount", "method", "payer", "approved_at", "created_by", "created_at",
             "updated_at"]  # fmt: skip
    ids = put(ctx, Receivable, names, rows, currency="CNY", status="approved")
    allocations = [(rid, pid, amount) for rid, (pid, amount) in zip(ids, plan_ids, strict=True)]
    put(ctx, ReceivableAllocation, ["receivable_id", "plan_id", "amount"], allocations)
    for rid, row in zip(ids, rows, strict=True):
        ctx.audit.append(
            (
                "receivable",
                rid,
                row[6],
                row[7],
                {"amount": [None, str(row[2])], "received_on": [None, row[1].isoformat()]},
            )
        )


def audit(ctx: Ctx) -> None:
    """One "create" row per written record, by its owner at its creation time (changes already JSON-ready, as
    ``loam.kit.audit.jsonable`` would make them: money and dates as text)."""
    from loam.kit.models import AuditLog

    put(ctx, AuditLog, ["entity", "entity_id", "user_id", "at", "changes"], ctx.audit, action="create", note=None)
    ctx.audit.clear()
