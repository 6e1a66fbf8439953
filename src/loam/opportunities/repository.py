"""All SQL of opportunities and their children; every read of an opportunity starts from :func:`readable` (R10)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, false, func, or_, select, true
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.kit import customfields
from loam.kit.listing import apply_sort, like_escape, paginate
from loam.opportunities.models import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityContact,
    PipelineStage,
    StageMove,
)
from loam.opportunities.schemas import OpportunityFilters, StageMoveFilters

ENTITY = "opportunity"
SORTS = {
    "id": Opportunity.id,
    "name": Opportunity.name,
    "amount": Opportunity.amount,
    "expected_close": Opportunity.expected_close,
    "probability": Opportunity.probability,
    "stage": Opportunity.stage_id,
    "status": Opportunity.status,
    "created_at": Opportunity.created_at,
    "updated_at": Opportunity.updated_at,
    "stage_entered_at": Opportunity.stage_entered_at,
}


def visible_clause(scope: Scope) -> Any:
    """Owner in the caller's data scope (Module.opportunities), or the caller is a current team member."""
    if scope.is_system:
        return true()
    owners = scope.owners(Module.opportunities)
    if owners is None:
        return true()
    return or_(Opportunity.owner_id.in_(owners), Opportunity.id.in_(authz_service.member_record_ids(scope, ENTITY)))


def readable(scope: Scope, deleted: bool = False) -> Select[tuple[Opportunity]]:
    if not scope.can("opportunities.view"):
        return select(Opportunity).where(false())
    deleted_clause = Opportunity.deleted_at.is_not(None) if deleted else Opportunity.deleted_at.is_(None)
    return select(Opportunity).where(deleted_clause, visible_clause(scope))


def visible_ids(scope: Scope) -> Select[tuple[int]]:
    if not scope.can("opportunities.view"):
        return select(Opportunity.id).where(false())
    return select(Opportunity.id).where(Opportunity.deleted_at.is_(None), visible_clause(scope))


def get(session: Session, scope: Scope, opportunity_id: int, deleted: bool = False) -> Opportunity | None:
    return session.scalar(readable(scope, deleted).where(Opportunity.id == opportunity_id))


def get_unscoped(session: Session, opportunity_id: int) -> Opportunity | None:
    """System callers only (contract approval): a live opportunity by id."""
    return session.scalar(select(Opportunity).where(Opportunity.id == opportunity_id, Opportunity.deleted_at.is_(None)))


def filtered(session: Session, scope: Scope, f: OpportunityFilters) -> Select[tuple[Opportunity]]:
    stmt = readable(scope)
    if f.q and f.q.strip():
        stmt = stmt.where(Opportunity.name.ilike(f"%{like_escape(f.q.strip())}%", escape="\\"))
    if f.mine:
        stmt = stmt.where(Opportunity.owner_id == scope.user_id)
    equal: list[tuple[Any, Any]] = [
        (Opportunity.pipeline_id, f.pipeline_id),
        (Opportunity.stage_id, f.stage_id),
        (Opportunity.status, f.status),
        (Opportunity.owner_id, f.owner_id),
        (Opportunity.customer_id, f.customer_id),
    ]
    for column, value in equal:
        if value is not None:
            stmt = stmt.where(column == value)
    ranges: list[tuple[Any, Any, Any]] = [
        (Opportunity.expected_close, f.close_from, f.close_to),
        (Opportunity.amount, f.amount_min, f.amount_max),
    ]
    for column, low, high in ranges:
        if low is not None:
            stmt = stmt.where(column >= low)
        if high is not None:
            stmt = stmt.where(column <= high)
    if f.custom:
        fields = {d.key: d for d in customfields.definitions(session, ENTITY)}
        for key, text in f.custom.items():
            if key in fields and text not in (None, ""):
                stmt = stmt.where(customfields.filter_clause(Opportunity, fields[key], text))
    return stmt


def page(
    session: Session, scope: Scope, f: OpportunityFilters, page: int, size: int, sort: str | None
) -> tuple[list[Opportunity], int]:
    return paginate(session, apply_sort(filtered(session, scope, f), sort, SORTS, "-updated_at"), page, size)


def sorted_statement(session: Session, scope: Scope, f: OpportunityFilters, sort: str | None) -> Select[Any]:
    return apply_sort(filtered(session, scope, f), sort, SORTS, "-updated_at")


