"""Pages of the duplicate finder: candidate groups per kind, side-by-side compare and merge, merge history."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.kit import audit
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.merge import entities, service
from loam.merge.schemas import ENTITY_LABELS, MATCH_LABELS, DismissRequest, Entity, MergeRequest
from loam.org import service as org_service
from loam.web.forms import FormData, record_id, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/merge", include_in_schema=False)
PAGE_SIZE = 25
DETAIL_ROUTES = {"customer": "customers:detail", "lead": "leads:detail", "contact": "contacts:detail"}
DETAIL_PARAMS = {"customer": "customer_id", "lead": "lead_id", "contact": "contact_id"}
Ids = Annotated[list[int], Query(max_length=21)]


def _tabs() -> list[tuple[str, str]]:
    return [(e, _(text)) for e, text in ENTITY_LABELS.items()]


@router.get("", name="merge:index")
def index(request: Request, session: DbSession, scope: CurrentScope, entity: Entity = "customer") -> Response:
    result = service.candidates(session, scope, entity)
    base = str(request.url_for("merge:compare"))
    links = [f"{base}?{urlencode([('entity', entity)] + [('ids', r.id) for r in g.records])}" for g in result.groups]
    owners = org_service.names_by_id(session, {r.owner_id for g in result.groups for r in g.records})
    ctx = {
        "entity": entity,
        "tabs": _tabs(),
        "result": result,
        "links": links,
        "names": owners,
        "match_labels": {k: _(v) for k, v in MATCH_LABELS.items()},
    }
    return render(request, "merge/index.html", ctx)


def _rows(records: list[Any], fields: list[tuple[str, str]], form: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per field: each record's value, whether they differ, and the record picked (by default the first
    with a value, so a merge fills the kept record's gaps)."""
    rows = []
    for key, label in fields:
        values = [entities.value(r, key) for r in records]
        shown = [audit.jsonable(v) for v in values]
        default = next((r.id for r, v in zip(records, values, strict=True) if v not in (None, "")), records[0].id)
        picked = record_id(form.get(f"pick.{key}")) or default
        differ = len({str(v) for v in shown}) > 1
        rows.append({"key": key, "label": label, "values": shown, "differ": differ, "picked": picked})
    return rows


def _compare(
    request: Request,
    session: Any,
    scope: Scope,
    entity: str,
    ids: list[int],
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    records, fields = service.compare(session, scope, entity, ids)
    form = form or {}
    ctx = {
        "entity": entity,
        "entity_label": _(ENTITY_LABELS[entity]),
        "records": records,
        "rows": _rows(records, fields, form),
        "survivor": record_id(form.get("survivor_id")) or records[0].id,
        "names": org_service.names_by_id(session, {getattr(r, "owner_id", None) for r in records}),
        "errors": errors or {},
        "detail_route": DETAIL_ROUTES[entity],
        "detail_param": DETAIL_PARAMS[entity],
    }
    return render(request, "merge/compare.html", ctx, status_code=status)


@router.get("/compare", name="merge:compare")
def compare(request: Request, session: DbSession, scope: CurrentScope, entity: Entity, ids: Ids) -> Response:
    return _compare(request, session, scope, entity, ids)


def _request_data(form: dict[str, Any]) -> dict[str, Any]:
    """The compare form as a :class:`MergeRequest` body: the survivor, the other records, the picked fields."""
    survivor = form.get("survivor_id")
    ids = [i for i in form.get("ids") or [] if i != survivor]
    fields = {k.removeprefix("pick."): v for k, v in form.items() if k.startswith("pick.") and v is not None}
    return {"entity": form.get("entity"), "survivor_id": survivor, "merged_ids": ids, "fields": fields}


@router.post("", name="merge:merge")
def do_merge(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    entity = str(form.get("entity")) if form.get("entity") in ENTITY_LABELS else "customer"
    ids = [i for i in (record_id(v) for v in form.get("ids") or []) if i is not None]
    _done, failed = submit(
        session,
        _request_data(form),
        MergeRequest,
        lambda data: service.merge(session, scope, data),
        lambda errors, status: _compare(request, session, scope, entity, ids, form, errors, status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("merge:history")))


@router.get("/history", name="merge:history")
def history(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    items, total = service.list_page(session, scope, None, page, PAGE_SIZE)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "labels": service.labels(session, scope, items),
        "entity_labels": {k: _(v) for k, v in ENTITY_LABELS.items()},
        "names": org_service.names_by_id(session, {m.created_by for m in items} | {m.undone_by for m in items}),
    }
    return render(request, "merge/history.html", ctx)


@router.post("/{merge_id}/undo", name="merge:undo")
def undo(request: Request, session: DbSession, scope: CurrentScope, merge_id: PathId) -> Response:
    service.undo(session, scope, merge_id)
    return redirect(request, str(request.url_for("merge:history")))


@router.post("/dismiss", name="merge:dismiss")
def dismiss(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """ "Not duplicates" on a candidate group: the finder stops pairing these records."""
    entity = str(form.get("entity")) if form.get("entity") in ENTITY_LABELS else "customer"
    ids = [i for i in (record_id(v) for v in form.get("ids") or []) if i is not None]
    service.dismiss(session, scope, DismissRequest(entity=entity, ids=ids))  # type: ignore[arg-type]
    return redirect(request, f"{request.url_for('merge:index')}?entity={entity}")


@router.get("/dismissals", name="merge:dismissals")
def dismissals(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    entity: Entity = "customer",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    items, total = service.dismissals(session, scope, entity, page, PAGE_SIZE)
    ctx = {
        "entity": entity,
        "tabs": _tabs(),
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "labels": service.dismissal_labels(session, scope, items),
        "names": org_service.names_by_id(session, {d.created_by for d in items}),
    }
    return render(request, "merge/dismissals.html", ctx)


@router.post("/dismissals/{dismissal_id}/delete", name="merge:undismiss")
def undismiss(request: Request, session: DbSession, scope: CurrentScope, dismissal_id: PathId) -> Response:
    row = service.get_dismissal(session, scope, dismissal_id)
    entity = row.entity
    service.undismiss(session, scope, dismissal_id)
    return redirect(request, f"{request.url_for('merge:dismissals')}?entity={entity}")
