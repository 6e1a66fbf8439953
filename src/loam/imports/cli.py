"""`loam import ENTITY FILE`: import in-process with a progress bar (thin); `--resume JOB` after a crash."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from loam import db
from loam.authz import service as authz_service
from loam.errors import LoamError
from loam.imports import service
from loam.imports.schemas import ImportOptions

ENTITIES = ", ".join(service.ENTITIES)
EXIT_ROWS_FAILED = 3


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _mapping(text: str | None) -> dict[str, str] | None:
    if text is None:
        return None
    raw = Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(f"--mapping is not JSON: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail('--mapping takes a JSON object {"header": "field"}, e.g. {"公司": "name", "手机": "phone"}')
    return {str(k): v for k, v in value.items()}


def import_(
    entity: str = typer.Argument(..., help=f"One of: {ENTITIES}"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help=".xlsx, .xls, .ods or .csv"),
    mapping: str | None = typer.Option(
        None, "--mapping", help='JSON {"header": "field"} (or @file.json); other columns are matched by name'
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and report the counts; keep nothing."),
    on_duplicate: str = typer.Option("skip", "--on-duplicate", help="skip | update | error"),
    sheet: str | None = typer.Option(None, "--sheet", help="Sheet name (default: the first)"),
    as_user: str | None = typer.Option(
        None,
        "--as",
        help="Import as this user (their permissions and data scope); "
        "required unless exactly one active administrator exists.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary (counts, seconds) at the end."),
) -> None:
    """Import customers, leads, contacts or follow-ups from a spreadsheet. Exit codes: 0 done, 1 refused or
    failed, 3 done but some rows failed (their error file is named in the summary)."""
    try:
        with db.session_scope() as session, file.open("rb") as stream:
            scope = authz_service.cli_scope(session, as_user)
            job = service.upload(session, scope, entity, file.name, stream)
            options = ImportOptions(sheet=sheet, mapping=_mapping(mapping), on_duplicate=on_duplicate)  # type: ignore[arg-type]
            service.configure(session, scope, job.id, options)
            job_id = service.start(session, scope, job.id, dry_run=dry_run).id
    except LoamError as exc:
        raise _fail(exc.message) from None
    except ValueError as exc:
        raise _fail(str(exc).splitlines()[0]) from None
    _run_and_report(job_id, as_json)


def resume(
    job_id: int = typer.Argument(..., help="The id of an import whose process was killed"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Continue an import from its last checkpoint (the worker also does this by itself within a minute)."""
    _run_and_report(job_id, as_json)


def _run_and_report(job_id: int, as_json: bool) -> None:
    with Progress(
        TextColumn("[bold]import"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=as_json,
        transient=False,
    ) as bar:
        task = bar.add_task("import", total=None, rate="-")

        def progress(done: int) -> None:
            with db.session_scope() as session:
                job = service.job_service.load(session, job_id)
                total = job.total if job is not None else None
                rate, _eta = service.job_service.rate_and_eta(job) if job is not None else (None, None)
            bar.update(task, completed=done, total=total, rate=f"{rate:,.0f}" if rate else "-")

        service.run_job(job_id, on_progress=progress)
    with db.session_scope() as session:
        job = service.job_service.load(session, job_id)
        if job is None:
            raise _fail(f"no import {job_id}")
        summary = {
            "job_id": job.id,
            "status": job.status if not job.result.get("dry_run") else "dry_run",
            "counts": job.result.get("counts", {}),
            "elapsed_seconds": job.result.get("elapsed"),
            "error": job.error,
            "error_file": str(service.job_service.file_path(job.output_file)) if job.output_file else None,
            "first_errors": job.result.get("first_errors", [])[:5],
        }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        c = summary["counts"]
        typer.echo(
            f"{summary['status']}: read {c.get('read', 0):,} · new {c.get('new', 0):,}"
            f" · updated {c.get('updated', 0):,} · skipped {c.get('skipped', 0):,}"
            f" · failed {c.get('failed', 0):,} in {summary['elapsed_seconds']} s"
        )
        for line, message in summary["first_errors"]:
            typer.echo(f"  row {line}: {message}")
        if summary["error_file"]:
            typer.echo(f"  failed rows: {summary['error_file']}")
    if job.status == "failed":
        raise _fail(job.error or "the import failed")
    if summary["counts"].get("failed"):
        raise typer.Exit(EXIT_ROWS_FAILED)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("import-resume")(resume)
