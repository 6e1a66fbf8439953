"""Receivables jobs: the daily overdue reminders (thin: one session, one service call)."""

from __future__ import annotations

from huey import crontab

from loam import db
from loam.jobs import huey
from loam.receivables import ageing


@huey.periodic_task(crontab(minute="30", hour="0"))
def notify_overdue_receivables() -> dict[str, int]:
    """Every day at 00:30 UTC (08:30 in China): tell each contract owner about plan periods that have become
    overdue (as the system). A period is reported once per due date, so a missed or repeated run is harmless."""
    with db.session_scope() as session:
        run = ageing.detect_overdue(session)
    return {"checked": run.checked, "notified": run.notified}
