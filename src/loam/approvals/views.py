"""Approval pages: "my approvals" (inbox), one approval, the action forms, and the flow editor (approvals.manage).

Document pages include ``approvals/_panel.html`` with the dict :func:`panel` returns.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.approvals import flows, reads, registry, service
from loam.approvals import forms as flow_forms
from loam.approvals import repository as repo
from loam.approvals.schemas import (
    BOX_LABELS,
    EVENT_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    OPS,
    STATUS_LABELS,
    STEP_STATUS_LABELS,
    TASK_STATUS_LABELS,
    WHEN_EMPTY_LABELS,
    ActionIn,
    CcIn,
    DelegateIn,
    FlowCreate,
    FlowUpdate,
    InboxFilters,
    ReturnIn,
)
from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick
from loam.org import service as org_service
from loam.web.forms import FormData, errors_of, list_filters, parse, raise_invalid
from loam.web.templating import is_htmx, redirect, render

router = APIRouter(route_class=TxRoute, prefix="/approvals", include_in_schema=False)
PAGE_SIZE = 25
LABELS = {
    "STATUS_LABELS": STATUS_LABELS,
    "STEP_STATUS_LABELS": STEP_STATUS_LABELS,
    "TASK_STATUS_LABELS": TASK_STATUS_LABELS,
    "EVENT_LABELS": EVENT_LABELS,
    "KIND_LABELS": KIND_LABELS,
    "MODE_LABELS": MODE_LABELS,
    "WHEN_EMPTY_LABELS": WHEN_EMPTY_LABELS,
    "OPS": OPS,
    "BOX_LABELS": BOX_LABELS,
    "FIELD_LABELS": FIELD_LABELS,
}


def panel(session: Session, scope: Scope, doc_type: str, doc_id: int, instance_id: int | None = None) -> dict[str, Any]:
    """The approval panel of a document page (the caller's domain has checked the document is visible):
    ``{% with approval=approval %}{% include "approvals/_panel.html" %}{% endwith %}``."""
    data = reads.panel(session, scope, doc_type, doc_id, instance_id)
    acting = data["current"] is not None and data["current"]["actions"]
    users = org_service.active_users(session) if acting else []
    return data | LABELS | {"users": [(u.id, u.display_name) for u in users]}


# --- inbox and detail ----------------------------------------------------------------------------

_inbox_filters = list_filters(InboxFilters)


@router.get("", name="approvals:inbox")
def inbox(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[InboxFilters, Depends(_inbox_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    items, total = reads.inbox(session, scope, filters, page, PAGE_SIZE)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "counts": reads.counts(session, scope),
        "doc_types": [(d.code, _(d.label)) for d in registry.installed().values()],
    }
    return render(request, "approvals/inbox.html", ctx | LABELS)


def _safe_next(value: Any) -> str | None:
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else None


def _back(request: Request, form: dict[str, Any], instance_id: int) -> Response:
    target = _safe_next(form.get("next")) or str(request.url_for("approvals:detail", instance_id=instance_id))
    return redirect(request, target)


@router.get("/flows", name="approvals:flows")
def flow_list(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    items = flows.list_flows(session, scope)
    steps = flows.steps_of(session, items)
    users: set[int | None] = {u for rows in steps.values() for s in rows for u in s.user_ids}
    ctx = {
        "items": items,
        "steps": steps,
        "names": org_service.names_by_id(session, users),
        "roles": {code: pick(zh, en) for code, zh, en in repo.role_codes(session)},
        "running": {f.id: flows.running_count(session, f.id) for f in items},
        "doc_types": registry.installed(),
    }
    return render(request, "approvals/flows.html", ctx | LABELS)


def _editor(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    flow: Any = None,
    status: int = 200,
) -> Response:
    doc_type = registry.get(values.get("doc_type") or (flow.doc_type if flow else ""))
    ctx = {
        "values": values,
        "errors": errors,
        "flow": flow,
        "doc_type": doc_type,
        "doc_types": registry.installed(),
        "users": [(u.id, u.display_name) for u in org_service.active_users(session)],
        "roles": repo.role_codes(session),
        "running": flows.running_count(session, flow.id) if flow else 0,
    }
    template = "approvals/_flow_form.html" if is_htmx(request) else "approvals/flow_form.html"
    return render(request, template, ctx | LABELS, status_code=status)


@router.get("/flows/new", name="approvals:flow_new")
def flow_new(
    request: Request, session: DbSession, scope: CurrentScope, doc_type: Annotated[str, Query(max_length=30)] = ""
) -> Response:
    flows.require_manage(scope)
    code = doc_type or next(iter(registry.installed()), "")
    values = {"doc_type": code, "active": True, "priority": 100, "conditions": [], "steps": [flow_forms.blank_step()]}
    return _editor(request, session, values, {})


def _save(
    request: Request, session: Session, form: dict[str, Any], flow: Any, action: Any
) -> tuple[Any, Response | None]:
    values = flow_forms.flow_data(form)
    if form.get("op"):
        return None, _editor(request, session, flow_forms.apply_op(values, str(form["op"])), {}, flow)
    data, errors = parse(FlowUpdate if flow else FlowCreate, values)
    if data is None:
        return None, _editor(request, session, values, errors, flow, 422)
    try:
        return action(data), None
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return None, _editor(request, session, values, errors_of(exc), flow, exc.status_code)


@router.post("/flows", name="approvals:flow_create")
def flow_create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    flows.require_manage(scope)
    flow, failed = _save(request, session, form, None, lambda data: flows.create_flow(session, scope, data))
    return failed or redirect(request, str(request.url_for("approvals:flows")) + f"#flow-{flow.id}")


@router.get("/flows/{flow_id}", name="approvals:flow_edit")
def flow_edit(request: Request, session: DbSession, scope: CurrentScope, flow_id: PathId) -> Response:
    flow = flows.get_flow(session, scope, flow_id)
    values = flow_forms.flow_values(flow, flows.steps_of(session, [flow])[flow.id])
    return _editor(request, session, values, {}, flow)


@router.post("/flows/{flow_id}", name="approvals:flow_update")
def flow_update(request: Request, session: DbSession, scope: CurrentScope, flow_id: PathId, form: FormData) -> Response:
    flow = flows.get_flow(session, scope, flow_id)
    _done, failed = _save(request, session, form, flow, lambda data: flows.update_flow(session, scope, flow_id, data))
    return failed or redirect(request, str(request.url_for("approvals:flows")) + f"#flow-{flow_id}")


@router.post("/flows/{flow_id}/delete", name="approvals:flow_delete")
def flow_delete(request: Request, session: DbSession, scope: CurrentScope, flow_id: PathId) -> Response:
    flows.delete_flow(session, scope, flow_id)
    return redirect(request, str(request.url_for("approvals:flows")))


@router.get("/{instance_id}", name="approvals:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId) -> Response:
    instance = service.get(session, scope, instance_id)
    data = panel(session, scope, instance.doc_type, instance.doc_id, instance.id) | {"on_detail": True}
    doc = registry.get(instance.doc_type)
    ctx = {"approval": data, "instance": instance, "doc": doc, "doc_label": _(doc.label) if doc else instance.doc_type}
    return render(request, "approvals/detail.html", ctx | LABELS)


# --- actions -------------------------------------------------------------------------------------


def _parsed(model: Any, form: dict[str, Any]) -> Any:
    data, errors = parse(model, flow_forms.action_data(form))
    if data is None:
        raise_invalid(errors)
    return data


@router.post("/{instance_id}/approve", name="approvals:approve")
def approve(request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId, form: FormData) -> Response:
    service.approve(session, scope, instance_id, _parsed(ActionIn, form).comment)
    return _back(request, form, instance_id)


@router.post("/{instance_id}/reject", name="approvals:reject")
def reject(request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId, form: FormData) -> Response:
    service.reject(session, scope, instance_id, _parsed(ActionIn, form).comment)
    return _back(request, form, instance_id)


@router.post("/{instance_id}/return", name="approvals:return")
def send_back(
    request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId, form: FormData
) -> Response:
    data = _parsed(ReturnIn, form)
    service.send_back(session, scope, instance_id, data.to_step, data.comment)
    return _back(request, form, instance_id)


@router.post("/{instance_id}/withdraw", name="approvals:withdraw")
def withdraw(
    request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId, form: FormData
) -> Response:
    service.withdraw(session, scope, instance_id, _parsed(ActionIn, form).comment)
    return _back(request, form, instance_id)


@router.post("/{instance_id}/delegate", name="approvals:delegate")
def delegate(
    request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId, form: FormData
) -> Response:
    data = _parsed(DelegateIn, form)
    service.delegate(session, scope, instance_id, data.user_id, data.comment)
    return _back(request, form, instance_id)


@router.post("/{instance_id}/cc", name="approvals:cc")
def add_cc(request: Request, session: DbSession, scope: CurrentScope, instance_id: PathId, form: FormData) -> Response:
    data = _parsed(CcIn, form)
    service.add_cc(session, scope, instance_id, data.user_ids, data.comment)
    return _back(request, form, instance_id)
