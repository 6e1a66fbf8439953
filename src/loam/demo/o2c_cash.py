"""The demo company's receivables (回款): plan periods per contract (prepayment / arrival / acceptance — per site
on the site-by-site deals — / final; quarterly on service contracts), receipts recorded by the owners and
approved by finance, allocated to the periods; some periods left overdue in every ageing bucket, one receipt
still waiting for finance; invoices issued and requested. Also voids the contract meant to be void."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from loam.demo import o2c_data as od
from loam.demo.o2c import Story, retire_product
from loam.demo.o2c_contracts import Paper, decide
from loam.demo.o2c_deals import increasing

CENT = Decimal("0.01")
STANDARD = (("prepayment", "0.30", 30), ("arrival", "0.40", 90), ("acceptance", "0.20", 180), ("final", "0.10", 365))
BY_SITE = (("prepayment", "0.30", 30), ("arrival", "0.30", 90), ("acceptance", "0.10", 150),
           ("acceptance", "0.10", 180), ("acceptance", "0.10", 210), ("final", "0.10", 365))  # fmt: skip
FRAMEWORK = (("other", "0.35", 60), ("other", "0.25", 180))  # orders called off so far: the rest is not planned
SITE_DEALS = ("无线", "室内", "光网", "容量", "微波")
BUCKETS = ((1, 30, 14), (31, 60, 44), (61, 90, 73), (91, 3650, 150))  # days overdue: low, high, when made


def receivables(story: Story) -> None:
    """Plans, receipts and invoices of every approved contract; the void one voided after its first plan."""
    papers = [p for p in story.contracts if p.outcome in ("approved", "void")]
    schedules = {p.id: schedule(story, p) for p in papers}
    leave_overdue(story, papers, schedules)
    plans: list[tuple[Paper, Any, dict[str, Any]]] = []
    for paper in papers:
        plans += make_plans(story, paper, schedules[paper.id])
    receipts = collect(story, [p for p in plans if p[0].outcome == "approved"])
    for paper in papers:
        if paper.outcome == "void":
            void(story, paper)
    invoices(story, receipts)
    retire_product(story, 20)
    story.counts["receivable_plans"] = len(plans)
    story.counts["receivables"] = len(receipts)


def local(story: Story, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, story.rng.randrange(0, 60, 5)), tzinfo=story.ld.tz)


def schedule(story: Story, paper: Paper) -> list[dict[str, Any]]:
    """The periods of one contract (service contracts: none here, they are made as a quarterly series)."""
    assert paper.signed_on is not None
    if paper.kind == "service":
        return []
    name = paper.opp.deal.name if paper.opp else ""
    shape = FRAMEWORK if paper.kind == "framework" else BY_SITE if any(w in name for w in SITE_DEALS) else STANDARD
    city = paper.customer.row["city"].removesuffix("市")
    rows: list[dict[str, Any]] = []
    left = paper.amount
    planned = sum((Decimal(share) for _m, share, _d in shape), Decimal("0"))
    for i, (milestone, share, days) in enumerate(shape):
        last = i == len(shape) - 1
        amount = left if last and planned == 1 else (paper.amount * Decimal(share)).quantize(CENT, ROUND_HALF_UP)
        left -= amount
        site = None
        if shape is BY_SITE and milestone == "acceptance":
            site = f"{city}{od.SITE_AREAS[sum(1 for r in rows if r['milestone'] == 'acceptance')]}"
        rows.append({"due_on": paper.signed_on + timedelta(days=days), "amount": amount, "milestone": milestone,
                     "site": site, "_unpaid": False, "_partial": False})  # fmt: skip
    return rows


def leave_overdue(story: Story, papers: list[Paper], schedules: dict[int, list[dict[str, Any]]]) -> None:
    """Mark one period per ageing bucket (two over 90 days, one of them partly paid) as not received; where no
    period falls in a bucket, the first future period of an old enough contract falls due in it instead."""
    today = story.today
    rows = [(p, r) for p in papers if p.outcome == "approved" for r in schedules[p.id]]
    for low, high, made in BUCKETS:
        hits = [(p, r) for p, r in rows if low <= (today - r["due_on"]).days <= high and not r["_unpaid"]]
        if not hits:
            spare = [
                (p, r) for p, r in rows
                if r["due_on"] > today and p.signed_on and (today - p.signed_on).days > made + 5
            ]  # fmt: skip
            if not spare:
                continue
            paper, row = min(spare, key=lambda pr: pr[1]["due_on"])
            row["due_on"] = today - timedelta(days=made)
            hits = [(paper, row)]
        hits[0][1]["_unpaid"] = True
        if low > 90 and len(hits) > 1:
            hits[-1][1]["_unpaid"] = hits[-1][1]["_partial"] = True
    for paper in papers:
        schedules[paper.id].sort(key=lambda r: r["due_on"])


def make_plans(story: Story, paper: Paper, rows: list[dict[str, Any]]) -> list[tuple[Paper, Any, dict[str, Any]]]:
    """The owner enters the plan a few days after the approval."""
    from loam.receivables import plans as plan_service
    from loam.receivables.schemas import PlanBatch, PlanRecurring, PlanRow

    assert paper.approved is not None and paper.signed_on is not None
    scope = story.scope(paper.owner)
    story.clock.at(story.later(paper.approved, story.rng.uniform(20, 96)))
    if paper.kind == "service":
        data = PlanRecurring(
            contract_id=paper.id, frequency="quarterly", first_due=paper.signed_on + timedelta(days=15), count=4,
            total=paper.amount, milestone="other", remark="按季度支付服务费",
        )  # fmt: skip
        made = plan_service.create_recurring(story.s, scope, data)
        return [(paper, plan, {"_unpaid": False, "_partial": False}) for plan in made]
    if paper.outcome == "void":
        rows = rows[:1]
    batch = [PlanRow(**{k: v for k, v in row.items() if not k.startswith("_")}) for row in rows]
    made = plan_service.create_batch(story.s, scope, PlanBatch(contract_id=paper.id, rows=batch))
    return list(zip([paper] * len(made), made, rows, strict=True))


def collect(story: Story, plans: list[tuple[Paper, Any, dict[str, Any]]]) -> list[tuple[Paper, Any, date]]:
    """Receipts for the periods that fell due (each soon after its due date), approved by finance; the partly paid
    one gets half; the most recently due one is still waiting for finance's approval."""
    today = story.today
    due = [
        (p, plan, row) for p, plan, row in plans if plan.due_on < today and not (row["_unpaid"] and not row["_partial"])
    ]
    due.sort(key=lambda x: x[1].due_on)
    waiting = due[-1][1].id if due else None
    out = []
    for paper, plan, row in due:
        amount = (plan.amount / 2).quantize(CENT) if row["_partial"] else plan.amount
        received = min(max(plan.due_on + timedelta(days=story.rng.randint(-3, 12)), paper.signed_on), today)
        receipt = pay(story, paper, plan, amount, received, plan.id != waiting)
        out.append((paper, receipt, received))
    return out


