"""JSON endpoints for imports (thin): upload, configure, dry run, run, history, row outcomes, error file.

A queued job is handed to the worker after the request's transaction has committed (R5): the
enqueue runs as a response background task, which Starlette starts after the response is sent.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

from loam.auth.deps import ApiScope
from loam.bgjobs import tasks as job_tasks
from loam.bgjobs.api import page_of
from loam.bgjobs.api import read as read_job
from loam.bgjobs.models import BackgroundJob
from loam.bgjobs.schemas import JobRead
from loam.imports import service
from loam.imports.mapping import targets
from loam.imports.schemas import ImportOptions, ImportRead, IssueRead, TargetRead
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute, prefix="/imports", tags=["imports"])
Entity = Literal["customer", "lead", "contact", "followup"]


def shape(session: DbSession, job: BackgroundJob) -> ImportRead:
    p = job.params
    return ImportRead(
        job=read_job(job),
        sheet=p.get("sheet"),
        sheets=p.get("sheets", []),
        header=p.get("header", []),
        mapping=p.get("mapping", []),
        remembered=bool(p.get("remembered")),
        on_duplicate=p.get("on_duplicate", "skip"),
        estimated_rows=int(p.get("estimated_rows", 0)),
        preview=p.get("preview", []),
        targets=[TargetRead(key=k, label=label, required=r) for k, label, r in targets(session, job.entity)],
        counts=dict(job.result.get("counts") or {}),
        last_dry_run=p.get("last_dry_run"),
        first_errors=list(job.result.get("first_errors") or []),
    )


@router.post("", response_model=ImportRead, status_code=201)
def upload(
    session: DbSession, scope: ApiScope, entity: Annotated[Entity, Form()], file: Annotated[UploadFile, File()]
) -> ImportRead:
    """Upload an .xlsx/.xls/.ods/.csv file: the draft import shows its sheets, header, suggested mapping
    (remembered from the last import with the same header set) and the first rows."""
    job = service.upload(session, scope, entity, file.filename or "", file.file)
    return shape(session, job)


@router.get("", response_model=Page[JobRead])
def history(
    session: DbSession,
    scope: ApiScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[JobRead]:
    return page_of(*service.history(session, scope, page, page_size), page, page_size)


@router.get("/{job_id}", response_model=ImportRead)
def get_import(session: DbSession, scope: ApiScope, job_id: PathId) -> ImportRead:
    return shape(session, service.get(session, scope, job_id))


@router.put("/{job_id}", response_model=ImportRead)
def configure(session: DbSession, scope: ApiScope, job_id: PathId, data: ImportOptions) -> ImportRead:
    """Choose the sheet, the column mapping and the duplicate policy (skip / update / error)."""
    return shape(session, service.configure(session, scope, job_id, data))


def _queued(job: BackgroundJob) -> JSONResponse:
    body = read_job(job).model_dump(mode="json")
    return JSONResponse(body, status_code=202, background=BackgroundTask(job_tasks.enqueue, job.id, "import"))


@router.post("/{job_id}/dry-run", response_model=JobRead, status_code=202)
def dry_run(session: DbSession, scope: ApiScope, job_id: PathId) -> JSONResponse:
    """Validate and deduplicate every row without keeping anything: counts and the first errors."""
    return _queued(service.start(session, scope, job_id, dry_run=True))


@router.post("/{job_id}/run", response_model=JobRead, status_code=202)
def run(session: DbSession, scope: ApiScope, job_id: PathId) -> JSONResponse:
    """Import for real; follow it at GET /api/v1/jobs/{id} (rows/s, ETA) and cancel it there."""
    return _queued(service.start(session, scope, job_id, dry_run=False))


@router.get("/{job_id}/rows", response_model=Page[IssueRead])
def rows(
    session: DbSession,
    scope: ApiScope,
    job_id: PathId,
    outcome: Literal["error", "skipped", "updated"] | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[IssueRead]:
    """The rows that were not simply added, with what happened to each (error file rows, duplicates)."""
    items, total = service.issues(session, scope, job_id, outcome, page, page_size)
    return Page[IssueRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]
