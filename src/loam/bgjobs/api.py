"""JSON endpoints for the caller's background jobs: progress, cancel, result file (thin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from loam.auth.deps import ApiScope
from loam.bgjobs import service
from loam.bgjobs.models import BackgroundJob
from loam.bgjobs.schemas import JobRead
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute, prefix="/jobs", tags=["jobs"])


def read(job: BackgroundJob) -> JobRead:
    out = JobRead.model_validate(job)
    out.rows_per_second, out.eta_seconds = service.rate_and_eta(job)
    out.has_output = job.output_file is not None
    return out


def page_of(items: list[BackgroundJob], total: int, page: int, page_size: int) -> Page[JobRead]:
    """A page of jobs as the API shows them (the jobs, imports and exports lists)."""
    return Page[JobRead](items=[read(j) for j in items], total=total, page=page, page_size=page_size)


@router.get("", response_model=Page[JobRead])
def list_jobs(
    session: DbSession,
    scope: ApiScope,
    kind: Literal["import", "export"] | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[JobRead]:
    return page_of(*service.list_mine(session, scope, kind, page, page_size), page, page_size)


@router.get("/{job_id}", response_model=JobRead)
def get_job(session: DbSession, scope: ApiScope, job_id: PathId) -> JobRead:
    return read(service.get(session, scope, job_id))


@router.post("/{job_id}/cancel", response_model=JobRead)
def cancel_job(session: DbSession, scope: ApiScope, job_id: PathId) -> JobRead:
    return read(service.cancel(session, scope, job_id))


@router.get(
    "/{job_id}/output", response_class=FileResponse, responses={200: {"content": {"application/octet-stream": {}}}}
)
def job_output(session: DbSession, scope: ApiScope, job_id: PathId) -> FileResponse:
    """The job's result file (an export, or an import's error file)."""
    path, name, media = service.output(session, scope, job_id)
    return FileResponse(path, filename=name, media_type=media)
