"""`loam demo [--reset] [--if-empty] [--scale N]`: load the demo company (thin: the work is in loam.demo.data)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer

from loam.config import settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SUMMARY = [
    ("departments", "部门"),
    ("users", "用户"),
    ("customers", "客户"),
    ("contacts", "联系人"),
    ("followups", "跟进记录"),
    ("leads", "线索"),
    ("pools", "公海"),
    ("record_members", "协作人"),
    ("custom_fields", "自定义字段"),
    ("products", "产品"),
    ("opportunities", "商机"),
    ("stage_moves", "阶段变更"),
    ("contracts", "合同"),
    ("approval_instances", "审批"),
    ("receivable_plans", "回款计划"),
    ("receivables", "回款记录"),
    ("invoices", "发票"),
    ("sales_targets", "业绩目标"),
    ("contact_profiles", "关系档案"),
    ("power_links", "权力地图关系"),
    ("org_marks", "组织关系项"),
    ("intel_items", "情报"),
    ("exec_pairings", "高层对口"),
    ("relationship_snapshots", "关系快照"),
    ("followup_scenarios", "场景记录"),
    ("notifications", "通知"),
    ("audit_log", "审计记录"),
]


def demo(
    reset: bool = typer.Option(False, "--reset", help="Delete ALL data first, then load the demo company."),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Load only when the database has no users; else do nothing."
    ),
    scale: int = typer.Option(
        0,
        "--scale",
        min=0,
        max=10_000_000,
        help="Also add N opportunities and N/2 contracts (with plans and receipts) in bulk, for benchmarks; "
        "on a database that already holds the demo company, only these are added.",
    ),
    relationships: int = typer.Option(
        0,
        "--relationships",
        min=0,
        max=100_000,
        help="Also add N customers with 50 contacts and 500 follow-ups each (relationship profiles, owners, links, "
        "checklist marks) in bulk — 10,000 gives the relationships benchmark's 500,000 contacts and 5,000,000 "
        "follow-ups; on a database that already holds the demo company, only these are added.",
    ),
) -> None:
    """Load the demo company (a Guangxi account team with ~230 customers and its deals) into the database."""
    from loam import db, migrate
    from loam.demo import data
    from loam.demo.org import DEMO_PASSWORD

    if not settings.demo:
        typer.echo("LOAM_DEMO is false: the demo company (with public logins) is not loaded.", err=True)
        raise typer.Exit(0 if if_empty else 1)
    started = time.perf_counter()
    migrate.upgrade()
    with db.session_scope() as session:
        users = _users(session)
        if users and if_empty:
            typer.echo(f"The database already has data ({users} users): demo not loaded.")
            return
        if users and not reset and not scale and not relationships:
            typer.echo(
                f"The database already has data ({users} users). Use `loam demo --reset` to delete "
                "everything and load the demo company.",
                err=True,
            )
            raise typer.Exit(1)
        if users and reset:
            data.wipe(session)
        counts = data.load(session) if reset or not users else {}
    loaded = time.perf_counter() - started
    if counts:
        typer.echo(f"Demo company loaded in {loaded:.1f} s:")
        _summary(counts)
        typer.echo(f"Logins (password {DEMO_PASSWORD}): {', '.join(data.DEMO_USERS)}")
    if scale:
        _scale(scale)
    if relationships:
        _scale_relationships(relationships)


def _users(session: Session) -> int:
    """How many users the database has (a clear message when it cannot be read)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from loam.demo import data

    try:
        return data.has_data(session)
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(f"Cannot read the database: {exc.orig}", err=True)
        raise typer.Exit(1) from None


def _summary(counts: dict[str, int]) -> None:
    for key, label in SUMMARY:
        if key in counts:
            typer.echo(f"  {key:<20}{counts[key]:>9,}  {label}")


def _scale(n: int) -> None:
    """Add the bulk opportunities and contracts in a transaction of their own (the demo company is committed)."""
    from loam import db
    from loam.demo import data

    started = time.perf_counter()
    with db.session_scope() as session:
        try:
            counts = data.scale(session, n)
        except data.NoDemo as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Added {n:,} opportunities and {n // 2:,} contracts in {time.perf_counter() - started:.1f} s:")
    _summary(counts)


def _scale_relationships(n: int) -> None:
    """Add the bulk relationship customers in a transaction of their own (loam.demo.rel_scale)."""
    from loam import db
    from loam.demo import rel_scale

    started = time.perf_counter()
    with db.session_scope() as session, typer.progressbar(length=n, label="customers") as bar:
        last = [0]

        def progress(done: int, _total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        counts = rel_scale.scale(session, n, 50 * n, 500 * n, progress=progress)
    typer.echo(f"Added {n:,} customers with their contacts and follow-ups in {time.perf_counter() - started:.1f} s:")
    for table, count in counts.items():
        typer.echo(f"  {table:<28}{count:>11,}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
