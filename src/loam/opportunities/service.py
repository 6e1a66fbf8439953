"""Opportunities (商机): the only writer of opportunity records (rules, permission checks, audit).

Contacts, competitors and the team live in :mod:`.details` and :mod:`.team`, batch actions in :mod:`.batch`,
stage rules in :mod:`.moves`, pipelines in :mod:`.pipelines`; the functions other domains call are here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit, customfields
from loam.kit.i18n import gettext as _
from loam.opportunities import moves, pipelines
from loam.opportunities import repository as repo
from loam.opportunities.models import Opportunity, PipelineStage
from loam.opportunities.schemas import OpportunityCreate, OpportunityFilters, OpportunityUpdate, TransferRequest
from loam.org import service as org_service

ENTITY = repo.ENTITY


def get(session: Session, scope: Scope, opportunity_id: int) -> Opportunity:
    """An opportunity the caller may see, or 404 (never 403 for what is out of scope)."""
    opportunity = repo.get(session, scope, opportunity_id)
    if opportunity is None:
        raise NotFound(_("Opportunity not found."))
    return opportunity


def visible_ids(scope: Scope) -> Select[tuple[int]]:
    """A sub-select of the ids of the live opportunities the caller can see (other domains build on it, R2)."""
    return repo.visible_ids(scope)


def list_page(
    session: Session, scope: Scope, filters: OpportunityFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[Opportunity], int]:
    """One page of the opportunities visible to the caller, filtered and sorted by whitelisted keys."""
    return repo.page(session, scope, filters, page, size, sort)


def list_statement(
    session: Session, scope: Scope, filters: OpportunityFilters, sort: str | None = None
) -> Select[tuple[Opportunity]]:
    """The statement behind :func:`list_page` — same scope, filters and sort — unpaged (exports)."""
    return repo.sorted_statement(session, scope, filters, sort)


def can_write(session: Session, scope: Scope, opportunity: Opportunity) -> bool:
    """``opportunities.update`` and the owner within the caller's data scope, or a current read-write member."""
    if not scope.can(Permission.opportunities_update):
        return False
    if opportunity.owner_id is not None and scope.sees_owner(Module.opportunities, opportunity.owner_id):
        return True
    return authz_service.member_access(session, scope, ENTITY, opportunity.id) == "write"


def get_for_write(session: Session, scope: Scope, opportunity_id: int) -> Opportunity:
    """Fetch in scope (404), then check the permission and write access (403) — before any write."""
    opportunity = get(session, scope, opportunity_id)
    authz_service.require(scope, Permission.opportunities_update)
    if not can_write(session, scope, opportunity):
        raise Forbidden(_("You can view this opportunity but not change it."))
    return opportunity


def owns(scope: Scope, opportunity: Opportunity) -> bool:
    """Owner-level actions (transfer, delete, team) need the owner in the caller's data scope."""
    return opportunity.owner_id is not None and scope.sees_owner(Module.opportunities, opportunity.owner_id)


def require_owner(scope: Scope, opportunity: Opportunity) -> None:
    if not owns(scope, opportunity):
        raise Forbidden(_("Only the owner or their managers can do this."))


def _customer(session: Session, scope: Scope, customer_id: int) -> Any:
    from loam.customers import service as customer_service

    try:
        return customer_service.get(session, scope, customer_id)
    except NotFound:
        raise Invalid(
            _("Choose a customer you can see."), detail={"customer_id": _("Choose a customer you can see.")}
        ) from None


def _pipeline_and_stage(session: Session, scope: Scope, data: OpportunityCreate) -> tuple[int, PipelineStage]:
    if data.pipeline_id is None:
        pipeline = pipelines.default_for(session, scope)
    else:
        pipeline = pipelines.get_pipeline(session, data.pipeline_id)
        if pipeline not in pipelines.applicable(session, scope):
            raise Invalid(_("That pipeline does not apply to you."), detail={"pipeline_id": _("Choose a pipeline.")})
    if data.stage_id is None:
        return pipeline.id, pipelines.first_open_stage(session, pipeline.id)
    stage = pipelines.get_stage(session, data.stage_id)
    if stage.pipeline_id != pipeline.id or stage.retired_at is not None or stage.kind != "open":
        raise Invalid(_("Start in an open stage of the pipeline."), detail={"stage_id": _("Choose a stage.")})
    return pipeline.id, stage