def board(session: Session, scope: Scope, f: OpportunityFilters, per_stage: int) -> dict[int, list[Opportunity]]:
    """The kanban: up to ``per_stage`` cards per stage (biggest amount first) of one pipeline."""
    ranked = filtered(session, scope, f).add_columns(
        func.row_number()
        .over(partition_by=Opportunity.stage_id, order_by=(Opportunity.amount.desc(), Opportunity.id.desc()))
        .label("rank")
    )
    sub = ranked.subquery()
    stmt = (
        select(Opportunity)
        .join(sub, sub.c.id == Opportunity.id)
        .where(sub.c.rank <= per_stage)
        .order_by(Opportunity.amount.desc(), Opportunity.id.desc())
    )
    out: dict[int, list[Opportunity]] = {}
    for opp in session.scalars(stmt):
        out.setdefault(opp.stage_id, []).append(opp)
    return out


def stage_totals(session: Session, scope: Scope, f: OpportunityFilters) -> dict[int, tuple[int, Decimal]]:
    """Count and amount per stage of the filtered, visible opportunities (kanban column headers)."""
    sub = filtered(session, scope, f).subquery()
    stmt = select(sub.c.stage_id, func.count(), func.coalesce(func.sum(sub.c.amount), 0)).group_by(sub.c.stage_id)
    return {int(s): (int(n), Decimal(str(total))) for s, n, total in session.execute(stmt)}


def for_customer(session: Session, scope: Scope, customer_id: int, limit: int) -> list[Opportunity]:
    stmt = readable(scope).where(Opportunity.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(Opportunity.status, Opportunity.updated_at.desc()).limit(limit)))


def deleted_page(session: Session, scope: Scope, page_no: int, size: int) -> tuple[list[Opportunity], int]:
    stmt = readable(scope, deleted=True).order_by(Opportunity.deleted_at.desc(), Opportunity.id.desc())
    return paginate(session, stmt, page_no, size)


def count_in_stages(session: Session, stage_ids: Iterable[int]) -> dict[int, int]:
    """Live and deleted opportunities per stage, unscoped (pipeline admin: is a stage in use?)."""
    ids = list(stage_ids)
    if not ids:
        return {}
    stmt = (
        select(Opportunity.stage_id, func.count()).where(Opportunity.stage_id.in_(ids)).group_by(Opportunity.stage_id)
    )
    return {int(s): int(n) for s, n in session.execute(stmt)}


def stage_used(session: Session, stage_id: int) -> bool:
    """Whether any opportunity is or ever was in the stage (then it is retired, never deleted)."""
    if session.scalar(select(Opportunity.id).where(Opportunity.stage_id == stage_id).limit(1)) is not None:
        return True
    moved = select(StageMove.id).where(or_(StageMove.to_stage_id == stage_id, StageMove.from_stage_id == stage_id))
    return session.scalar(moved.limit(1)) is not None


def pipeline_used(session: Session, pipeline_id: int) -> bool:
    return session.scalar(select(Opportunity.id).where(Opportunity.pipeline_id == pipeline_id).limit(1)) is not None


def move_customer(session: Session, from_id: int, to_id: int, ids: list[int] | None) -> list[int]:
    """Re-point the opportunities (live or deleted) of customer ``from_id`` (or only ``ids``) to ``to_id``."""
    from sqlalchemy import update

    stmt = select(Opportunity.id).where(Opportunity.customer_id == from_id)
    if ids is not None:
        stmt = stmt.where(Opportunity.id.in_(ids))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(
            update(Opportunity)
            .where(Opportunity.id.in_(moved))
            .values(customer_id=to_id, version=Opportunity.version + 1)
            .execution_options(synchronize_session="fetch")
        )
    return moved


def move_contact_links(session: Session, from_id: int, to_id: int, ids: list[int] | None) -> list[int]:
    """Re-point the deal roles (opportunity_contacts) of contact ``from_id`` (or only ``ids``) to ``to_id``,
    except on deals where ``to_id`` already has a role (that one is kept)."""
    from sqlalchemy import exists, update
    from sqlalchemy.orm import aliased

    other = aliased(OpportunityContact)
    taken = exists().where(other.contact_id == to_id, other.opportunity_id == OpportunityContact.opportunity_id)
    stmt = select(OpportunityContact.id).where(OpportunityContact.contact_id == from_id, ~taken)
    if ids is not None:
        stmt = stmt.where(OpportunityContact.id.in_(ids))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(update(OpportunityContact).where(OpportunityContact.id.in_(moved)).values(contact_id=to_id))
    return moved


def ids_of_customer(session: Session, customer_id: int) -> list[int]:
    return list(session.scalars(select(Opportunity.id).where(Opportunity.customer_id == customer_id)))


