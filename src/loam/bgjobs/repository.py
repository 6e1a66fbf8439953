"""All SQL of background jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.bgjobs.models import BackgroundJob
from loam.kit.listing import paginate


def get(session: Session, job_id: int) -> BackgroundJob | None:
    return session.get(BackgroundJob, job_id)


def readable(scope: Scope) -> Select[tuple[BackgroundJob]]:
    """Jobs the caller started; administrators (``org.manage``) and the system see every job (R10)."""
    stmt = select(BackgroundJob)
    if scope.is_system or scope.can(Permission.org_manage):
        return stmt
    return stmt.where(BackgroundJob.created_by == scope.user_id)


def get_visible(session: Session, scope: Scope, job_id: int) -> BackgroundJob | None:
    return session.scalar(readable(scope).where(BackgroundJob.id == job_id))


def page(session: Session, scope: Scope, kind: str | None, page: int, size: int) -> tuple[list[BackgroundJob], int]:
    stmt = readable(scope)
    if kind is not None:
        stmt = stmt.where(BackgroundJob.kind == kind)
    return paginate(session, stmt.order_by(BackgroundJob.id.desc()), page, size)


def cancel_flag(session: Session, job_id: int) -> bool:
    stmt = select(BackgroundJob.cancel_requested).where(BackgroundJob.id == job_id)
    return bool(session.execute(stmt.execution_options(populate_existing=True)).scalar())


def stale(session: Session, heartbeat_before: datetime) -> list[tuple[int, str]]:
    stmt = select(BackgroundJob.id, BackgroundJob.kind).where(
        or_(
            BackgroundJob.status == "queued",
            (BackgroundJob.status == "running") & (BackgroundJob.heartbeat_at < heartbeat_before),
        ),
        BackgroundJob.created_at < heartbeat_before,
    )
    return [(int(i), str(k)) for i, k in session.execute(stmt.order_by(BackgroundJob.id))]


def with_files_before(session: Session, cutoff: datetime) -> list[BackgroundJob]:
    stmt = select(BackgroundJob).where(
        BackgroundJob.status.in_(("done", "failed", "cancelled")),
        BackgroundJob.finished_at < cutoff,
        or_(BackgroundJob.input_file.is_not(None), BackgroundJob.output_file.is_not(None)),
    )
    return list(session.scalars(stmt))


def clear_files(session: Session, job_id: int) -> None:
    session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(input_file=None, output_file=None))
