"""`loam demo --scale N`: N more opportunities and N/2 more contracts on top of the demo company, in bulk.

For benchmarks and for trying the reports at size. Rows go through the driver (:mod:`loam.kit.bulk`: sqlite3
``executemany`` / PostgreSQL ``COPY``) the way imports write them, not through the per-row services, with every
server-owned field set as the services would set it:

- opportunities on the demo customers, owned by each customer's owner (department = the owner's, so data scopes
  hold), in the default pipeline: open in every stage, won, lost (with a reason) or invalid, created over the past
  two years, each with one product line (amount = its subtotal, below the pipeline's gate amount, so no project
  approval is owed) and its stage moves (entry, every stage passed, the close) with the seconds between them;
- contracts numbered ``HT-{yyyy}{mm}-{seq:05}`` by the month they were drafted, continuing the number counters
  (which are moved on): one per won opportunity (approved when it was won, same customer, owner, amount and
  product line), the rest blank — approved, draft or void;
- three plan periods per approved or void contract (30 % / 50 % / 20 %, summing to the contract amount), approved
  receipts allocated to most periods already due (some half paid, some not at all: overdue); every plan's stored
  ``received`` recomputed at the end in one UPDATE;
- one audit row ("create") per opportunity, contract, plan period and receipt.

Approved documents carry their approval time but no approval history (as imported records would). Deterministic
for a seed and N; dates relative to today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from loam.config import settings
from loam.demo import o2c_data as od
from loam.kit import bulk

CENT = Decimal("0.01")
SHARES = (("prepayment", Decimal("0.30"), 30), ("arrival", Decimal("0.50"), 120), ("final", None, 365))
OPEN_WEIGHTS = (30, 27, 23, 20)  # share of the open opportunities per open stage
LOST_REASONS = {"价格": 4, "技术方案": 2, "关系": 2, "竞争对手": 2, "预算取消": 1, "需求变化": 1}
INVALID_REASONS = {"重复商机": 2, "需求不真实": 1, "客户无预算": 1}


@dataclass
class Ctx:
    """What the generated rows refer to, read from the database once."""

    s: Session
    rng: random.Random
    now: datetime
    tz: ZoneInfo
    today: date
    customers: list[tuple[int, str, int, int]] = field(default_factory=list)  # id, short name, owner, department
    pipeline_id: int = 0
    gate_amount: Decimal = Decimal("5000000.00")
    stages: list[Any] = field(default_factory=list)  # open stages in order
    closing: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # kind → [(id, weight)]
    products: list[Any] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    director: int = 0
    audit: list[tuple[Any, ...]] = field(default_factory=list)  # (entity, id, user, at, changes)
    counts: dict[str, int] = field(default_factory=dict)


def scale(session: Session, n: int, seed: int) -> dict[str, int]:
    """Add ``n`` opportunities and ``n // 2`` contracts with their plans, receipts, lines, moves and audit rows."""
    ctx = context(session, n, seed)
    from loam.demo import o2c_scale_rows as rows

    suspended = suspend(session, n)
    bulk.bigger_cache(session)
    won = rows.opportunities(ctx, n)
    papers = rows.contracts(ctx, won, n // 2)
    rows.receivables(ctx, papers)
    rows.audit(ctx)
    save_counters(ctx)
    for ddl in suspended.values():
        bulk.restore_indexes(session, ddl)
    for table in tables():
        bulk.analyze(session, table)
    received(session)
    return ctx.counts


def received(session: Session) -> None:
    """Every plan's stored ``received`` from its approved allocations: one set-based UPDATE (the receivables
    domain's own helper), once the indexes are back and analysed — without statistics PostgreSQL runs its
    correlated sub-select as a scan of all allocations per plan (minutes instead of about a second)."""
    from loam.receivables import service as receivable_service
    from loam.receivables.models import ReceivablePlan

    receivable_service.recompute_received(session)
    bulk.analyze(session, ReceivablePlan.__table__)  # the planner's view of the new values


def tables() -> list[Any]:
    from loam.contracts.models import Contract
    from loam.kit.models import AuditLog
    from loam.opportunities.models import Opportunity, StageMove
    from loam.products.models import ProductLine
    from loam.receivables.models import Receivable, ReceivableAllocation, ReceivablePlan

    models = (Opportunity, StageMove, ProductLine, Contract, ReceivablePlan, Receivable, ReceivableAllocation, AuditLog)
    return [m.__table__ for m in models]


def suspend(session: Session, n: int) -> dict[str, list[str]]:
    """Drop the secondary indexes of the tables this load outgrows (rebuilt once at the end: cheaper)."""
    from sqlalchemy import func

    out = {}
    for table in tables():
        existing = session.scalar(select(func.count()).select_from(table)) or 0
        if n > existing:
            out[table.name] = bulk.suspend_indexes(session, table)
    return out


def context(session: Session, n: int, seed: int) -> Ctx:
    """The demo company this load builds on: owned customers, the default pipeline, reasons, products, counters."""
    from loam.contracts.models import ContractCounter
    from loam.customers.models import Customer
    from loam.opportunities import pipelines
    from loam.org.models import User
    from loam.products.models import Product

    tz = ZoneInfo(settings.timezone)
    now = datetime.now(UTC).replace(microsecond=0)
    ctx = Ctx(session, random.Random(seed * 1_000_003 + n), now, tz, now.astimezone(tz).date())
    departments = dict(session.execute(select(User.id, User.department_id)).all())
    owned = session.execute(
        select(Customer.id, Customer.name, Customer.owner_id)
        .where(Customer.owner_id.is_not(None), Customer.deleted_at.is_(None))
        .order_by(Customer.id)
    ).all()
    if not owned:
        raise RuntimeError("The demo company is not loaded: run `loam demo` first.")
    ctx.customers = [(cid, short(name), owner, departments[owner]) for cid, name, owner in owned]
    default = next(p for p in pipelines.list_pipelines(session) if p.is_default)
    ctx.pipeline_id, ctx.gate_amount = default.id, getattr(default, "gate_amount", None) or Decimal("5000000.00")
    stages = pipelines.stages_of(session, default.id, include_retired=False)
    ctx.stages = sorted((st for st in stages if st.kind == "open"), key=lambda st: st.position)
    ctx.closing = {st.kind: st for st in stages if st.kind != "open"}
    for reason in pipelines.reasons(session, active_only=True):
        weight = {**LOST_REASONS, **INVALID_REASONS}.get(reason.name_zh, 1)
        ctx.reasons.setdefault(reason.kind, []).append((reason.id, weight))
    ctx.products = list(
        session.scalars(select(Product).where(Product.status == "active", Product.deleted_at.is_(None)))
    )
    ctx.counters = dict(session.execute(select(ContractCounter.prefix, ContractCounter.value)).all())
    ctx.director = session.scalar(select(User.id).where(User.username == "director")) or ctx.customers[0][2]
    return ctx


def short(name: str) -> str:
    """A customer's name without its legal suffixes, to name deals after it."""
    for word in ("股份有限公司", "有限责任公司", "有限公司", "中国"):
        name = name.replace(word, "")
    return name[:40]


def deal_names() -> list[str]:
    return [d.name.replace("{short}", "") for d in od.DEALS]


def local(ctx: Ctx, day: date, hour: int) -> datetime:
    """A moment of ``day`` in company time, in UTC, never in the future."""
    moment = datetime.combine(day, time(hour, ctx.rng.randrange(60)), tzinfo=ctx.tz).astimezone(UTC)
    return min(moment, ctx.now - timedelta(minutes=1))


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def put(ctx: Ctx, model: Any, names: list[str], rows: list[tuple[Any, ...]], **constants: Any) -> list[int]:
    """Insert tuples (in the order of ``names``) through the driver; the columns not named take their defaults
    (or ``constants``). Returns the new ids in order."""
    table = model.__table__
    fixed = {k: v for k, v in bulk.column_defaults(table).items() if k != "id" and k not in names} | constants
    inserter = bulk.Inserter(ctx.s, table, ["id", *names], fixed)
    ids = inserter.allocate_ids(len(rows))
    for start in range(0, len(rows), 50_000):
        chunk = rows[start : start + 50_000]
        inserter.insert([(i, *row) for i, row in zip(ids[start : start + 50_000], chunk, strict=True)])
    ctx.counts[table.name] = ctx.counts.get(table.name, 0) + len(rows)
    return ids


def number(ctx: Ctx, day: date) -> str:
    """The next contract number of the month (the contracts' default pattern), continuing its counter."""
    prefix = f"HT-{day.year:04d}{day.month:02d}-"
    ctx.counters[prefix] = ctx.counters.get(prefix, 0) + 1
    return f"{prefix}{ctx.counters[prefix]:05d}"


def save_counters(ctx: Ctx) -> None:
    from loam.contracts.models import ContractCounter

    ctx.s.execute(delete(ContractCounter))
    rows = [{"prefix": p, "value": v} for p, v in sorted(ctx.counters.items())]
    if rows:
        ctx.s.execute(ContractCounter.__table__.insert(), rows)
