"""`loam search`: query the global search from the shell, repair the SQLite search index."""

from __future__ import annotations

import typer

from loam import db
from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.search import service

NAME = "search"
app = typer.Typer(help="Global search (customers, contacts, leads, opportunities, contracts)", no_args_is_help=True)


@app.command("query")
def query(
    q: str,
    limit: int = typer.Option(5, min=1, max=50),
    as_user: str | None = typer.Option(None, "--as", help="Search as this user (their data scope); default: all"),
) -> None:
    """Search customers, contacts, leads, opportunities and contracts; print one line per hit."""
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user) if as_user else Scope.system()
            found = service.search(session, scope, q, limit)
    except LoamError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    for group in found.groups:
        for hit in group.items:
            typer.echo(f"{hit.entity:11} {hit.id:>9} {hit.name}  [{hit.matched}] {hit.subtitle or ''}")


@app.command("reindex")
def reindex() -> None:
    """Rebuild the SQLite search index from the tables (PostgreSQL's indexes need nothing)."""
    with db.session_scope() as session:
        service.rebuild_index(session)
    typer.echo("search index rebuilt")
