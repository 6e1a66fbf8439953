"""Import pages: upload and history; the import page (sheet, column mapping, duplicate policy, dry run,
run with live progress, results and the error file)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.background import BackgroundTask

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.bgjobs import service as job_service
from loam.bgjobs import tasks as job_tasks
from loam.errors import Invalid, LoamError
from loam.imports import service
from loam.imports.mapping import targets
from loam.imports.schemas import ImportOptions
from loam.kit.columns import ENTITY_LABELS
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.web.forms import FormData, errors_of, parse
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/imports", include_in_schema=False)
ROWS_SHOWN = 100
OUTCOMES = {"error": N_("Failed"), "skipped": N_("Skipped"), "updated": N_("Rows updated")}


def _index(
    request: Request, session: Any, scope: Scope, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    items, total = service.history(session, scope, 1, 50)
    ctx = {
        "items": items,
        "total": total,
        "entities": [(k, v) for k, v in ENTITY_LABELS.items() if k in service.ENTITIES],
        "ENTITY_LABELS": ENTITY_LABELS,
        "STATUS_LABELS": job_service.STATUS_LABELS,
        "errors": errors or {},
    }
    return render(request, "imports/index.html", ctx, status_code=status)


@router.get("", name="imports:index")
def index(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _index(request, session, scope)


@router.post("", name="imports:upload")
def upload(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    entity: Annotated[str, Form(max_length=30)],
    file: Annotated[UploadFile, File()],
) -> Response:
    try:
        job = service.upload(session, scope, entity, file.filename or "", file.file)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _index(request, session, scope, errors_of(exc), status=exc.status_code)
    return redirect(request, str(request.url_for("imports:detail", job_id=job.id)))


def _detail(
    request: Request, session: Any, scope: Scope, job: Any, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    rate, eta = job_service.rate_and_eta(job)
    finished = job.status in ("done", "failed", "cancelled")
    rows, rows_total = service.issues(session, scope, job.id, None, 1, ROWS_SHOWN) if finished else ([], 0)
    ctx = {
        "job": job,
        "p": job.params,
        "targets": targets(session, job.entity),
        "rate": rate,
        "eta": eta,
        "refresh": True,
        "rows": rows,
        "rows_total": rows_total,
        "OUTCOMES": OUTCOMES,
        "errors": errors or {},
        "STATUS_LABELS": job_service.STATUS_LABELS,
        "ENTITY_LABELS": ENTITY_LABELS,
    }
    return render(request, "imports/detail.html", ctx, status_code=status)


@router.get("/{job_id}", name="imports:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, job_id: PathId) -> Response:
    return _detail(request, session, scope, service.get(session, scope, job_id))


def _options(form: dict[str, Any], width: int) -> ImportOptions:
    mapping = [str(form.get(f"map_{i}") or "") for i in range(width)]
    data, errors = parse(
        ImportOptions, {"sheet": form.get("sheet"), "mapping": mapping, "on_duplicate": form.get("on_duplicate")}
    )
    if data is None:
        raise Invalid(_("Invalid input: %(fields)s", fields="; ".join(f"{k}: {v}" for k, v in errors.items())))
    return data


@router.post("/{job_id}", name="imports:configure")
def configure(request: Request, session: DbSession, scope: CurrentScope, job_id: PathId, form: FormData) -> Response:
    """Save the sheet / mapping / policy, then (per the button pressed) start a dry run or the import."""
    job = service.get(session, scope, job_id)
    action = form.get("action") or "save"
    try:
        previous_sheet = job.params.get("sheet")
        options = _options(form, len(job.params.get("header", [])))
        service.configure(session, scope, job_id, options)
        if action in ("dry_run", "run") and job.params.get("sheet") == previous_sheet:
            service.start(session, scope, job_id, dry_run=action == "dry_run")
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _detail(request, session, scope, service.get(session, scope, job_id), errors_of(exc), exc.status_code)
    response = redirect(request, str(request.url_for("imports:detail", job_id=job_id)))
    if job.status == "queued":
        response.background = BackgroundTask(job_tasks.enqueue, job.id, "import")
    return response
