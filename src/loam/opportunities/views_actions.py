"""Actions from the opportunity pages: move (form), checklist, transfer, contacts, competitors, team, batch.

Each parses its form into the API's schema and calls one service function; a refused action (409/422) is shown
on the detail page with its message, nothing written (Post/Redirect/Get on success).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit import audit, customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.opportunities import batch, details, gate, moves, pipelines, presenters, scoring, service, team
from loam.opportunities.models import Opportunity
from loam.opportunities.schemas import (
    BatchRequest,
    ChecklistTick,
    CompetitorWrite,
    ContactLinkWrite,
    GateInputsWrite,
    GateSubmit,
    MoveRequest,
    TeamMemberWrite,
    TransferRequest,
)
from loam.org import service as org_service
from loam.web.forms import FormData, lax, parse
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/opportunities", include_in_schema=False)
ENTITY = service.ENTITY


def detail_context(session: Session, scope: Scope, opportunity: Opportunity) -> dict[str, Any]:
    """Everything the detail page shows about one visible opportunity."""
    from loam.contacts import service as contact_service
    from loam.products import service as product_service

    stages = pipelines.stages_of(session, opportunity.pipeline_id)
    path = [s for s in stages if s.retired_at is None or s.id == opportunity.stage_id]
    links = details.contacts(session, scope, opportunity.id)
    members = team.members(session, scope, opportunity.id)
    rows = service.history(session, scope, opportunity.id) if scope.can("audit.view") else []
    moves_ = moves.history(session, opportunity.id)
    lines = details.lines_for(session, opportunity.id)
    ids = {opportunity.owner_id, opportunity.created_by} | {m.user_id for m in members} | audit.user_ids_in(rows)
    ids |= {m.user_id for m in moves_}
    try:
        customer_contacts = contact_service.for_customer(session, scope, opportunity.customer_id)
    except LoamError:
        customer_contacts = []
    return {
        "o": opportunity,
        "path": path,
        "current": next((s for s in stages if s.id == opportunity.stage_id), None),
        "missing": {s.id: _missing(session, opportunity, s) for s in path if s.id != opportunity.stage_id},
        "links": links,
        "contact_names": contact_service.names_by_id(session, [ln.contact_id for ln in links]),
        "customer_contacts": customer_contacts,
        "competitors": details.competitors(session, scope, opportunity.id),
        "lines": lines,
        "lines_total": product_service.lines_total(lines),
        "members": members,
        "history": rows,
        "moves": moves_,
        "customer_name": service.customer_names(session, [opportunity]).get(opportunity.customer_id, ""),
        "names": org_service.names_by_id(session, ids),
        "users": org_service.active_users(session),
        "fields": customfields.definitions(session, ENTITY),
        "can_write": service.can_write(session, scope, opportunity),
        "owns": service.owns(scope, opportunity),
        "money": presenters.money,
    } | _gate_context(session, scope, opportunity)


def _gate_context(session: Session, scope: Scope, opportunity: Opportunity) -> dict[str, Any]:
    """The gate panel (立项) with the approval panel once submitted, and the computed probability's explanation."""
    st = gate.state(session, opportunity)
    ctx: dict[str, Any] = {
        "gate": st,
        "gate_missing": gate.missing(session, st),
        "GATE_STATUS": gate.STATUS_LABELS,
        "probability": scoring.explain(session, scope, opportunity.id),
        "scoring_model": scoring.settings(session),
        "chooser_steps": [],
        "approval": None,
    }
    if st.approval_id is not None:
        from loam.approvals import views as approval_views

        ctx["approval"] = approval_views.panel(session, scope, gate.DOC_TYPE, opportunity.id)
    if st.submittable:
        from loam.approvals import service as approval_service

        ctx["chooser_steps"] = approval_service.chooser_steps(session, gate.DOC_TYPE, opportunity.id)
    return ctx


def _missing(session: Session, opportunity: Opportunity, stage: Any) -> list[str]:
    """What is still missing to enter ``stage``: field labels, then unticked checklist items."""
    fields, items = moves.missing(session, opportunity, stage)
    return [moves.field_label(session, f) for f in fields] + items


def _back(request: Request, opportunity_id: int, anchor: str = "") -> Response:
    url = str(request.url_for("opportunities:detail", opportunity_id=opportunity_id))
    return redirect(request, url + (f"#{anchor}" if anchor else ""))


def _act(
    request: Request,
    session: Session,
    scope: Scope,
    opportunity_id: int,
    schema: type[BaseModel] | None,
    form: dict[str, Any],
    action: Callable[[Any], Any],
    anchor: str,
) -> Response:
    """Parse ``form`` into ``schema`` and run ``action``; a refusal re-renders the detail page with the message."""
    data, errors = parse(lax(schema), form) if schema else (None, {})
    message = "; ".join(errors.values()) if errors else None
    if message is None:
        try:
            action(data)
            return _back(request, opportunity_id, anchor)
        except LoamError as exc:
            if exc.status_code in (403, 404):
                raise
            session.rollback()
            message, status = exc.message, exc.status_code
    else:
        status = 422
    opportunity = service.get(session, scope, opportunity_id)
    ctx = detail_context(session, scope, opportunity) | {"action_error": message, "anchor": anchor}
    ctx |= presenters.options() | presenters.stage_context(session)
    return render(request, "opportunities/detail.html", ctx, status_code=status)


