"""Relationship health jobs (thin): the monthly snapshot."""

from __future__ import annotations

from huey import crontab

from loam import db
from loam.jobs import huey
from loam.relationships import health, snapshots


@huey.periodic_task(crontab(day="1", hour="1", minute="0"))
def take_monthly_snapshot() -> dict[str, int]:
    """On the 1st of every month at 01:00 UTC: snapshot every live customer's relationship scores for the month.
    Idempotent (customers already snapshotted keep theirs), so a repeated or late run is harmless."""
    with db.session_scope() as session:
        run = snapshots.take(session, health.month_start(health.today()))
    return {"taken": run.taken, "skipped": run.skipped, "settings_version": run.settings_version}
