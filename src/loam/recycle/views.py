"""The recycle bin page: deleted records per kind, restore, and purge (with recycle.purge)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.recycle import service
from loam.recycle.service import Entity
from loam.web.templating import redirect, render

PathEntity = Annotated[Entity, Path()]
router = APIRouter(route_class=TxRoute, prefix="/recycle", include_in_schema=False)
PAGE_SIZE = 25


def _back(request: Request, entity: str) -> str:
    return str(request.url_for("recycle:list").include_query_params(entity=entity))


@router.get("", name="recycle:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    entity: Entity = "customer",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    rows, total = service.list_deleted(session, scope, entity, page, PAGE_SIZE)
    ids = {getattr(r, "owner_id", None) for r in rows} | {r.deleted_by for r in rows}
    ctx = {
        "entity": entity,
        "tabs": [(e, _(service.ENTITY_LABELS[e])) for e in service.entities()],
        "items": [(r, service.label(r)) for r in rows],
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "names": org_service.names_by_id(session, ids),
        "can_restore": service.can_restore(scope, entity),
        "merged_into": service.merged_into(session, entity, [r.id for r in rows]),
    }
    return render(request, "recycle/list.html", ctx)


@router.post("/{entity}/{record_id}/restore", name="recycle:restore")
def restore(
    request: Request, session: DbSession, scope: CurrentScope, entity: PathEntity, record_id: PathId
) -> Response:
    service.restore(session, scope, entity, record_id)
    return redirect(request, _back(request, entity))


@router.post("/{entity}/{record_id}/purge", name="recycle:purge")
def purge(request: Request, session: DbSession, scope: CurrentScope, entity: PathEntity, record_id: PathId) -> Response:
    service.purge(session, scope, entity, record_id)
    return redirect(request, _back(request, entity))
