"""`loam demo [--reset] [--if-empty]`: load the demo company (thin: the work is in loam.demo.data)."""

from __future__ import annotations

import time

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from loam.config import settings

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
    ("notifications", "通知"),
    ("audit_log", "审计记录"),
]


def demo(
    reset: bool = typer.Option(False, "--reset", help="Delete ALL data first, then load the demo company."),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Load only when the database has no users; else do nothing."
    ),
) -> None:
    """Load the demo company (a Guangxi account team with ~230 customers) into the database."""
    from loam import db, migrate
    from loam.demo import data
    from loam.demo.org import DEMO_PASSWORD

    if not settings.demo:
        typer.echo("LOAM_DEMO is false: the demo company (with public logins) is not loaded.", err=True)
        raise typer.Exit(0 if if_empty else 1)
    started = time.perf_counter()
    migrate.upgrade()
    with db.session_scope() as session:
        try:
            users = data.has_data(session)
        except (OperationalError, ProgrammingError) as exc:
            typer.echo(f"Cannot read the database: {exc.orig}", err=True)
            raise typer.Exit(1) from None
        if users and if_empty:
            typer.echo(f"The database already has data ({users} users): demo not loaded.")
            return
        if users and not reset:
            typer.echo(
                f"The database already has data ({users} users). Use `loam demo --reset` to delete "
                "everything and load the demo company.",
                err=True,
            )
            raise typer.Exit(1)
        if users:
            data.wipe(session)
        counts = data.load(session)
    elapsed = time.perf_counter() - started
    typer.echo(f"Demo company loaded in {elapsed:.1f} s:")
    for key, label in SUMMARY:
        typer.echo(f"  {key:<16}{counts.get(key, 0):>6}  {label}")
    typer.echo(f"Logins (password {DEMO_PASSWORD}): {', '.join(data.DEMO_USERS)}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
