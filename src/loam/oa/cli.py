"""`loam oa`: list the OA request types and their fields."""

from __future__ import annotations

import typer

NAME = "oa"
app = typer.Typer(help="OA approvals (办公审批)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """OA approvals (办公审批)."""


@app.command("types")
def list_types(as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: the admin)")) -> None:
    """Every OA request type in order: code, names, active, fields (key:kind, * = required)."""
    from loam.authz import service as authz_service
    from loam.db import session_scope
    from loam.errors import LoamError
    from loam.oa import types_service

    try:
        with session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            for t in types_service.list_types(session, scope):
                state = "active" if t.active else "inactive"
                fields = ", ".join(f"{f['key']}:{f['kind']}{'*' if f.get('required') else ''}" for f in t.fields or [])
                typer.echo(f"{t.id}\t{t.code}\t{t.name_zh}\t{t.name_en}\t{state}\t{fields or '-'}")
    except LoamError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
