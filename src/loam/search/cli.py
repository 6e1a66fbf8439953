"""`loam search`: query the global search from the shell, repair the SQLite search index."""

from __future__ import annotations

import typer

from loam import db
from loam.authz.scope import Scope
from loam.search import service

NAME = "search"
app = typer.Typer(help="Global search (customers, contacts, leads)", no_args_is_help=True)


@app.command("query")
def query(q: str, limit: int = typer.Option(5, min=1, max=50)) -> None:
    """Search everything as the system (every record), print one line per hit."""
    with db.session_scope() as session:
        found = service.search(session, Scope.system(), q, limit)
    for group in found.groups:
        for hit in group.items:
            typer.echo(f"{hit.entity:9} {hit.id:>9} {hit.name}  [{hit.matched}] {hit.subtitle or ''}")


@app.command("reindex")
def reindex() -> None:
    """Rebuild the SQLite search index from the tables (PostgreSQL's indexes need nothing)."""
    with db.session_scope() as session:
        service.rebuild_index(session)
    typer.echo("search index rebuilt")
