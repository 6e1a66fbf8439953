"""`loam relationships snapshot [--month YYYY-MM]`: take the monthly relationship snapshot now; `loam relationships
settings [--version N | --history]`: print the method's settings (thin)."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from loam import db
from loam.authz.scope import Scope
from loam.relationships import health, snapshots
from loam.relationships import settings as method_settings
from loam.relationships.cli import app


def _month(value: str | None) -> date:
    if not value:
        return health.month_start(health.today())
    try:
        year, month = (int(x) for x in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise typer.BadParameter(f"not a month: {value!r} (use YYYY-MM)") from None


@app.command("snapshot")
def snapshot(
    month: str | None = typer.Option(None, "--month", help="The month to snapshot, YYYY-MM (default: this month)."),
    batch: int = typer.Option(snapshots.BATCH, "--batch", min=1, max=10_000, help="Customers scored per batch."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Snapshot every live customer's relationship scores as of the 1st of the month (what the monthly job does).
    Customers that already have a snapshot of that month keep it."""
    first = _month(month)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, disable=quiet or as_json, transient=False) as bar:
        task = bar.add_task(f"snapshot {first:%Y-%m}", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        with db.session_scope() as session:
            run = snapshots.take(session, first, batch, progress)
    result = {"month": run.month.isoformat(), "taken": run.taken, "skipped": run.skipped}
    if as_json:
        typer.echo(json.dumps(result | {"settings_version": run.settings_version}))
    else:
        typer.echo(
            f"{run.month:%Y-%m}: {run.taken} snapshots taken, {run.skipped} already there "
            f"(settings version {run.settings_version})"
        )


@app.command("settings")
def show_settings(
    version: int | None = typer.Option(None, "--version", min=1, help="A past version (default: the one in force)."),
    history: bool = typer.Option(False, "--history", help="List the versions: number, when, by whom, note."),
) -> None:
    """Print the method's settings in force (or a past version) as JSON, or the version history."""
    with db.session_scope() as session:
        if history:
            rows = [
                {
                    "version": r.version,
                    "created_at": r.created_at.isoformat(),
                    "created_by": r.created_by,
                    "note": r.note,
                }
                for r in method_settings.history(session, Scope.system())
            ]
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        row = method_settings.current_row(session)
        data = method_settings.version(session, version) if version else row.data
    if data is None:
        typer.echo(f"there is no settings version {version}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps({"version": version or row.version, "data": data}, ensure_ascii=False, indent=1))
