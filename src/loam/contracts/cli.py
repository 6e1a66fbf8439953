"""`loam contracts ...`: list contracts, show the ones ending soon, send the expiry reminders now (thin)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import typer

from loam import db
from loam.authz import service as authz_service
from loam.contracts import lifecycle, service
from loam.contracts.models import Contract
from loam.contracts.schemas import ContractFilters
from loam.errors import LoamError

NAME = "contracts"
app = typer.Typer(help="Contracts (合同): list, expiring, reminders", no_args_is_help=True)


def _row(c: Contract) -> dict[str, Any]:
    return {
        "id": c.id,
        "number": c.number,
        "name": c.name,
        "status": c.status,
        "customer_id": c.customer_id,
        "amount": str(c.amount),
        "currency": c.currency,
        "signed_on": c.signed_on.isoformat() if c.signed_on else None,
        "end_on": c.end_on.isoformat() if c.end_on else None,
        "owner_id": c.owner_id,
    }


def _print(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>6}  {r['number']:<20} {r['status']:<12} {r['amount']:>16} {r['currency']}  "
            f"end {r['end_on'] or '-':<10}  {r['name']}"
        )
    if not rows:
        typer.echo("no contracts")


@app.command("list")
def list_contracts(
    as_json: bool = typer.Option(False, "--json", help="Print the contracts as JSON."),
    as_user: str | None = typer.Option(None, "--as", help="Run as this user (their data scope applies)."),
    status: str | None = typer.Option(None, "--status", help="draft, in_approval, approved, rejected or void."),
    limit: int = typer.Option(100, "--limit", min=1, max=10000),
) -> None:
    """The contracts the user can see, newest first."""
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            filters = ContractFilters.model_validate({"status": status})
            items, _total = service.list_page(session, scope, filters, 1, limit, "-id")
            rows = [_row(c) for c in items]
    except (LoamError, ValueError) as exc:
        typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        raise typer.Exit(2) from None
    _print(rows, as_json)


@app.command("expiring")
def expiring(
    days: int | None = typer.Option(None, "--days", min=0, max=3650, help="Window in days (default: the setting)."),
    as_json: bool = typer.Option(False, "--json", help="Print the contracts as JSON."),
    as_user: str | None = typer.Option(None, "--as", help="Run as this user (their data scope applies)."),
) -> None:
    """Approved contracts ending within the window, soonest first."""
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            rows = [_row(c) for c in lifecycle.expiring(session, scope, days, limit=10000)]
    except LoamError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    _print(rows, as_json)


@app.command("remind")
def remind(as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON.")) -> None:
    """Send the expiry reminders now (what the daily job does)."""
    with db.session_scope() as session:
        result = lifecycle.remind_expiring(session)
    typer.echo(json.dumps(asdict(result)) if as_json else f"checked: {result.checked}  notified: {result.notified}")
