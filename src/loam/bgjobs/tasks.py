"""Background-job housekeeping: run queued jobs, resume those whose worker died, expire old files."""

from __future__ import annotations

from huey import crontab

from loam import db
from loam.bgjobs import service
from loam.jobs import huey


@huey.task()
def run(job_id: int, kind: str) -> None:
    """Run one job through its kind's runner (which frames its own transactions per batch)."""
    service.runner(kind)(job_id)


def enqueue(job_id: int, kind: str) -> None:
    """Queue a job; call only after the transaction that created it has committed (R5)."""
    run(job_id, kind)


@huey.periodic_task(crontab(minute="*"))
def resume_stale() -> list[int]:
    """Every minute: re-queue jobs whose worker was killed; they continue from their checkpoint."""
    with db.session_scope() as session:
        jobs = service.stale_jobs(session)
    for job_id, kind in jobs:
        enqueue(job_id, kind)
    return [j for j, _k in jobs]


@huey.periodic_task(crontab(minute="40", hour="3"))
def expire_files() -> int:
    """Daily: delete uploaded and generated files older than LOAM_JOB_FILES_KEEP_DAYS."""
    with db.session_scope() as session:
        expired = service.expired_files(session)
        for job_id, names in expired:
            service.drop_files(session, job_id, names)
    return len(expired)
