"""`loam export ENTITY FILE`: export a list in-process with a progress bar (thin)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from loam import db
from loam.authz import service as authz_service
from loam.errors import LoamError
from loam.exports import service
from loam.exports.schemas import ENTITIES


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _filters(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    custom: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--filter takes key=value, got {pair!r}")
        if key.startswith("cf_"):
            custom[key[3:]] = value
        else:
            out[key.strip()] = value
    if custom:
        out["custom"] = custom
    return out


def export(
    entity: str = typer.Argument(..., help=f"One of: {', '.join(ENTITIES)}"),
    file: Path = typer.Argument(..., help="Output file; .xlsx or .csv (the suffix picks the format)"),
    as_user: str | None = typer.Option(
        None,
        "--as",
        help="Export as this user (their permissions and data scope). Required unless exactly one "
        "active administrator exists, who is then used.",
    ),
    filters: list[str] = typer.Option(
        [],
        "--filter",
        help="A list filter as key=value (repeatable); cf_KEY=... for "
        "custom fields, e.g. --filter level=key --filter cf_region=华南",
    ),
    sort: str | None = typer.Option(None, "--sort", help="Sort key as on the list page, e.g. name or -updated_at"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary (rows, seconds) at the end."),
) -> None:
    """Export a list (customers, leads, contacts, follow-ups, opportunities, contracts, receivable plans, receipts,
    invoices) to xlsx or csv, with the list's filters and sort, in the user's data scope. Runs here with a
    progress bar; the job also shows on the user's exports page."""
    file_format = file.suffix.lower().lstrip(".")
    if file_format not in ("xlsx", "csv"):
        raise _fail("the file name must end in .xlsx or .csv")
    started = time.monotonic()
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            job_id = service.start_export(session, scope, entity, file_format, _filters(filters), sort, scope.locale).id
    except LoamError as exc:
        raise _fail(exc.message) from None
    _run(job_id, quiet=as_json)
    with db.session_scope() as session:
        job, path = service.finished(session, scope, job_id)
        if path is None:
            raise _fail(job.error or job.status)
        rows = job.result.get("rows")
    shutil.copyfile(path, file)
    summary = {
        "entity": entity,
        "format": file_format,
        "file": str(file),
        "rows": rows,
        "job_id": job_id,
        "seconds": round(time.monotonic() - started, 2),
    }
    typer.echo(json.dumps(summary, ensure_ascii=False) if as_json else f"{rows} rows → {file} ({summary['seconds']} s)")


def _run(job_id: int, quiet: bool) -> str:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, disable=quiet, transient=False) as bar:
        task = bar.add_task("export", total=None, rate="-")
        started = time.monotonic()

        def show(done: int, total: int | None) -> None:
            rate = done / max(time.monotonic() - started, 0.001)
            bar.update(task, completed=done, total=total, rate=f"{rate:,.0f}")

        return service.run_job(job_id, on_progress=show)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
