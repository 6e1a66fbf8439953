"""Search jobs (thin): keep the SQLite search index current if a raw connection committed without the hook."""

from __future__ import annotations

from huey import crontab

from loam import db
from loam.jobs import huey
from loam.search import service


@huey.periodic_task(crontab(minute="*/5"))
def flush_search_index() -> int:
    """Apply queued search-index changes (normally applied at each commit; this is the safety net)."""
    with db.session_scope() as session:
        return service.flush_index(session)
