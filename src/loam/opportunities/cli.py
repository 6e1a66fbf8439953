"""`loam opportunities ...`: list opportunities and move one to a stage, as a user (thin)."""

from __future__ import annotations

import json

import typer

from loam import db
from loam.authz import service as authz_service
from loam.errors import LoamError
from loam.kit.i18n import pick
from loam.opportunities import pipelines, scoring, service
from loam.opportunities.schemas import OpportunityFilters

NAME = "opportunities"
app = typer.Typer(help="Opportunities (商机): list, move to a stage, compute win probabilities", no_args_is_help=True)

AS_HELP = "Act as this user (their permissions and data scope); required unless there is exactly one administrator."


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@app.command("list")
def list_opportunities(
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    status: str | None = typer.Option(None, "--status", help="open, won, lost or invalid"),
    pipeline_id: int | None = typer.Option(None, "--pipeline", help="Only this pipeline (id)"),
    q: str | None = typer.Option(None, "--q", help="Part of the name"),
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The opportunities the user can see, most recently changed first."""
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            filters = OpportunityFilters.model_validate({"status": status, "pipeline_id": pipeline_id, "q": q})
            items, total = service.list_page(session, scope, filters, 1, limit)
            stages = pipelines.all_stages(session)
            rows = [
                {"id": o.id, "name": o.name, "customer_id": o.customer_id, "stage_id": o.stage_id,
                 "stage": pick(stages[o.stage_id].name_zh, stages[o.stage_id].name_en), "status": o.status,
                 "amount": str(o.amount), "currency": o.currency, "probability": o.probability,
                 "expected_close": o.expected_close.isoformat() if o.expected_close else None, "owner_id": o.owner_id}
                for o in items
            ]  # fmt: skip
    except LoamError as exc:
        raise _fail(exc.message) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps({"items": rows, "total": int(total)}, ensure_ascii=False))
        return
    for r in rows:
        money = f"{r['amount']} {r['currency']}"
        typer.echo(f"{r['id']:>6}  {r['name']}  [{r['stage']}/{r['status']}]  {money}  {r['probability']}%")
    typer.echo(f"{len(rows)} of {int(total)}")


@app.command("move")
def move(
    opportunity_id: int = typer.Argument(..., help="Opportunity id"),
    stage: str = typer.Argument(..., help="Target stage: its id, or its Chinese or English name"),
    reason: str | None = typer.Option(None, "--reason", help="Lost/invalid: reason id or name; won: the note"),
    note: str | None = typer.Option(None, "--note", help="A note for the move"),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Move an opportunity to a stage with the same rules as the kanban and the form."""
    try:
        with db.session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            opportunity = service.get(session, scope, opportunity_id)
            target = _stage(session, opportunity.pipeline_id, stage)
            reason_id, note = _reason(session, target.kind, reason, note)
            moved = service.move_to_stage(
                session, scope, opportunity.id, target.id, lost_reason_id=reason_id, note=note
            )
            line = f"{moved.id} → {pick(target.name_zh, target.name_en)} ({moved.status}, {moved.probability}%)"
    except LoamError as exc:
        raise _fail(exc.message) from None
    typer.echo(line)


@app.command("score")
def score(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Train the win-probability model on the closed opportunities and score every open one (as the system)."""
    try:
        with db.session_scope() as session:
            result = scoring.run(session)
    except LoamError as exc:
        raise _fail(exc.message) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    typer.echo(
        f"{result.status}: learned from {result.closed} closed ({result.won} won, {result.lost} lost), "
        f"scored {result.scored} open in {result.seconds:.2f} s"
    )


def _stage(session: object, pipeline_id: int, text: str):  # type: ignore[no-untyped-def]
    for s in pipelines.stages_of(session, pipeline_id, include_retired=False):  # type: ignore[arg-type]
        if text in (str(s.id), s.name_zh, s.name_en) or text.lower() == s.name_en.lower():
            return s
    raise _fail(f"no stage {text!r} in the opportunity's pipeline")


def _reason(session: object, kind: str, reason: str | None, note: str | None) -> tuple[int | None, str | None]:
    if reason is None or kind == "open":
        return None, note
    if kind == "won":
        return None, note or reason
    for r in pipelines.reasons(session, kind, active_only=True):  # type: ignore[arg-type]
        if reason in (str(r.id), r.name_zh, r.name_en):
            return r.id, note
    raise _fail(f"no active {kind} reason {reason!r}")
