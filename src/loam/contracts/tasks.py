"""Contract jobs: the daily expiry reminders (thin: one session, one service call)."""

from __future__ import annotations

from dataclasses import asdict

from huey import crontab

from loam import db
from loam.contracts import lifecycle
from loam.jobs import huey


@huey.periodic_task(crontab(minute="40", hour="1"))
def remind_expiring_contracts() -> dict[str, int]:
    """Notify owners of approved contracts ending within the configured window (once per contract and end
    date, so running it again — or after a missed day — never repeats a reminder)."""
    with db.session_scope() as session:
        result = lifecycle.remind_expiring(session)
    return asdict(result)
