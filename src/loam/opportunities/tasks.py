"""Opportunity jobs: the nightly training of the win-probability model (thin: one session, one service call)."""

from __future__ import annotations

from typing import Any

from huey import crontab

from loam import db
from loam.jobs import huey
from loam.opportunities import scoring


@huey.periodic_task(crontab(hour="2", minute="30"))
def score_opportunities() -> dict[str, Any]:
    """Learn from the closed opportunities and score every open one (as the system); daily at 02:30."""
    with db.session_scope() as session:
        result = scoring.run(session)
    return result.as_dict()
