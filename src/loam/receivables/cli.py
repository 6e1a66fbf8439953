"""`loam receivables ...`: overdue plan periods, the ageing report, and the overdue reminders (thin)."""

from __future__ import annotations

import json
from datetime import date

import typer

from loam import db
from loam.authz import service as authz_service
from loam.errors import LoamError
from loam.receivables import ageing, common
from loam.receivables.schemas import AgeingFilters

NAME = "receivables"
app = typer.Typer(help="Receivables (回款): overdue periods and ageing", no_args_is_help=True)

AS_USER = typer.Option(
    None, "--as", help="Run as this user (their data scope). Required unless exactly one active administrator exists."
)
AS_OF = typer.Option(None, "--as-of", help="The day to evaluate, YYYY-MM-DD (default: today in company time)")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise typer.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def _fail(exc: LoamError) -> typer.Exit:
    typer.echo(exc.message, err=True)
    return typer.Exit(1)


@app.command("overdue")
def overdue(
    as_json: bool = typer.Option(False, "--json", help="Print the periods as JSON."),
    as_user: str | None = AS_USER,
    as_of: str | None = AS_OF,
    limit: int = typer.Option(50, min=1, max=10_000, help="At most this many, largest outstanding first."),
) -> None:
    """The overdue plan periods the user sees, largest outstanding first."""
    day = _day(as_of)
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            rows = [
                {
                    "plan_id": p.id,
                    "contract": p.contract_number,
                    "period": p.number,
                    "due_on": p.due_on.isoformat(),
                    "amount": str(p.amount),
                    "received": str(p.received),
                    "outstanding": str(p.outstanding),
                    "currency": p.currency,
                    "owner_id": p.owner_id,
                }
                for p in ageing.overdue(session, scope, day, limit)
            ]
    except LoamError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(
            f"{r['contract']}  #{r['period']}  due {r['due_on']}  outstanding {r['outstanding']} {r['currency']}"
        )
    if not rows:
        typer.echo("nothing overdue")


@app.command("ageing")
def ageing_report(
    as_json: bool = typer.Option(False, "--json", help="Print the buckets as JSON."),
    as_user: str | None = AS_USER,
    as_of: str | None = AS_OF,
    currency: str = typer.Option("CNY", help="The currency of the amounts"),
) -> None:
    """Overdue amounts and counts in buckets of days overdue: 0–30, 31–60, 61–90, 90+."""
    day = _day(as_of)
    try:
        filters = AgeingFilters(currency=currency.upper())
    except ValueError:
        raise typer.BadParameter(f"not a currency code: {currency!r}") from None
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            report = ageing.ageing(session, scope, day, filters)
    except LoamError as exc:
        raise _fail(exc) from None
    buckets = [{"bucket": b.key, "count": b.count, "amount": str(b.amount)} for b in report.buckets]
    if as_json:
        summary = {"as_of": report.as_of.isoformat(), "currency": report.currency, "buckets": buckets}
        typer.echo(json.dumps(summary | {"count": report.count, "amount": str(report.amount)}))
        return
    typer.echo(f"ageing on {report.as_of.isoformat()} ({report.currency})")
    for b in report.buckets:
        typer.echo(f"{b.key:>6} days  {b.count:>6}  {common.money(b.amount)}")
    typer.echo(f"{'total':>11}  {report.count:>6}  {common.money(report.amount)}")


@app.command("notify-overdue")
def notify_overdue(
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    as_user: str | None = AS_USER,
    as_of: str | None = AS_OF,
) -> None:
    """Send the overdue reminders now (what the daily job does; each period once per due date)."""
    day = _day(as_of)
    try:
        with db.session_scope() as session:
            run = ageing.detect_overdue_now(session, authz_service.cli_scope(session, as_user), day)
    except LoamError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps({"checked": run.checked, "notified": run.notified}))
    else:
        typer.echo(f"checked: {run.checked}  notified: {run.notified}")
