"""Export pages: the Export buttons of the list pages post here; the exports page shows live progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.bgjobs import service as job_service
from loam.bgjobs import tasks as job_tasks
from loam.exports import service
from loam.kit.http import DbSession, TxRoute
from loam.web.forms import FormData
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/exports", include_in_schema=False)
NOT_FILTERS = ("entity", "format", "sort", "page")


@router.get("", name="exports:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    authz_service.require(scope, Permission.data_export)
    items, total = service.list_exports(session, scope, page, 25)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": 25,
        "rates": {j.id: job_service.rate_and_eta(j) for j in items},
        "STATUS_LABELS": job_service.STATUS_LABELS,
    }
    return render(request, "exports/list.html", ctx)


@router.post("", name="exports:create")
def create(
    request: Request, session: DbSession, scope: CurrentScope, form: FormData, background: BackgroundTasks
) -> Response:
    """The list page's filter form plus ``entity`` and ``format``: the same filters and sort as on screen."""
    filters = {k: v for k, v in form.items() if k not in NOT_FILTERS and v not in (None, "")}
    if isinstance(filters.get("custom"), dict):
        filters["custom"] = {k: v for k, v in filters["custom"].items() if v not in (None, "")}
    entity, file_format = str(form.get("entity") or ""), str(form.get("format") or "xlsx")
    job = service.start_export(session, scope, entity, file_format, filters, form.get("sort") or None)
    background.add_task(job_tasks.enqueue, job.id, service.KIND)  # after the commit (R5)
    response = redirect(request, str(request.url_for("exports:list")))
    response.background = background
    return response
