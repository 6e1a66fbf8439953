"""Follow-up pages: the list, the timeline of a customer or lead (with a quick form), edit and delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.routing import NoMatchFound

from loam.activities import service
from loam.activities.models import FollowUp
from loam.activities.schemas import KINDS, FollowUpCreate, FollowUpFilters, FollowUpUpdate
from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.db import utcnow
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.org import service as org_service
from loam.web.forms import FormData, list_filters, record_id, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
PAGE_SIZE = 25


def _names(session: Session, scope: Scope, items: Sequence[FollowUp]) -> dict[str, Any]:
    """Everything a list of follow-ups needs to be shown: user, contact, customer and lead names, edit rights."""
    users = {f.created_by for f in items} | {u for f in items for u in f.participant_ids}  # type: ignore[attr-defined]
    customers, leads = service.target_names(session, items)
    return {
        "names": org_service.names_by_id(session, users),
        "contact_names": contact_service.names_by_id(session, {c for f in items for c in f.contact_ids}),  # type: ignore[attr-defined]
        "customer_names": customers,
        "lead_names": leads,
        "editable": service.editable_ids(session, scope, items),
        "KINDS": KINDS,
        "kinds": translated(KINDS),
    }


def _back(request: Request, customer_id: int | None, lead_id: int | None) -> str:
    """The page of the follow-up's customer or lead (the follow-ups list when the leads pages are absent)."""
    try:
        if customer_id:
            return str(request.url_for("customers:detail", customer_id=customer_id))
        if lead_id:
            return str(request.url_for("leads:detail", lead_id=lead_id))
    except NoMatchFound:
        pass
    return str(request.url_for("followups:list"))


def _form(
    request: Request,
    session: Session,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    followup: FollowUp | None = None,
    status: int = 200,
) -> Response:
    """The full-page follow-up form: editing, or a quick form that came back with errors."""
    customer_id = followup.customer_id if followup else record_id(values.get("customer_id"))
    lead_id = followup.lead_id if followup else record_id(values.get("lead_id"))
    ctx = {
        "values": values,
        "errors": errors,
        "followup": followup,
        "contacts": contact_service.for_customer(session, scope, customer_id) if customer_id else [],
        "users": org_service.active_users(session),
        "kinds": translated(KINDS),
        "back": _back(request, customer_id, lead_id),
    }
    return render(request, "followups/form.html", ctx, status_code=status)


def _timeline(request: Request, session: Session, scope: Scope, items: list[FollowUp], **target: Any) -> Response:
    ctx = _names(session, scope, items) | target
    ctx |= {"items": items, "users": org_service.active_users(session), "now": utcnow()}
    return render(request, "followups/_timeline.html", ctx)


_filters = list_filters(FollowUpFilters)
# The contact scenario select on the follow-up form is the relationships domain's (its own fragment and rules).
SCENARIO_FIELDS = ("scenario_id", "scenario_was")


def _own_fields(form: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if k not in SCENARIO_FIELDS}


def _with_scenario(session: Session, scope: Scope, followup: FollowUp, form: dict[str, Any]) -> FollowUp:
    """Apply the form's scenario select in the same transaction: a refusal undoes the follow-up's write too."""
    if "scenario_id" in form:
        from loam.relationships import views_scenarios

        views_scenarios.apply_form(session, scope, followup.id, form)
    return followup


@router.get("/followups", name="followups:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[FollowUpFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    items, total = service.list_page(session, scope, filters, page, PAGE_SIZE, sort)
    ctx = _names(session, scope, items) | {"items": items, "total": total, "page": page, "page_size": PAGE_SIZE}
    ctx |= {"sort": sort or "-occurred_at", "filters": filters, "users": org_service.active_users(session)}
    partial = request.headers.get("hx-target") == "followup-table"
    return render(request, "followups/_table.html" if partial else "followups/list.html", ctx)


@router.get("/customers/{customer_id}/timeline", name="followups:timeline")
def timeline(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    items = service.timeline(session, scope, customer_id=customer_id)
    contacts = contact_service.for_customer(session, scope, customer_id)
    return _timeline(request, session, scope, items, customer_id=customer_id, lead_id=None, contacts=contacts)


@router.get("/leads/{lead_id}/timeline", name="followups:lead_timeline")
def lead_timeline(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId) -> Response:
    items = service.timeline(session, scope, lead_id=lead_id)
    return _timeline(request, session, scope, items, customer_id=None, lead_id=lead_id, contacts=[])


@router.post("/followups", name="followups:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    followup, failed = submit(
        session,
        _own_fields(form),
        FollowUpCreate,
        lambda data: _with_scenario(session, scope, service.create(session, scope, data), form),
        lambda errors, status: _form(request, session, scope, form, errors, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, _back(request, followup.customer_id, followup.lead_id))


@router.get("/followups/{followup_id}/edit", name="followups:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId) -> Response:
    followup = service.get_for_update(session, scope, followup_id)
    values = {k: getattr(followup, k) for k in FollowUpUpdate.model_fields}
    return _form(request, session, scope, values, {}, followup)


@router.post("/followups/{followup_id}/edit", name="followups:update")
def update(request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId, form: FormData) -> Response:
    followup = service.get_for_update(session, scope, followup_id)
    _done, failed = submit(
        session,
        _own_fields(form),
        FollowUpUpdate,
        lambda data: _with_scenario(session, scope, service.update(session, scope, followup_id, data), form),
        lambda errors, status: _form(request, session, scope, form, errors, followup, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, _back(request, followup.customer_id, followup.lead_id))


@router.post("/followups/{followup_id}/delete", name="followups:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId) -> Response:
    followup = service.delete_(session, scope, followup_id)
    return redirect(request, _back(request, followup.customer_id, followup.lead_id))