def _lines(session: Session, scope: Scope, opportunity: Opportunity, lines: list[Any] | None) -> None:
    """Replace the product lines when given; keep the amount in step when it comes from the lines."""
    from loam.products import service as product_service

    if lines is not None:
        total = product_service.replace_lines(session, scope, ENTITY, opportunity.id, lines)
    elif opportunity.amount_from_lines:
        total = product_service.lines_total(product_service.lines_of(session, ENTITY, opportunity.id))
    else:
        return
    if opportunity.amount_from_lines and opportunity.amount != total:
        old = opportunity.amount
        opportunity.amount = total
        session.flush()
        audit.record(session, scope, ENTITY, opportunity.id, "update", {"amount": [old, total]})


def create(session: Session, scope: Scope, data: OpportunityCreate) -> Opportunity:
    """Create an opportunity owned by the caller for a customer the caller can see, in a pipeline that applies to
    them; a later start stage must have its requirements met. Lines, custom fields and audit are written."""
    authz_service.require(scope, Permission.opportunities_create)
    _customer(session, scope, data.customer_id)
    pipeline_id, stage = _pipeline_and_stage(session, scope, data)
    custom = customfields.validate(session, Opportunity, ENTITY, data.custom)
    values = data.model_dump(exclude={"custom", "lines", "pipeline_id", "stage_id", "checklist"})
    override = data.probability_override
    opportunity = Opportunity(
        **values,
        custom=custom,
        pipeline_id=pipeline_id,
        stage_id=stage.id,
        status="open",
        probability=override if override is not None else stage.probability,
        stage_entered_at=utcnow(),
        checklist_done={},
        owner_id=scope.user_id,
        department_id=scope.department_id,
        created_by=scope.user_id,
    )
    session.add(opportunity)
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "create", {"name": [None, opportunity.name]})
    _lines(session, scope, opportunity, data.lines)
    if data.checklist:
        moves.tick(opportunity, stage, data.checklist)
    first = pipelines.first_open_stage(session, pipeline_id)
    if stage.id != first.id:
        moves.gate(session, scope, opportunity, first, stage)  # a big deal cannot start past the gate (立项)
        moves.check_requirements(session, opportunity, stage)
    moves.record_entry(session, scope, opportunity)
    session.flush()
    return opportunity


def update(session: Session, scope: Scope, opportunity_id: int, data: OpportunityUpdate) -> Opportunity:
    """Apply an edit (409 on a stale version). A new customer must be visible; the contacts of the old one are
    unlinked. The probability follows the stage unless overridden (closed opportunities keep theirs). While the
    project approval (立项) runs, a change of amount, currency or customer is a 409 and nothing is kept."""
    opportunity = get_for_write(session, scope, opportunity_id)
    if data.version != opportunity.version:
        raise Conflict(_("Someone else changed this opportunity. Reload and try again."))
    from loam.opportunities import gate

    before = {f: getattr(opportunity, f) for f in gate.LOCKED_FIELDS}
    proposed = {"customer_id": data.customer_id, "currency": data.currency}
    gate.guard_edit(
        session, opportunity.id, before, proposed if data.amount_from_lines else proposed | {"amount": data.amount}
    )
    values = data.model_dump(exclude={"version", "custom", "lines"})
    values["custom"] = customfields.validate(session, Opportunity, ENTITY, data.custom, opportunity.id, partial=True)
    unlinked = 0
    if data.customer_id != opportunity.customer_id:
        _customer(session, scope, data.customer_id)
        unlinked = repo.delete_contact_links(session, opportunity.id)
    if opportunity.status == "open":
        stage = pipelines.get_stage(session, opportunity.stage_id)
        override = data.probability_override
        values["probability"] = override if override is not None else stage.probability
    else:
        values.pop("probability_override")
    changes = audit.apply_changes(opportunity, values)
    if unlinked:
        changes["contacts_unlinked"] = [None, unlinked]
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, opportunity.id, "update", changes)
    _lines(session, scope, opportunity, data.lines)
    after = {f: getattr(opportunity, f) for f in gate.LOCKED_FIELDS}
    gate.guard_edit(session, opportunity.id, before, after)  # amount from lines: the caller's transaction rolls back
    return opportunity


