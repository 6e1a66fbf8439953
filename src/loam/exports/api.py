"""JSON endpoints for exports (thin): start one as a job, list the caller's exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query

from loam.auth.deps import ApiScope
from loam.bgjobs import tasks as job_tasks
from loam.bgjobs.api import page_of, read
from loam.bgjobs.schemas import JobRead
from loam.exports import service
from loam.exports.schemas import ExportCreate
from loam.kit.http import DbSession, TxRoute
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute, prefix="/exports", tags=["exports"])


@router.post("", response_model=JobRead, status_code=202)
def create_export(session: DbSession, scope: ApiScope, data: ExportCreate, background: BackgroundTasks) -> JobRead:
    """Start an export of a list (its filters and sort, in the caller's data scope); poll ``/jobs/{id}``,
    then download ``/jobs/{id}/output``. Needs ``data.export`` and the list's view permission."""
    job = service.start_export(session, scope, data.entity, data.format, data.filters, data.sort)
    background.add_task(job_tasks.enqueue, job.id, service.KIND)  # runs after the commit and the response (R5)
    return read(job)


@router.get("", response_model=Page[JobRead])
def list_exports(
    session: DbSession,
    scope: ApiScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[JobRead]:
    return page_of(*service.list_exports(session, scope, page, page_size), page, page_size)