def open_ids(session: Session) -> Any:
    """(id, customer_id) of every live opportunity, streamed (jobs)."""
    stmt = select(Opportunity.id, Opportunity.customer_id).where(Opportunity.deleted_at.is_(None))
    return session.execute(stmt.execution_options(yield_per=10_000))


# --- contacts, competitors ---


def contact_links(session: Session, opportunity_id: int) -> list[OpportunityContact]:
    stmt = select(OpportunityContact).where(OpportunityContact.opportunity_id == opportunity_id)
    return list(session.scalars(stmt.order_by(OpportunityContact.id)))


def contact_link(session: Session, opportunity_id: int, link_id: int) -> OpportunityContact | None:
    return session.scalar(
        select(OpportunityContact).where(
            OpportunityContact.opportunity_id == opportunity_id, OpportunityContact.id == link_id
        )
    )


def contact_link_for(session: Session, opportunity_id: int, contact_id: int) -> OpportunityContact | None:
    return session.scalar(
        select(OpportunityContact).where(
            OpportunityContact.opportunity_id == opportunity_id, OpportunityContact.contact_id == contact_id
        )
    )


def delete_contact_links(session: Session, opportunity_id: int) -> int:
    result = session.execute(delete(OpportunityContact).where(OpportunityContact.opportunity_id == opportunity_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def competitors(session: Session, opportunity_id: int) -> list[OpportunityCompetitor]:
    stmt = select(OpportunityCompetitor).where(OpportunityCompetitor.opportunity_id == opportunity_id)
    return list(session.scalars(stmt.order_by(OpportunityCompetitor.id)))


def competitor(session: Session, opportunity_id: int, competitor_id: int) -> OpportunityCompetitor | None:
    return session.scalar(
        select(OpportunityCompetitor).where(
            OpportunityCompetitor.opportunity_id == opportunity_id, OpportunityCompetitor.id == competitor_id
        )
    )


# --- team (RecordMember rows, entity "opportunity") ---


def members(session: Session, opportunity_id: int) -> list[RecordMember]:
    stmt = select(RecordMember).where(RecordMember.entity == ENTITY, RecordMember.record_id == opportunity_id)
    return list(session.scalars(stmt.order_by(RecordMember.id)))


def member(session: Session, opportunity_id: int, user_id: int) -> RecordMember | None:
    return session.scalar(
        select(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == opportunity_id, RecordMember.user_id == user_id
        )
    )


def delete_member(session: Session, opportunity_id: int, user_id: int) -> bool:
    result = session.execute(
        delete(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == opportunity_id, RecordMember.user_id == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_members(session: Session, opportunity_id: int) -> None:
    session.execute(delete(RecordMember).where(RecordMember.entity == ENTITY, RecordMember.record_id == opportunity_id))


# --- stage moves ---


def moves_of(session: Session, opportunity_id: int) -> list[StageMove]:
    stmt = select(StageMove).where(StageMove.opportunity_id == opportunity_id)
    return list(session.scalars(stmt.order_by(StageMove.at, StageMove.id)))


def stage_moves(session: Session, scope: Scope, f: StageMoveFilters, limit: int) -> list[StageMove]:
    """Moves of the opportunities the caller can see (deleted ones excluded), oldest first."""
    visible = visible_ids(scope)
    stmt = select(StageMove).where(StageMove.opportunity_id.in_(visible))
    if f.opportunity_id is not None:
        stmt = stmt.where(StageMove.opportunity_id == f.opportunity_id)
    if f.since is not None:
        stmt = stmt.where(StageMove.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(StageMove.at < f.until)
    if f.pipeline_id is not None:
        stmt = stmt.where(
            StageMove.to_stage_id.in_(select(PipelineStage.id).where(PipelineStage.pipeline_id == f.pipeline_id))
        )
    owner_filter = select(Opportunity.id)
    if f.owner_id is not None:
        stmt = stmt.where(StageMove.opportunity_id.in_(owner_filter.where(Opportunity.owner_id == f.owner_id)))
    if f.department_id is not None:
        stmt = stmt.where(
            StageMove.opportunity_id.in_(owner_filter.where(Opportunity.department_id == f.department_id))
        )
    return list(session.scalars(stmt.order_by(StageMove.at, StageMove.id).limit(limit)))


def visible_by_ids(session: Session, scope: Scope, ids: Iterable[int]) -> list[Opportunity]:
    return list(session.scalars(readable(scope).where(Opportunity.id.in_(list(ids)))))


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the customers of opportunities the caller already sees (an opportunity's customer is part of it)."""
    from loam.customers.models import Customer

    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {r.id: r.name for r in session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))}
