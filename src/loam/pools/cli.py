"""`loam pools ...`: run the return rules now, list the pools (thin)."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer

from loam import db
from loam.authz.scope import Scope
from loam.pools import service

NAME = "pools"
app = typer.Typer(help="Public pools (公海): rules and listing", no_args_is_help=True)


@app.command("run-rules")
def run_rules(as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON.")) -> None:
    """Return due customers to their pools and warn owners now (what the nightly job does)."""
    with db.session_scope() as session:
        result = service.run_rules(session)
    if as_json:
        typer.echo(json.dumps(asdict(result)))
    else:
        typer.echo(f"returned: {result.returned}  warned: {result.warned}  checked: {result.checked}")


@app.command("list")
def list_pools(as_json: bool = typer.Option(False, "--json", help="Print the pools as JSON.")) -> None:
    """Every pool with its rules, member count and the customers waiting in it."""
    with db.session_scope() as session:
        pools = service.list_pools(session, Scope.system(), include_inactive=True)
        ids = [p.id for p in pools]
        members, counts = service.members(session, ids), service.customer_counts(session, ids)
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "active": p.active,
                "no_followup_days": p.no_followup_days,
                "no_deal_days": p.no_deal_days,
                "warn_days": p.warn_days,
                "members": len(members[p.id]),
                "customers": counts.get(p.id, 0),
            }
            for p in pools
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "active" if r["active"] else "inactive"
        typer.echo(
            f"{r['id']:>4}  {r['name']}  [{state}]  follow-up {r['no_followup_days'] or '-'}d  "
            f"deal {r['no_deal_days'] or '-'}d  members {r['members']}  customers {r['customers']}"
        )
    if not rows:
        typer.echo("no pools")