def pay(story: Story, paper: Paper, plan: Any, amount: Decimal, received: date, approve: bool) -> Any:
    """The owner records the receipt the day it arrives and submits it; finance approves it the next day."""
    from loam.receivables import service as receivable_service
    from loam.receivables.schemas import AllocationWrite, ReceiptCreate

    scope = story.scope(paper.owner)
    at = increasing(story, [paper.approved, local(story, received, 15)])[-1]  # type: ignore[list-item]
    story.clock.at(at)
    data = ReceiptCreate(
        contract_id=paper.id,
        received_on=received,
        amount=amount,
        method="acceptance_bill" if story.rng.random() < 0.15 else "bank_transfer",
        payer=paper.customer.row["name"],
        remark=f"第 {plan.number} 期{'部分' if amount < plan.amount else ''}回款",
        allocations=[AllocationWrite(plan_id=plan.id, amount=amount)],
    )
    receipt = receivable_service.create(story.s, scope, data)
    receivable_service.submit(story.s, scope, receipt.id)
    if approve:
        decide(story, "receivable", receipt.id, at)
    return receipt


def void(story: Story, paper: Paper) -> None:
    from loam.contracts import lifecycle

    assert paper.approved is not None
    story.clock.at(story.later(paper.approved, 21 * 24))
    lifecycle.void(story.s, story.scope("director"), paper.id, od.VOID_REASON)


def tax_number(story: Story) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91450" + "".join(story.rng.choice(alphabet) for _ in range(13))


def invoices(story: Story, receipts: list[tuple[Paper, Any, date]]) -> None:
    """Invoices: issued before each approved receipt of a dozen contracts; three requested, not issued yet."""
    from loam.receivables import invoices as invoice_service
    from loam.receivables.schemas import InvoiceCreate, InvoiceIssue

    papers = sorted({p.id: p for p, _r, _d in receipts}.values(), key=lambda p: p.drafted)
    invoiced = {p.id for p in papers[-12:]}
    numbers = {p.id: tax_number(story) for p in papers}
    made = 0
    for paper, receipt, received in receipts:
        if paper.id not in invoiced or receipt.status != "approved":
            continue
        assert paper.signed_on is not None and paper.approved is not None
        issued_on = max(received - timedelta(days=story.rng.randint(3, 15)), paper.signed_on)
        scope = story.scope(paper.owner)
        story.clock.at(increasing(story, [paper.approved, local(story, issued_on, 11)])[-1])
        data = InvoiceCreate(
            contract_id=paper.id,
            kind="vat_special",
            title=paper.customer.row["name"],
            tax_number=numbers[paper.id],
            amount=receipt.amount,
            remark=receipt.remark,
        )
        invoice = invoice_service.create(story.s, scope, data)
        issue = InvoiceIssue(
            version=invoice.version, issued_on=issued_on, invoice_number=f"{story.rng.randrange(10**7, 10**8)}"
        )
        invoice_service.issue(story.s, scope, invoice.id, issue)
        made += 1
    for paper in papers[:3]:
        story.clock.at(story.moment(story.rng.uniform(1, 5)))
        data = InvoiceCreate(
            contract_id=paper.id,
            kind="vat_ordinary",
            title=paper.customer.row["name"],
            amount=(paper.amount / 10).quantize(CENT),
            remark="尾款发票，客户要求提前开具",
        )
        invoice_service.create(story.s, story.scope(paper.owner), data)
        made += 1
    story.counts["invoices"] = made
