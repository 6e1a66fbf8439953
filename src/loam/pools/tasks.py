"""Pool jobs: the nightly return rules (thin: one session, one service call)."""

from __future__ import annotations

from dataclasses import asdict

from huey import crontab

from loam import db
from loam.jobs import huey
from loam.pools import service


@huey.periodic_task(crontab(minute="15"))
def run_pool_rules() -> dict[str, int]:
    """Return due customers to their pools and warn owners (as the system, Scope.system()).

    Hourly: the rules are idempotent (one warning per customer per due date), so running often keeps
    returns on time whatever the server's time zone, and the hours between runs are the only delay.
    """
    with db.session_scope() as session:
        result = service.run_rules(session)
    return asdict(result)
