"""`loam backup PATH` and `loam restore PATH [--yes]` (thin: the work is in loam.ops.backup)."""

from __future__ import annotations

import time

import typer

from loam.config import settings


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"


def backup(
    path: str = typer.Argument(..., help="Backup file to write, or an existing directory to write it into."),
) -> None:
    """Back up the database (safe while the server runs)."""
    from loam.ops import backup as ops

    started = time.perf_counter()
    try:
        result = ops.backup(settings.database_url, path)
    except ops.BackupError as exc:
        typer.echo(f"Backup failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Backed up {ops.describe(settings.database_url)} to {result.path} "
        f"({_size(result.size)}, {time.perf_counter() - started:.1f} s)."
    )


def restore(
    path: str = typer.Argument(..., help="A file written by `loam backup`."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Replace the whole database with a backup (asks first unless --yes)."""
    from loam.ops import backup as ops

    target = ops.describe(settings.database_url)
    if not yes:
        typer.confirm(f"Replace ALL data in {target} with {path}?", abort=True)
    try:
        result = ops.restore(settings.database_url, path)
    except ops.BackupError as exc:
        typer.echo(f"Restore failed: {exc}", err=True)
        raise typer.Exit(1) from None
    if result.safety_copy:
        typer.echo(f"The replaced database was kept as {result.safety_copy}.")
    revision = f" (schema revision {result.revision})" if result.revision else ""
    typer.echo(f"Restored {target} from {path}{revision}. Run `loam db upgrade` if this backup is older than Loam.")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