@router.post("/batch", name="opportunities:batch")
def batch_action(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """Run a batch action from the list and show each record's result."""
    data, errors = parse(lax(BatchRequest), form)
    ctx: dict[str, Any] = {"errors": errors, "result": None, "opp_names": {}}
    if data is not None:
        result = batch.run(session, scope, data)
        ctx |= {"result": result, "opp_names": service.visible_names(session, scope, data.ids)}
    return render(request, "opportunities/batch_result.html", ctx, status_code=200 if data else 422)


@router.post("/{opportunity_id:int}/move", name="opportunities:move")
def move(request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData) -> Response:
    def action(data: MoveRequest) -> Any:
        return service.move_to_stage(
            session, scope, opportunity_id, data.stage_id, lost_reason_id=data.lost_reason_id, note=data.note,
            probability=data.probability, checklist=data.checklist, version=data.version,
        )  # fmt: skip

    return _act(request, session, scope, opportunity_id, MoveRequest, form, action, "stages")


def _gate_form(form: dict[str, Any]) -> dict[str, Any]:
    """``approvers-<step position>[]`` selects become ``chosen_approvers``."""
    chosen = {
        int(key.removeprefix("approvers-")): value
        for key, value in form.items()
        if key.startswith("approvers-") and key.removeprefix("approvers-").isdigit() and value
    }
    return {"comment": form.get("comment"), "chosen_approvers": chosen or None}


@router.post("/{opportunity_id:int}/gate/submit", name="opportunities:gate_submit")
def gate_submit(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    """Submit the project approval (立项); a refusal names what is missing."""

    def action(data: GateSubmit) -> Any:
        return gate.submit(session, scope, opportunity_id, data)

    return _act(request, session, scope, opportunity_id, GateSubmit, _gate_form(form), action, "gate")


@router.post("/{opportunity_id:int}/gate/inputs", name="opportunities:gate_inputs")
def gate_inputs(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    """The "no competitor known" tick of the gate."""

    def action(data: GateInputsWrite) -> Any:
        return gate.set_inputs(session, scope, opportunity_id, data)

    return _act(request, session, scope, opportunity_id, GateInputsWrite, form, action, "gate")


@router.post("/{opportunity_id:int}/checklist", name="opportunities:checklist")
def checklist(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    """The checklist form of one stage sends every item ticked (``items[]``); unticked ones are cleared."""

    def action(data: ChecklistTick) -> Any:
        stage = pipelines.get_stage(session, data.stage_id)
        unticked = [i for i in stage.checklist or [] if i not in data.items]
        service.tick_checklist(session, scope, opportunity_id, data.stage_id, data.items)
        return service.tick_checklist(session, scope, opportunity_id, data.stage_id, unticked, done=False)

    return _act(request, session, scope, opportunity_id, ChecklistTick, form, action, "stages")


@router.post("/{opportunity_id:int}/transfer", name="opportunities:transfer")
def transfer(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    def action(data: TransferRequest) -> Any:
        return service.transfer(session, scope, opportunity_id, data)

    return _act(request, session, scope, opportunity_id, TransferRequest, form, action, "")


@router.post("/{opportunity_id:int}/contacts", name="opportunities:link_contact")
def link_contact(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    def action(data: ContactLinkWrite) -> Any:
        return details.link_contact(session, scope, opportunity_id, data)

    return _act(request, session, scope, opportunity_id, ContactLinkWrite, form, action, "contacts")


@router.post("/{opportunity_id:int}/contacts/{link_id:int}/remove", name="opportunities:unlink_contact")
def unlink_contact(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, link_id: PathId
) -> Response:
    def action(_data: Any) -> Any:
        return details.unlink_contact(session, scope, opportunity_id, link_id)

    return _act(request, session, scope, opportunity_id, None, {}, action, "contacts")


@router.post("/{opportunity_id:int}/competitors", name="opportunities:add_competitor")
def add_competitor(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    def action(data: CompetitorWrite) -> Any:
        return details.add_competitor(session, scope, opportunity_id, data)

    return _act(request, session, scope, opportunity_id, CompetitorWrite, form, action, "competitors")


@router.post("/{opportunity_id:int}/competitors/{competitor_id:int}", name="opportunities:update_competitor")
def update_competitor(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    opportunity_id: PathId,
    competitor_id: PathId,
    form: FormData,
) -> Response:
    def action(data: CompetitorWrite) -> Any:
        return details.update_competitor(session, scope, opportunity_id, competitor_id, data)

    return _act(request, session, scope, opportunity_id, CompetitorWrite, form, action, "competitors")


@router.post("/{opportunity_id:int}/competitors/{competitor_id:int}/remove", name="opportunities:remove_competitor")
def remove_competitor(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, competitor_id: PathId
) -> Response:
    def action(_data: Any) -> Any:
        return details.remove_competitor(session, scope, opportunity_id, competitor_id)

    return _act(request, session, scope, opportunity_id, None, {}, action, "competitors")


@router.post("/{opportunity_id:int}/team", name="opportunities:add_member")
def add_member(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    def action(data: TeamMemberWrite) -> Any:
        return team.add(session, scope, opportunity_id, data)

    return _act(request, session, scope, opportunity_id, TeamMemberWrite, form, action, "team")


@router.post("/{opportunity_id:int}/team/{user_id:int}/remove", name="opportunities:remove_member")
def remove_member(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, user_id: PathId
) -> Response:
    def action(_data: Any) -> Any:
        return team.remove(session, scope, opportunity_id, user_id)

    return _act(request, session, scope, opportunity_id, None, {}, action, "team")