def move_to_stage(
    session: Session,
    scope: Scope,
    opportunity_id: int,
    stage_id: int,
    *,
    lost_reason_id: int | None = None,
    note: str | None = None,
    probability: int | None = None,
    checklist: Iterable[str] = (),
    version: int | None = None,
) -> Opportunity:
    """Move an opportunity to a stage of its pipeline — the one path for the form, kanban, API, batch and CLI.

    404 when not visible, 403 without write access, 409 on a stale ``version``, when the gate refuses or when the
    target's required fields / checklist are not complete (``checklist`` ticks target items first), 422 for a
    stage of another pipeline, a retired stage, won without a note or lost/invalid without a listed reason.
    Moving to the current stage changes nothing. A StageMove and an audit row are written."""
    opportunity = get_for_write(session, scope, opportunity_id)
    if version is not None and version != opportunity.version:
        raise Conflict(_("Someone else changed this opportunity. Reload and try again."))
    target = moves.target_stage(session, opportunity, stage_id)
    if target.id == opportunity.stage_id:
        return opportunity
    with session.begin_nested():  # ticks made on the way are undone when the move is refused
        if checklist:
            moves.tick(opportunity, target, checklist)
        return moves.apply_move(
            session, scope, opportunity, target, reason_id=lost_reason_id, note=note, probability=probability
        )


def tick_checklist(
    session: Session, scope: Scope, opportunity_id: int, stage_id: int, items: Iterable[str], done: bool = True
) -> Opportunity:
    """Tick (or untick) checklist items of a stage of the opportunity's pipeline; audited."""
    opportunity = get_for_write(session, scope, opportunity_id)
    stage = pipelines.get_stage(session, stage_id)
    if stage.pipeline_id != opportunity.pipeline_id:
        raise Invalid(_("That stage belongs to another pipeline."))
    chosen = moves.tick(opportunity, stage, items, done)
    if chosen:
        session.flush()
        key = "checklist_done" if done else "checklist_undone"
        audit.record(session, scope, ENTITY, opportunity.id, "checklist", {key: [moves.stage_name(stage), chosen]})
    return opportunity


def mark_won_by_contract(session: Session, scope: Scope, opportunity_id: int, contract_number: str) -> None:
    """A linked contract was approved: move the opportunity to its pipeline's won stage as the system (no
    permission, gate or requirement check), closed now, with an audit row. No-op when already won or gone."""
    opportunity = repo.get_unscoped(session, opportunity_id)
    if opportunity is None or opportunity.status == "won":
        return
    won = pipelines.closing_stage(session, opportunity.pipeline_id, "won")
    if won is None:
        return
    note = _("Contract %(number)s approved", number=contract_number)
    moves.apply_move(session, scope, opportunity, won, note=note, system=True)


def transfer(session: Session, scope: Scope, opportunity_id: int, req: TransferRequest) -> Opportunity:
    """Give an opportunity to another active user (department follows); the old owner may stay as a read-write
    team member; the new owner is notified (opportunity_assigned)."""
    opportunity = get(session, scope, opportunity_id)
    authz_service.require(scope, Permission.opportunities_transfer)
    require_owner(scope, opportunity)
    new_owner = org_service.get_user(session, req.owner_id)
    if not new_owner.is_active:
        raise Invalid(_("The new owner is not an active user."))
    old_owner = opportunity.owner_id
    if old_owner == new_owner.id:
        return opportunity
    changes = audit.apply_changes(opportunity, {"owner_id": new_owner.id, "department_id": new_owner.department_id})
    from loam.opportunities import team

    if req.keep_as_member and old_owner is not None:
        team.upsert(session, scope, opportunity.id, old_owner, "write", None)
    repo.delete_member(session, opportunity.id, new_owner.id)
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "transfer", changes)
    from loam.notifications import service as notification_service

    params = {"user": scope.display_name, "opportunity": opportunity.name}
    notification_service.notify(session, new_owner.id, "opportunity_assigned", params, ENTITY, opportunity.id)
    return opportunity


def delete_(session: Session, scope: Scope, opportunity_id: int) -> Opportunity:
    """Move an opportunity to the recycle bin (restorable)."""
    opportunity = get(session, scope, opportunity_id)
    authz_service.require(scope, Permission.opportunities_delete)
    require_owner(scope, opportunity)
    from loam.opportunities import gate

    gate.guard_delete(session, opportunity)
    opportunity.deleted_at = utcnow()
    opportunity.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "delete")
    return opportunity


