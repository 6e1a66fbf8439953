"""The story clock of the demo company's opportunity-to-cash history.

The demo goes through the domains' real services (rules, numbering, approvals, audit), and services stamp
"now". The story, though, happened over the past year: an opportunity was created in March, moved to
需求分析 in April, its contract was approved in July. So the loader runs the services in *episodes*: before
each group of calls it says when the group happened in the story (:meth:`Clock.at`), and at the end
:meth:`Clock.apply` moves every timestamp that was written during an episode (its real wall-clock value lies
in the episode's real interval) to that episode's story moment — with one UPDATE per table, through a
temporary table of episodes. Afterwards the stage moves' ``duration_seconds`` are recomputed from the moved
timestamps (the services measured them in real seconds).

Only rows written after the clock started are touched: everything older keeps its own (historic) time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, MetaData, Table, func, insert, inspect, or_, select, update
from sqlalchemy.orm import Session

from loam.db import Base, UTCDateTime

# table → the timestamp columns services fill with "now" (updated_at is added wherever a table has it).
STAMPED: dict[str, tuple[str, ...]] = {
    "audit_log": ("at",),
    "product_categories": ("created_at",),
    "products": ("created_at",),
    "opportunities": ("created_at", "stage_entered_at", "closed_at", "gate_decided_at"),
    "opportunity_contacts": ("created_at",),
    "opportunity_competitors": ("created_at",),
    "stage_moves": ("at",),
    "record_members": ("created_at",),
    "customers": ("deal_at",),
    "contracts": ("created_at", "approved_at", "voided_at"),
    "approval_instances": ("created_at", "submitted_at", "finished_at"),
    "approval_steps": ("started_at", "finished_at"),
    "approval_tasks": ("created_at", "decided_at"),
    "approval_events": ("at",),
    "approval_ccs": ("created_at",),
    "receivable_plans": ("created_at",),
    "receivables": ("created_at", "approved_at"),
    "invoices": ("created_at",),
    "notifications": ("created_at",),
    "sales_targets": ("created_at",),
}


class Clock:
    """Episodes of service calls, each with the story moment it happened at (see the module docstring)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.marks: list[tuple[datetime, datetime]] = []  # (real start, story moment), real starts increasing

    def at(self, moment: datetime) -> None:
        """Start an episode: the calls from here to the next :meth:`at` happened at ``moment`` in the story."""
        self.s.flush()  # rows of the previous episode get their real timestamps now, not in this one
        last = datetime.now(UTC)
        start = datetime.now(UTC)
        while start <= last:  # strictly after anything the previous episode wrote
            start = datetime.now(UTC)
        self.marks.append((start, moment))

    def apply(self) -> None:
        """Move every timestamp written since the first episode to its episode's story moment."""
        if not self.marks:
            return
        self.s.flush()
        episodes = Table(
            "demo_episodes",
            MetaData(),
            Column("real_start", UTCDateTime(), primary_key=True),
            Column("moment", UTCDateTime(), nullable=False),
            prefixes=["TEMPORARY"],
        )
        conn = self.s.connection()
        episodes.create(conn)
        try:
            conn.execute(insert(episodes), [{"real_start": r, "moment": m} for r, m in self.marks])
            present = set(inspect(conn).get_table_names())
            for name, columns in STAMPED.items():
                if name in present:
                    self._stamp(Base.metadata.tables[name], columns, episodes)
        finally:
            episodes.drop(conn)
        self.s.expire_all()

    def _stamp(self, table: Table, columns: tuple[str, ...], episodes: Table) -> None:
        first = self.marks[0][0]
        names = [*columns, "updated_at"] if "updated_at" in table.c and "updated_at" not in columns else columns

        def story(col: Any) -> Any:
            moment = (
                select(episodes.c.moment)
                .where(episodes.c.real_start <= col)
                .order_by(episodes.c.real_start.desc())
                .limit(1)
                .scalar_subquery()
            )
            return func.coalesce(moment, col)

        values = {n: story(table.c[n]) for n in names}
        self.s.execute(update(table).values(values).where(or_(*(table.c[n] >= first for n in names))))


def fix_durations(session: Session, opportunity_ids: list[int]) -> None:
    """Seconds spent in the previous stage, from the (moved) times of consecutive stage moves."""
    from loam.opportunities.models import StageMove

    if not opportunity_ids:
        return
    rows = session.execute(
        select(StageMove.id, StageMove.opportunity_id, StageMove.at)
        .where(StageMove.opportunity_id.in_(opportunity_ids))
        .order_by(StageMove.opportunity_id, StageMove.at, StageMove.id)
    ).all()
    changes, previous = [], None
    for move_id, opportunity_id, at in rows:
        if previous is not None and previous[0] == opportunity_id:
            changes.append({"_id": move_id, "_seconds": max(0, int((at - previous[1]).total_seconds()))})
        previous = (opportunity_id, at)
    if changes:
        from sqlalchemy import bindparam

        table = StageMove.__table__
        stmt = update(table).where(table.c.id == bindparam("_id")).values(duration_seconds=bindparam("_seconds"))
        session.execute(stmt, changes)
