"""SQL of the opportunity reports: funnel per stage, new opportunities per period, stage conversion and
time in stage (from StageMove rows). Each is one GROUP BY over the caller's visible opportunities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.reports import repository as repo
from loam.reports.periods import Bucket, bucket_index
from loam.reports.repository import Criteria

WON_POSITION = 1_000_000  # a won opportunity has passed every open stage


def opportunity_where(scope: Scope, c: Criteria, pipeline_id: int | None) -> list[Any]:
    """Visible, in the report's currency, and matching the user, department, pipeline and category filters."""
    from loam.opportunities.models import Opportunity

    where = [repo.opportunity_visible(scope), Opportunity.currency == c.currency]
    if pipeline_id is not None:
        where.append(Opportunity.pipeline_id == pipeline_id)
    where += repo.owned(c, Opportunity.owner_id, Opportunity.department_id)
    where += repo.with_category("opportunity", Opportunity.id, c)
    return where


def stage_totals(session: Session, scope: Scope, c: Criteria, pipeline_id: int) -> dict[int, tuple[int, Any, Any]]:
    """Open opportunities (expected to close in the window) per stage: (count, amount, Σ amount × probability)."""
    from loam.opportunities.models import Opportunity

    stmt = (
        select(
            Opportunity.stage_id,
            func.count(),
            func.sum(Opportunity.amount),
            func.sum(Opportunity.amount * Opportunity.probability),
        )
        .where(
            Opportunity.status == "open",
            *opportunity_where(scope, c, pipeline_id),
            *c.window.where(Opportunity.expected_close, timestamp=False),
        )
        .group_by(Opportunity.stage_id)
    )
    return {int(sid): (int(n), amount, weighted) for sid, n, amount, weighted in session.execute(stmt)}


def created_per_bucket(session: Session, scope: Scope, c: Criteria, items: list[Bucket]) -> dict[int, tuple[int, Any]]:
    """Opportunities created in each bucket: (count, amount)."""
    from loam.opportunities.models import Opportunity

    inner = select(
        bucket_index(Opportunity.created_at, items, timestamp=True).label("b"), Opportunity.amount.label("amount")
    ).where(*opportunity_where(scope, c, c.pipeline_id), *c.window.where(Opportunity.created_at, timestamp=True))
    sub = inner.subquery()
    stmt = select(sub.c.b, func.count(), func.sum(sub.c.amount)).group_by(sub.c.b)
    return {int(b): (int(n), amount) for b, n, amount in session.execute(stmt) if b is not None}


def reached(
    session: Session, scope: Scope, c: Criteria, pipeline_id: int, stages: dict[int, int]
) -> tuple[list[int], int, int]:
    """For the opportunities created in the window: how many reached each open stage (``stages``: stage id →
    position; a stage counts as reached when the opportunity got to it or past it, and won opportunities
    passed them all), how many were won, and the cohort size. One GROUP BY over the cohort's StageMove rows,
    its current stages and its won rows (joined, so that either database can hash them)."""
    from loam.opportunities.models import Opportunity, StageMove

    cohort = [*opportunity_where(scope, c, pipeline_id), *c.window.where(Opportunity.created_at, timestamp=True)]
    moved = (
        select(StageMove.opportunity_id.label("oid"), case(stages, value=StageMove.to_stage_id).label("pos"))
        .join(Opportunity, Opportunity.id == StageMove.opportunity_id)
        .where(StageMove.to_stage_id.in_(stages), *cohort)
    )
    current = select(Opportunity.id.label("oid"), case(stages, value=Opportunity.stage_id).label("pos")).where(
        Opportunity.stage_id.in_(stages), *cohort
    )
    won = select(Opportunity.id.label("oid"), literal(WON_POSITION).label("pos")).where(
        Opportunity.status == "won", *cohort
    )
    every = union_all(moved, current, won).subquery()
    per = select(every.c.oid, func.max(every.c.pos).label("top")).group_by(every.c.oid).subquery()
    positions = sorted(set(stages.values()))
    counts = [func.coalesce(func.sum(case((per.c.top >= p, 1), else_=0)), 0) for p in positions]
    won_count = func.coalesce(func.sum(case((per.c.top == WON_POSITION, 1), else_=0)), 0)
    row = session.execute(select(*counts, won_count)).one()
    size = session.scalar(select(func.count()).select_from(Opportunity).where(*cohort)) or 0
    by_position = dict(zip(positions, row[:-1], strict=True))
    return [int(by_position[stages[sid]]) for sid in stages], int(row[-1]), int(size)


TENTH_OF_A_DAY = 8640  # seconds: the median is computed to the precision it is shown with


def time_in_stage(session: Session, scope: Scope, c: Criteria, stage_ids: list[int]) -> dict[int, tuple[int, Any, Any]]:
    """Moves out of each stage made in the window: (count, average seconds, median seconds).

    One GROUP BY pass: the exact count and sum per stage, and a histogram of the durations in tenths of a
    day from which the median is read (exact to the 0.1 day the report shows; no sort of every move)."""
    from loam.opportunities.models import Opportunity, StageMove

    if not stage_ids:
        return {}
    seconds = StageMove.duration_seconds
    tenth = (seconds + TENTH_OF_A_DAY // 2) // TENTH_OF_A_DAY
    stmt = (
        select(StageMove.from_stage_id, tenth, func.count(), func.sum(seconds))
        .join(Opportunity, Opportunity.id == StageMove.opportunity_id)
        .where(
            StageMove.from_stage_id.in_(stage_ids),
            seconds.is_not(None),
            *opportunity_where(scope, c, None),
            *c.window.where(StageMove.at, timestamp=True),
        )
        .group_by(StageMove.from_stage_id, tenth)
    )
    histogram: dict[int, list[tuple[int, int, int]]] = {}
    for stage, bucket, n, total in session.execute(stmt):
        histogram.setdefault(int(stage or 0), []).append((int(bucket or 0), int(n), int(total or 0)))
    return {stage: _summary(sorted(rows)) for stage, rows in histogram.items()}


def _summary(rows: list[tuple[int, int, int]]) -> tuple[int, Any, Any]:
    """(count, average, median) in seconds from (tenth-of-a-day bucket, count, Σ seconds) rows in order."""
    count = sum(n for _b, n, _t in rows)
    average = sum(t for _b, _n, t in rows) / count
    middle = [(count + 1) // 2, (count + 2) // 2]  # 1-based ranks of the middle value(s)
    picked, seen = [], 0
    for bucket, n, _total in rows:
        picked += [bucket for rank in middle if seen < rank <= seen + n]
        seen += n
    return count, average, sum(picked) / len(picked) * TENTH_OF_A_DAY


def mine_by_stage(session: Session, scope: Scope) -> list[tuple[int, int, str, int, Any]]:
    """The caller's own open opportunities per (pipeline, stage, currency): count and amount."""
    from loam.opportunities.models import Opportunity

    stmt = (
        select(
            Opportunity.pipeline_id,
            Opportunity.stage_id,
            Opportunity.currency,
            func.count(),
            func.sum(Opportunity.amount),
        )
        .where(repo.opportunity_visible(scope), Opportunity.owner_id == scope.user_id, Opportunity.status == "open")
        .group_by(Opportunity.pipeline_id, Opportunity.stage_id, Opportunity.currency)
    )
    return [(int(p), int(s), cur, int(n), amount) for p, s, cur, n, amount in session.execute(stmt)]