def _deleted(session: Session, scope: Scope, opportunity_id: int) -> Opportunity:
    opportunity = repo.get(session, scope, opportunity_id, deleted=True)
    if opportunity is None:
        raise NotFound(_("Opportunity not found."))
    return opportunity


def restore(session: Session, scope: Scope, opportunity_id: int) -> Opportunity:
    """Bring an opportunity back from the recycle bin (same rules as deleting it)."""
    opportunity = _deleted(session, scope, opportunity_id)
    authz_service.require(scope, Permission.opportunities_delete)
    require_owner(scope, opportunity)
    opportunity.deleted_at = None
    opportunity.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "restore")
    return opportunity


def purge(session: Session, scope: Scope, opportunity_id: int) -> None:
    """Delete an opportunity from the recycle bin for good (``recycle.purge``): its contacts, competitors, team,
    product lines and stage moves go with it; its audit history stays. 409 while another record (a contract)
    still points at it."""
    opportunity = _deleted(session, scope, opportunity_id)
    authz_service.require(scope, Permission.recycle_purge)
    _purge_row(session, scope, opportunity)


def _purge_row(session: Session, scope: Scope, opportunity: Opportunity) -> None:
    from loam.products import service as product_service

    audit.record(session, scope, ENTITY, opportunity.id, "purge", {"name": [opportunity.name, None]})
    try:
        with session.begin_nested():
            product_service.purge_lines(session, ENTITY, opportunity.id)
            repo.delete_members(session, opportunity.id)
            session.delete(opportunity)
            session.flush()
    except IntegrityError:
        raise Conflict(_("Another record (such as a contract) still refers to this opportunity.")) from None


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Opportunity], int]:
    """Opportunities in the recycle bin that the caller could see before they were deleted."""
    return repo.deleted_page(session, scope, page, size)


def history(session: Session, scope: Scope, opportunity_id: int) -> list[audit.AuditLog]:
    """The audit history of a visible opportunity (``audit.view``)."""
    get(session, scope, opportunity_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, opportunity_id)


def stage_history(session: Session, scope: Scope, opportunity_id: int) -> list[Any]:
    """The stage moves of a visible opportunity, oldest first (with the seconds spent in each previous stage)."""
    get(session, scope, opportunity_id)
    return moves.history(session, opportunity_id)


def for_customer(session: Session, scope: Scope, customer_id: int, limit: int = 50) -> list[Opportunity]:
    """The visible opportunities of a customer the caller can see (404 otherwise), open ones first."""
    from loam.customers import service as customer_service

    customer_service.get(session, scope, customer_id)
    return repo.for_customer(session, scope, customer_id, limit)


def board(
    session: Session, scope: Scope, filters: OpportunityFilters, per_stage: int = 100
) -> tuple[dict[int, list[Opportunity]], dict[int, tuple[int, Decimal]]]:
    """The kanban of one pipeline: cards per stage (biggest first, at most ``per_stage``) and (count, amount)
    per stage over every visible opportunity that matches the filters."""
    if filters.pipeline_id is None:
        raise Invalid(_("Choose a pipeline."))
    return repo.board(session, scope, filters, per_stage), repo.stage_totals(session, scope, filters)


# --- support for other domains (they have authorised the action) ---


def move_customer(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Customer merge (and its undo): the opportunities of customer ``from_id`` now belong to ``to_id``; the
    merge domain has authorised it. Linked contacts move with the customer's contacts."""
    return repo.move_customer(session, from_id, to_id, ids)


def move_contact(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Contact merge (and its undo): the merged contact's roles in deals become the survivor's (where the survivor
    has none in that deal); the merge domain has authorised it."""
    return repo.move_contact_links(session, from_id, to_id, ids)


def purge_for_customer(session: Session, customer_id: int) -> int:
    """A customer is purged: its opportunities (live or deleted) go for good; returns how many."""
    ids = repo.ids_of_customer(session, customer_id)
    for opportunity_id in ids:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is not None:
            _purge_row(session, Scope.system(), opportunity)
    return len(ids)


def visible_names(session: Session, scope: Scope, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the opportunities among ``ids`` that the caller can see (others are left out)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {o.id: o.name for o in repo.visible_by_ids(session, scope, wanted)}


def customer_names(session: Session, opportunities: Iterable[Opportunity]) -> dict[int, str]:
    """Names of the customers of opportunities the caller sees (for lists and cards)."""
    return repo.customer_names(session, {o.customer_id for o in opportunities})
