"""SQL of the win-rate report: one GROUP BY over the opportunities closed in the window, by closing month,
owner, status and reason; the per-month, per-user and per-reason tables are sums of these few rows.

An opportunity counts in the period it was closed (``closed_at``); invalid ones count only in the reasons.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.reports.funnel import opportunity_where
from loam.reports.periods import Bucket, bucket_index
from loam.reports.repository import Criteria

Closed = list[tuple[int | None, int | None, str, int | None, int, Any]]  # (month, owner, status, reason, n, Σ)


def closed(session: Session, scope: Scope, c: Criteria, items: list[Bucket]) -> Closed:
    """Won, lost and invalid opportunities closed in the window, by (month index, owner, status, reason)."""
    from loam.opportunities.models import Opportunity

    sub = (
        select(
            bucket_index(Opportunity.closed_at, items, timestamp=True).label("b"),
            Opportunity.owner_id.label("owner"),
            Opportunity.status.label("status"),
            Opportunity.lost_reason_id.label("reason"),
            Opportunity.amount.label("amount"),
        )
        .where(
            Opportunity.status.in_(("won", "lost", "invalid")),
            *opportunity_where(scope, c, c.pipeline_id),
            *c.window.where(Opportunity.closed_at, timestamp=True),
        )
        .subquery()
    )
    keys = (sub.c.b, sub.c.owner, sub.c.status, sub.c.reason)
    stmt = select(*keys, func.count(), func.sum(sub.c.amount)).group_by(*keys)
    return [(b, owner, status, reason, int(n), amount) for b, owner, status, reason, n, amount in session.execute(stmt)]
