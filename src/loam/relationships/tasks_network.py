"""Intelligence network and executive pool jobs (thin: one session, one service call)."""

from __future__ import annotations

from huey import crontab

from loam import db
from loam.jobs import huey
from loam.relationships import execpool


@huey.periodic_task(crontab(minute="45", hour="0"))
def notify_exec_pairings_due() -> dict[str, int]:
    """Every day at 00:45 UTC (08:45 in China): tell the paired executive and the customer's owner about each
    executive pairing that has not met within its expected period (as the system), once per due period, so a
    missed or repeated run is harmless."""
    with db.session_scope() as session:
        run = execpool.notify_due(session)
    return {"checked": run.checked, "due": run.due, "notified": run.notified}
