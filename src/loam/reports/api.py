"""JSON endpoints for reports and sales targets (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import ApiScope
from loam.errors import Invalid
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.kit.schemas import Page
from loam.reports import service, targets_service
from loam.reports.schemas import (
    ReportFilters,
    ReportInfo,
    ReportOut,
    TargetCreate,
    TargetFilters,
    TargetRead,
    TargetUpdate,
)

router = APIRouter(route_class=TxRoute, tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _known_only(request: Request, model: type, extra: tuple[str, ...] = ()) -> None:
    """A misspelt filter is a 422, never a silently unfiltered report."""
    unknown = [k for k in request.query_params if k not in model.model_fields and k not in extra]  # type: ignore[attr-defined]
    if unknown:
        raise Invalid(_("Unknown query parameter: %(name)s", name=unknown[0][:40]))


@router.get("/reports", response_model=list[ReportInfo])
def list_reports(scope: ApiScope) -> list[ReportInfo]:
    """The reports this installation has and the caller may open."""
    return [ReportInfo(name=d.name, title=_(d.title), description=_(d.description)) for d in service.catalogue(scope)]


@router.get("/reports/{name}", response_model=ReportOut)
def get_report(
    request: Request, session: DbSession, scope: ApiScope, name: str, filters: Annotated[ReportFilters, Query()]
) -> object:
    """One report's numbers in the caller's data scope (money as exact decimal strings, percentages 0–100)."""
    _known_only(request, ReportFilters)
    return ReportOut.model_validate(service.run(session, scope, name, filters))


@router.get("/reports/{name}/xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_report(
    request: Request, session: DbSession, scope: ApiScope, name: str, filters: Annotated[ReportFilters, Query()]
) -> Response:
    """The report as an xlsx workbook, one sheet per table."""
    _known_only(request, ReportFilters)
    filename, content = service.export(session, scope, name, filters)
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/sales-targets", response_model=Page[TargetRead], tags=["sales targets"])
def list_targets(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[TargetFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[TargetRead]:
    _known_only(request, TargetFilters, ("page", "page_size"))
    items, total = targets_service.list_targets(session, scope, filters, page, page_size)
    return Page[TargetRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("/sales-targets", response_model=TargetRead, status_code=201, tags=["sales targets"])
def create_target(session: DbSession, scope: ApiScope, data: TargetCreate) -> object:
    return targets_service.create_target(session, scope, data)


@router.get("/sales-targets/{target_id}", response_model=TargetRead, tags=["sales targets"])
def get_target(session: DbSession, scope: ApiScope, target_id: PathId) -> object:
    return targets_service.get_target(session, scope, target_id)


@router.put("/sales-targets/{target_id}", response_model=TargetRead, tags=["sales targets"])
def update_target(session: DbSession, scope: ApiScope, target_id: PathId, data: TargetUpdate) -> object:
    return targets_service.update_target(session, scope, target_id, data)


@router.delete("/sales-targets/{target_id}", status_code=204, tags=["sales targets"])
def delete_target(session: DbSession, scope: ApiScope, target_id: PathId) -> None:
    targets_service.delete_target(session, scope, target_id)
