"""`loam approvals`: list flows, show a user's inbox, approve or reject from the command line."""

from __future__ import annotations

import typer

from loam.errors import LoamError

NAME = "approvals"
app = typer.Typer(help="Approval flows and approvals (审批)", no_args_is_help=True)


def _fail(exc: LoamError) -> typer.Exit:
    typer.echo(f"error: {exc.message}", err=True)
    if isinstance(exc.detail, dict):
        for key, value in exc.detail.items():
            typer.echo(f"  {key}: {value}", err=True)
    return typer.Exit(1)


@app.command("flows")
def list_flows(as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: the admin)")) -> None:
    """Every approval flow with its steps, by document type and priority."""
    from loam.approvals import flows
    from loam.authz import service as authz_service
    from loam.db import session_scope

    try:
        with session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            items = flows.list_flows(session, scope)
            steps = flows.steps_of(session, items)
            for f in items:
                state = "active" if f.active else "inactive"
                typer.echo(f"{f.id}\t{f.doc_type}\t{f.name}\tpriority {f.priority}\tr{f.revision}\t{state}")
                for s in steps[f.id]:
                    who = s.role_code or (f"level {s.level}" if s.level else "") or ",".join(map(str, s.user_ids))
                    typer.echo(f"\t{s.position}. {s.name}\t{s.approver_kind} {who}\t{s.mode}\t{s.conditions or ''}")
    except LoamError as exc:
        raise _fail(exc) from None


@app.command("inbox")
def inbox(
    as_user: str = typer.Option(..., "--as", help="Whose inbox"),
    box: str = typer.Option("pending", "--box", help="pending | done | submitted | cc"),
) -> None:
    """One tab of a user's approvals (the first 200)."""
    from pydantic import ValidationError

    from loam.approvals import reads
    from loam.approvals.schemas import InboxFilters
    from loam.authz import service as authz_service
    from loam.db import session_scope

    try:
        filters = InboxFilters.model_validate({"box": box})
    except ValidationError:
        typer.echo("error: --box must be pending, done, submitted or cc", err=True)
        raise typer.Exit(2) from None
    try:
        with session_scope() as session:
            items, total = reads.inbox(session, authz_service.cli_scope(session, as_user), filters, 1, 200)
            for a in items:
                step = a["current_step_name"] or ""
                typer.echo(f"{a['id']}\t{a['doc_type']}\t{a['title']}\t{a['status']}\t{step}\t{a['submitter_name']}")
            typer.echo(f"{total} approval(s)")
    except LoamError as exc:
        raise _fail(exc) from None


def _decide(instance_id: int, as_user: str, comment: str | None, approve: bool) -> None:
    from loam.approvals import service
    from loam.authz import service as authz_service
    from loam.db import session_scope

    try:
        with session_scope() as session:
            scope = authz_service.cli_scope(session, as_user)
            act = service.approve if approve else service.reject
            instance = act(session, scope, instance_id, comment)
            typer.echo(f"{instance.id}\t{instance.status}\tstep {instance.current_step or '-'}")
    except LoamError as exc:
        raise _fail(exc) from None


@app.command("approve")
def approve(
    instance_id: int = typer.Argument(..., help="Approval id"),
    as_user: str = typer.Option(..., "--as", help="The approver"),
    comment: str | None = typer.Option(None, "--comment"),
) -> None:
    """Approve as one of the current step's approvers."""
    _decide(instance_id, as_user, comment, True)


@app.command("reject")
def reject(
    instance_id: int = typer.Argument(..., help="Approval id"),
    as_user: str = typer.Option(..., "--as", help="The approver"),
    comment: str | None = typer.Option(None, "--comment"),
) -> None:
    """Reject as one of the current step's approvers (the document goes back to draft)."""
    _decide(instance_id, as_user, comment, False)
