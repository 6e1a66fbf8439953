"""All SQL of the win-probability model: GROUP BY counts over the closed opportunities, the feature values of the
open ones (streamed) and the batched write-back. System reads (a job): no data scope applies here — what leaves
this module are counts and per-opportunity scores, shown only on opportunities the reader may see."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, and_, bindparam, case, func, literal, null, select, update
from sqlalchemy.orm import Session

from loam.customers.models import Customer
from loam.opportunities.models import Opportunity, PipelineStage, ScoringModel, StageMove

MODEL_ID = 1
CLOSED = ("won", "lost")
# Feature key → the column it reads (customer columns come through a join).
COLUMNS: dict[str, Any] = {
    "industry": Customer.industry,
    "tier": Customer.tier,
    "level": Customer.level,
    "province": Customer.province,
    "source": Opportunity.source,
    "pipeline": Opportunity.pipeline_id,
    "department": Opportunity.department_id,
    "owner": Opportunity.owner_id,
    "currency": Opportunity.currency,
}
CUSTOMER_FEATURES = {"industry", "tier", "level", "province"}


def band_value(low: Decimal | None, high: Decimal | None) -> str:
    """The stored value of an amount band: "-100000.00", "100000.00-1000000.00", "10000000.00-"."""
    return f"{low if low is not None else ''}-{high if high is not None else ''}"


def band_expr(bands: Sequence[Decimal]) -> ColumnElement[Any]:
    """CASE expression putting the amount into its band (limits ascending; lower limit inclusive)."""
    if not bands:
        return literal(band_value(None, None))
    whens = [(Opportunity.amount < bands[0], band_value(None, bands[0]))]
    whens += [(Opportunity.amount < bands[i + 1], band_value(bands[i], bands[i + 1])) for i in range(len(bands) - 1)]
    return case(*whens, else_=band_value(bands[-1], None))


def feature_expr(key: str, bands: Sequence[Decimal]) -> ColumnElement[Any]:
    return band_expr(bands) if key == "amount_band" else COLUMNS[key]


def _from(keys: Sequence[str]) -> Any:
    stmt = select().select_from(Opportunity)
    if CUSTOMER_FEATURES & set(keys):
        stmt = stmt.join(Customer, Customer.id == Opportunity.customer_id)
    return stmt


def _closed() -> ColumnElement[bool]:
    return and_(Opportunity.status.in_(CLOSED), Opportunity.deleted_at.is_(None))


def class_totals(session: Session) -> dict[str, int]:
    """How many live opportunities were won and lost (invalid ones are not deals and are left out)."""
    stmt = select(Opportunity.status, func.count()).where(_closed()).group_by(Opportunity.status)
    found = {str(s): int(n) for s, n in session.execute(stmt)}
    return {k: found.get(k, 0) for k in CLOSED}


def value_counts(session: Session, key: str, bands: Sequence[Decimal]) -> dict[Any, list[int]]:
    """value → [won, lost] of one feature over the closed opportunities (one GROUP BY)."""
    expr = feature_expr(key, bands).label("value")
    stmt = _from([key]).add_columns(expr, Opportunity.status, func.count()).where(_closed())
    out: dict[Any, list[int]] = {}
    for value, status, n in session.execute(stmt.group_by(expr, Opportunity.status)):
        out.setdefault(value, [0, 0])[CLOSED.index(status)] += int(n)
    return out


def pipeline_totals(session: Session) -> dict[int, list[int]]:
    """pipeline id → [won, lost]."""
    return value_counts(session, "pipeline", [])


def _furthest(status: str | None = None) -> Any:
    """Per opportunity: the furthest position of an open stage it ever entered (from its stage moves)."""
    stmt = (
        select(StageMove.opportunity_id.label("oid"), func.max(PipelineStage.position).label("pos"))
        .join(PipelineStage, PipelineStage.id == StageMove.to_stage_id)
        .where(PipelineStage.kind == "open")
    )
    if status is not None:
        stmt = stmt.join(Opportunity, Opportunity.id == StageMove.opportunity_id).where(
            Opportunity.status == status, Opportunity.deleted_at.is_(None)
        )
    return stmt.group_by(StageMove.opportunity_id)


def lost_by_furthest(session: Session) -> dict[int, dict[int, int]]:
    """pipeline id → {furthest open position entered: how many lost opportunities} (two nested GROUP BYs)."""
    per = _furthest("lost").add_columns(func.min(Opportunity.pipeline_id).label("pipeline_id")).subquery()
    stmt = select(per.c.pipeline_id, per.c.pos, func.count()).group_by(per.c.pipeline_id, per.c.pos)
    out: dict[int, dict[int, int]] = {}
    for pipeline_id, pos, n in session.execute(stmt):
        out.setdefault(int(pipeline_id), {})[int(pos)] = int(n)
    return out


def furthest_of(session: Session, low: int, high: int) -> dict[int, int]:
    """opportunity id → furthest open position entered, for the ids in [low, high]."""
    stmt = _furthest().where(StageMove.opportunity_id.between(low, high))
    return {int(oid): int(pos) for oid, pos in session.execute(stmt)}


def open_stages(session: Session) -> dict[int, list[tuple[int, int]]]:
    """pipeline id → [(stage id, position)] of its active open stages, in order."""
    stmt = (
        select(PipelineStage.pipeline_id, PipelineStage.id, PipelineStage.position)
        .where(PipelineStage.kind == "open", PipelineStage.retired_at.is_(None))
        .order_by(PipelineStage.pipeline_id, PipelineStage.position, PipelineStage.id)
    )
    out: dict[int, list[tuple[int, int]]] = {}
    for pipeline_id, stage_id, position in session.execute(stmt):
        out.setdefault(int(pipeline_id), []).append((int(stage_id), int(position)))
    return out


def open_ids(session: Session) -> list[int]:
    """Ids of every live open opportunity, ascending."""
    stmt = select(Opportunity.id).where(Opportunity.status == "open", Opportunity.deleted_at.is_(None))
    return list(session.scalars(stmt.order_by(Opportunity.id)))


def open_rows(session: Session, keys: Sequence[str], bands: Sequence[Decimal], low: int, high: int) -> list[Row[Any]]:
    """The live open opportunities with ids in [low, high]: (id, pipeline_id, value of each feature in ``keys``)."""
    values = [feature_expr(k, bands).label(f"f{i}") for i, k in enumerate(keys)]
    stmt = (
        _from(keys)
        .add_columns(Opportunity.id, Opportunity.pipeline_id, *values)
        .where(Opportunity.status == "open", Opportunity.deleted_at.is_(None), Opportunity.id.between(low, high))
        .order_by(Opportunity.id)
    )
    return list(session.execute(stmt))


def write_scores(session: Session, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE for a batch of ``{"oid", "p", "f"}``: the score and its factors. Neither the version
    (no 409 for people editing) nor updated_at (lists sorted by it) changes: the score is derived data."""
    if not rows:
        return
    table = cast(Table, Opportunity.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("oid"))
        .values(computed_probability=bindparam("p"), computed_factors=bindparam("f"), updated_at=table.c.updated_at)
    )
    session.execute(stmt, rows)


def clear_scores(session: Session, closed_only: bool) -> int:
    """Empty the scores of the closed opportunities (or of every opportunity); returns how many changed."""
    table = cast(Table, Opportunity.__table__)
    stmt = update(table).where(table.c.computed_probability.is_not(None))
    if closed_only:
        stmt = stmt.where(table.c.status != "open")
    stmt = stmt.values(computed_probability=None, computed_factors=null(), updated_at=table.c.updated_at)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def model_row(session: Session) -> ScoringModel | None:
    """The model's settings row (the migration creates it)."""
    return session.get(ScoringModel, MODEL_ID)


def save_run(session: Session, values: dict[str, Any]) -> None:
    """Store the outcome of a training run without bumping the settings' version (an admin editing them meanwhile
    must not get a 409)."""
    table = cast(Table, ScoringModel.__table__)
    stmt = update(table).where(table.c.id == MODEL_ID).values(**values, updated_at=table.c.updated_at)
    session.execute(stmt)
