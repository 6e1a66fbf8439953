"""JSON endpoints for approvals (the inbox, one approval and its actions) and approval flows (admin CRUD)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from loam.approvals import flows, reads, registry, service
from loam.approvals.schemas import (
    ActionIn,
    CcIn,
    DelegateIn,
    DocumentTypeRead,
    FlowCreate,
    FlowFilters,
    FlowRead,
    FlowStepRead,
    FlowUpdate,
    InboxCounts,
    InboxFilters,
    InboxItem,
    InstanceRead,
    InstanceSummary,
    ReturnIn,
)
from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.i18n import gettext as _
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute)


@router.get("/approvals", response_model=Page[InboxItem], tags=["approvals"])
def inbox(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[InboxFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> object:
    """The caller's approvals: ``box`` = pending (awaiting me), done (decided by me), submitted (by me), cc."""
    custom_filters(request, InboxFilters, ("page", "page_size"))
    items, total = reads.inbox(session, scope, filters, page, page_size)
    return Page[InboxItem](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.get("/approvals/counts", response_model=InboxCounts, tags=["approvals"])
def inbox_counts(session: DbSession, scope: ApiScope) -> object:
    return reads.counts(session, scope)


@router.get("/approvals/documents/{doc_type}/{doc_id}", response_model=list[InstanceSummary], tags=["approvals"])
def document_approvals(session: DbSession, scope: ApiScope, doc_type: str, doc_id: PathId) -> object:
    """Every approval of one document, newest first (404 when the caller cannot see the document)."""
    return reads.for_document(session, scope, doc_type[:30], doc_id)


@router.get("/approvals/{instance_id}", response_model=InstanceRead, tags=["approvals"])
def get_approval(session: DbSession, scope: ApiScope, instance_id: PathId) -> object:
    return reads.get_detail(session, scope, instance_id)


@router.post("/approvals/{instance_id}/approve", response_model=InstanceRead, tags=["approvals"])
def approve(session: DbSession, scope: ApiScope, instance_id: PathId, data: ActionIn) -> object:
    return reads.detail(session, scope, service.approve(session, scope, instance_id, data.comment))


@router.post("/approvals/{instance_id}/reject", response_model=InstanceRead, tags=["approvals"])
def reject(session: DbSession, scope: ApiScope, instance_id: PathId, data: ActionIn) -> object:
    return reads.detail(session, scope, service.reject(session, scope, instance_id, data.comment))


@router.post("/approvals/{instance_id}/return", response_model=InstanceRead, tags=["approvals"])
def send_back(session: DbSession, scope: ApiScope, instance_id: PathId, data: ReturnIn) -> object:
    """Send back to an earlier, approved step (``to_step`` = its position)."""
    return reads.detail(session, scope, service.send_back(session, scope, instance_id, data.to_step, data.comment))


@router.post("/approvals/{instance_id}/withdraw", response_model=InstanceRead, tags=["approvals"])
def withdraw(session: DbSession, scope: ApiScope, instance_id: PathId, data: ActionIn) -> object:
    return reads.detail(session, scope, service.withdraw(session, scope, instance_id, data.comment))


@router.post("/approvals/{instance_id}/delegate", response_model=InstanceRead, tags=["approvals"])
def delegate(session: DbSession, scope: ApiScope, instance_id: PathId, data: DelegateIn) -> object:
    return reads.detail(session, scope, service.delegate(session, scope, instance_id, data.user_id, data.comment))


@router.post("/approvals/{instance_id}/cc", response_model=InstanceRead, tags=["approvals"])
def add_cc(session: DbSession, scope: ApiScope, instance_id: PathId, data: CcIn) -> object:
    service.add_cc(session, scope, instance_id, data.user_ids, data.comment)
    return reads.get_detail(session, scope, instance_id)


# --- flows (approvals.manage) --------------------------------------------------------------------


def _read(flow: object, steps: list) -> FlowRead:  # type: ignore[type-arg]
    return FlowRead.model_validate(flow).model_copy(update={"steps": [FlowStepRead.model_validate(s) for s in steps]})


def _flow_read(session: DbSession, flow: object) -> FlowRead:
    return _read(flow, flows.steps_of(session, [flow])[flow.id])  # type: ignore[list-item,attr-defined]


@router.get("/approval-flows", response_model=list[FlowRead], tags=["approval flows"])
def list_flows(
    request: Request, session: DbSession, scope: ApiScope, filters: Annotated[FlowFilters, Query()]
) -> object:
    custom_filters(request, FlowFilters, ())
    items = flows.list_flows(session, scope, filters.doc_type)
    steps = flows.steps_of(session, items)
    return [_read(f, steps[f.id]) for f in items]


@router.get("/approval-document-types", response_model=list[DocumentTypeRead], tags=["approval flows"])
def document_types(session: DbSession, scope: ApiScope) -> object:
    """The installed document types and the fields their conditions may test."""
    flows.require_manage(scope)
    return [{"code": d.code, "label": _(d.label), "fields": d.fields} for d in registry.installed().values()]


@router.post("/approval-flows", response_model=FlowRead, status_code=201, tags=["approval flows"])
def create_flow(session: DbSession, scope: ApiScope, data: FlowCreate) -> object:
    return _flow_read(session, flows.create_flow(session, scope, data))


@router.get("/approval-flows/{flow_id}", response_model=FlowRead, tags=["approval flows"])
def get_flow(session: DbSession, scope: ApiScope, flow_id: PathId) -> object:
    return _flow_read(session, flows.get_flow(session, scope, flow_id))


@router.put("/approval-flows/{flow_id}", response_model=FlowRead, tags=["approval flows"])
def update_flow(session: DbSession, scope: ApiScope, flow_id: PathId, data: FlowUpdate) -> object:
    return _flow_read(session, flows.update_flow(session, scope, flow_id, data))


@router.delete("/approval-flows/{flow_id}", status_code=204, tags=["approval flows"])
def delete_flow(session: DbSession, scope: ApiScope, flow_id: PathId) -> None:
    flows.delete_flow(session, scope, flow_id)
