"""Job pages: the live progress panel (polled by HTMX while the job runs), cancel, download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from loam.auth.deps import CurrentScope
from loam.bgjobs import service
from loam.kit.http import DbSession, PathId, TxRoute
from loam.web.templating import render

router = APIRouter(route_class=TxRoute, prefix="/jobs", include_in_schema=False)


@router.get("/{job_id}/progress", name="jobs:progress")
def progress(request: Request, session: DbSession, scope: CurrentScope, job_id: PathId) -> Response:
    job = service.get(session, scope, job_id)
    rate, eta = service.rate_and_eta(job)
    refresh = request.query_params.get("refresh") == "1"
    ctx = {"job": job, "rate": rate, "eta": eta, "STATUS_LABELS": service.STATUS_LABELS, "refresh": refresh}
    response = render(request, "bgjobs/_progress.html", ctx)
    if refresh and job.status not in service.ACTIVE:
        response.headers["HX-Refresh"] = "true"  # the page around the panel shows the finished job
    return response


@router.post("/{job_id}/cancel", name="jobs:cancel")
def cancel(request: Request, session: DbSession, scope: CurrentScope, job_id: PathId) -> Response:
    job = service.cancel(session, scope, job_id)
    rate, eta = service.rate_and_eta(job)
    ctx = {"job": job, "rate": rate, "eta": eta, "STATUS_LABELS": service.STATUS_LABELS}
    return render(request, "bgjobs/_progress.html", ctx)


@router.get("/{job_id}/download", name="jobs:download")
def download(session: DbSession, scope: CurrentScope, job_id: PathId) -> FileResponse:
    path, name, media = service.output(session, scope, job_id)
    return FileResponse(path, filename=name, media_type=media)
