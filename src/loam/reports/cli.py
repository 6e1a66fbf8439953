"""`loam reports ...`: print a report (or save it as xlsx) in a user's data scope (thin)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from loam import db
from loam.authz import service as authz_service
from loam.errors import LoamError
from loam.reports import service
from loam.reports.schemas import ReportFilters, ReportOut

NAME = "reports"
app = typer.Typer(
    help="Reports: funnel, ageing, targets vs actual, any report as a table, JSON or xlsx", no_args_is_help=True
)
AS_HELP = "Run as this user (their permissions and data scope); required unless there is exactly one administrator."


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _filters(values: dict[str, Any], pairs: list[str]) -> ReportFilters:
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--filter takes key=value, got {pair!r}")
        values[key.strip()] = value
    try:
        return ReportFilters.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise _fail(f"bad filter: {problems}") from None


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value:.2f}%"
    return str(value)


def _print(out: ReportOut, only: set[str] | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 240)  # piped: never cut numbers short
    console.print(f"[bold]{out.title}[/bold]  {out.start or ''} – {out.end or ''}  ({out.currency})")
    for t in out.tables:
        if only and t.key not in only:
            continue
        grid = Table(title=t.title, title_justify="left")
        for c in t.columns:
            grid.add_column(c.label, justify="left" if c.kind == "text" else "right")
        for r in t.rows:
            grid.add_row(*[_cell(r.get(c.key), c.kind) for c in t.columns])
        if t.total:
            grid.add_row(
                *[_cell(t.total.get(c.key), c.kind) if c.key in t.total else "" for c in t.columns], style="bold"
            )
        console.print(grid)


def _run(
    name: str,
    filters: ReportFilters,
    as_user: str | None,
    as_json: bool,
    xlsx: Path | None,
    only: set[str] | None = None,
) -> None:
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            if xlsx is not None:
                _filename, content = service.export(session, scope, name, filters)
                xlsx.write_bytes(content)
                typer.echo(f"{name} → {xlsx}")
                return
            out = ReportOut.model_validate(service.run(session, scope, name, filters))
    except LoamError as exc:
        raise _fail(exc.message) from None
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
    else:
        _print(out, only)


@app.command("funnel")
def funnel(
    pipeline: int | None = typer.Option(
        None, "--pipeline", help="Pipeline id (default: the company's default pipeline)"
    ),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON"),
    filters: list[str] = typer.Option([], "--filter", help="Any report filter as key=value, e.g. period=this_year"),
) -> None:
    """The sales funnel: open opportunities per stage, count, amount and weighted amount."""
    _run("funnel", _filters({"pipeline_id": pipeline}, filters), as_user, as_json, None)


@app.command("ageing")
def ageing(
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON"),
    filters: list[str] = typer.Option([], "--filter", help="department_id=..., user_id=..., currency=..."),
) -> None:
    """Overdue receivables today by ageing bucket (0–30, 31–60, 61–90, 90+ days) and the largest ones."""
    _run("receivables", _filters({}, filters), as_user, as_json, None, only={"ageing", "overdue"})


@app.command("targets")
def targets(
    year: int = typer.Option(..., "--year", help="The year of the targets"),
    metric: str = typer.Option("contract_amount", "--metric", help="contract_amount or receipts"),
    interval: str = typer.Option("month", "--interval", help="month, quarter or year"),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON"),
) -> None:
    """Targets vs actual for the year: target, actual and completion per target."""
    _run("attainment", _filters({"year": year, "metric": metric, "interval": interval}, []), as_user, as_json, None)


@app.command("show")
def show(
    name: str = typer.Argument(..., help=f"One of: {', '.join(service.DEFINITIONS)}"),
    filters: list[str] = typer.Option([], "--filter", help="A report filter as key=value (repeatable)"),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Save the report to this xlsx file instead of printing it"),
) -> None:
    """Any report, with its filters, as a table, JSON or an xlsx file."""
    _run(name, _filters({}, filters), as_user, as_json, xlsx)
