"""OA requests (办公审批申请): the only writer of requests (status rules, permission checks, audit).

draft → in_approval → approved | rejected; rejected and withdrawn requests go back to being editable (rejected
keeps its status so the submitter sees what happened, withdrawn returns to draft). Only the submitter (the owner)
edits, submits and deletes, and only while the request is a draft or rejected. Who may read a request: its owner,
whoever sees the owner through the OA data scope (本人及下属, 本部门…), and the participants of its approvals
(approvers, delegates, people copied) — everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.oa import fields as oa_fields
from loam.oa import repository as repo
from loam.oa import types_service
from loam.oa.models import OaRequest, OaType
from loam.oa.schemas import RequestCreate, RequestFilters, RequestUpdate, SubmitIn

ENTITY = repo.ENTITY
EDITABLE = ("draft", "rejected")
# approval engine state → (status, audit action)
STATES = {
    "in_approval": ("in_approval", "submit"),
    "approved": ("approved", "approve"),
    "rejected": ("rejected", "reject"),
    "withdrawn": ("draft", "withdraw"),
}


def get(session: Session, scope: Scope, request_id: int) -> OaRequest:
    """A live request the caller may read (owner in the data scope, or a participant of its approval), or 404."""
    found = repo.get(session, scope, request_id)
    if found is None:
        found = repo.load(session, request_id)
        if found is None or not _participant(session, scope, found.id):
            raise NotFound(_("OA request not found."))
    return found


def in_scope(session: Session, scope: Scope, request_id: int) -> bool:
    """Does the caller see the request through the data scope (the approval engine's ``can_view``)?"""
    return repo.get(session, scope, request_id) is not None


def _participant(session: Session, scope: Scope, request_id: int) -> bool:
    from loam.approvals import service as approval_service

    return any(
        approval_service.visible(session, scope, instance)
        for instance in approval_service.latest_for(session, ENTITY, request_id)
    )


def load(session: Session, request_id: int) -> OaRequest | None:
    """A live request by id, unscoped, for system code (the approval engine)."""
    return repo.load(session, request_id)


def list_page(
    session: Session, scope: Scope, filters: RequestFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[OaRequest], int]:
    """One page of the requests the caller sees through the data scope, filtered and sorted."""
    return repo.page(session, scope, filters, page, size, sort)


def can_write(scope: Scope, request: OaRequest) -> bool:
    """Only the submitter changes their own request (and needs ``oa.request``)."""
    return scope.can(Permission.oa_request) and request.owner_id is not None and request.owner_id == scope.user_id


def _for_write(session: Session, scope: Scope, request_id: int) -> OaRequest:
    """Fetch in scope (404), then the permission and ownership (403) — before any write."""
    found = get(session, scope, request_id)
    authz_service.require(scope, Permission.oa_request)
    if not can_write(scope, found):
        raise Forbidden(_("Only the submitter can change this request."))
    return found


def _editable(session: Session, request: OaRequest) -> None:
    from loam.approvals import service as approval_service

    if request.status not in EDITABLE or approval_service.is_locked(session, ENTITY, request.id):
        raise Conflict(_("Only a draft or rejected request can be changed."))


def _checked(session: Session, oa_type: OaType, values: dict[str, Any]) -> dict[str, Any]:
    result = oa_fields.check(list(oa_type.fields or []), values)
    return {"values": result.values, "amount": result.amount, "days": result.days}


def create(session: Session, scope: Scope, data: RequestCreate) -> OaRequest:
    """A draft request of an active type, owned by the caller (``oa.request``); the values are checked against
    the type's fields (422 per field). Audited."""
    authz_service.require(scope, Permission.oa_request)
    if scope.user_id is None:
        raise Forbidden(_("Only a user can file an OA request."))
    oa_type = types_service.active_type(session, data.type)
    request = OaRequest(
        type_id=oa_type.id,
        type_code=oa_type.code,
        title=data.title,
        content=data.content,
        status="draft",
        owner_id=scope.user_id,
        department_id=scope.department_id,
        created_by=scope.user_id,
        **_checked(session, oa_type, dict(data.values)),
    )
    session.add(request)
    session.flush()
    audit.record(session, scope, ENTITY, request.id, "create", {"title": [None, request.title]})
    return request


def update(session: Session, scope: Scope, request_id: int, data: RequestUpdate) -> OaRequest:
    """A full edit of the caller's draft or rejected request; a stale ``version`` is a 409; values are checked
    against the type's current fields; nothing is half-applied."""
    request = _for_write(session, scope, request_id)
    if data.version != request.version:
        raise Conflict(_("Someone else changed this request. Reload and try again."))
    _editable(session, request)
    oa_type = types_service.get_type(session, scope, request.type_id)
    values = {"title": data.title, "content": data.content} | _checked(session, oa_type, dict(data.values))
    changes = audit.apply_changes(request, values)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, request.id, "update", changes)
    return request


def submit(session: Session, scope: Scope, request_id: int, data: SubmitIn | None = None) -> OaRequest:
    """Submit the caller's draft or rejected request for approval; the engine picks the flow (no flow: approved
    at once). The values are checked again against the type (it may have changed since the draft was saved)."""
    from loam.approvals import service as approval_service

    request = _for_write(session, scope, request_id)
    _editable(session, request)
    oa_type = types_service.get_type(session, scope, request.type_id)
    audit.apply_changes(request, _checked(session, oa_type, dict(request.values or {})))
    data = data or SubmitIn(chosen_approvers=None)
    approval_service.submit(session, scope, ENTITY, request.id, data.chosen_approvers, data.comment)
    session.flush()
    return request


def withdraw(session: Session, scope: Scope, request_id: int, comment: str | None = None) -> OaRequest:
    """The submitter takes back a request in approval: it returns to draft (the engine checks it is theirs)."""
    from loam.approvals import service as approval_service

    request = get(session, scope, request_id)
    pending = approval_service.pending(session, ENTITY, request.id)
    if pending is None:
        raise Conflict(_("This request is not in approval."))
    approval_service.withdraw(session, scope, pending.id, comment)
    session.flush()
    return request


def apply_approval(session: Session, scope: Scope, request: OaRequest, state: str) -> None:
    """The approval engine's ``on_change``: set the status for ``state`` and write the audit row."""
    if state not in STATES:
        raise Invalid(_("Unknown approval state: %(state)s", state=state[:20]))
    status, action = STATES[state]
    values: dict[str, Any] = {"status": status}
    if state == "in_approval":
        values |= {"submitted_at": utcnow(), "finished_at": None}
    elif state in ("approved", "rejected"):
        values["finished_at"] = utcnow()
    changes = audit.apply_changes(request, values)
    session.flush()
    audit.record(session, scope, ENTITY, request.id, action, changes)


def delete_(session: Session, scope: Scope, request_id: int) -> OaRequest:
    """Move the caller's draft or rejected request to the recycle bin (restorable); other statuses are a 409."""
    request = get(session, scope, request_id) if scope.is_system else _for_write(session, scope, request_id)
    _editable(session, request)
    request.deleted_at = utcnow()
    request.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, request.id, "delete")
    return request


def _deleted(session: Session, scope: Scope, request_id: int) -> OaRequest:
    found = repo.get(session, scope, request_id, deleted=True)
    if found is None:
        raise NotFound(_("OA request not found."))
    return found


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[OaRequest], int]:
    """Requests in the recycle bin that the caller could see before they were deleted."""
    return repo.deleted_page(session, scope, page, size)


def restore(session: Session, scope: Scope, request_id: int) -> OaRequest:
    """Bring a request back from the recycle bin: the submitter only (403 for others who see it)."""
    request = _deleted(session, scope, request_id)
    if not scope.is_system and not can_write(scope, request):
        raise Forbidden(_("Only the submitter can change this request."))
    request.deleted_at = None
    request.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, request.id, "restore")
    return request


def purge(session: Session, scope: Scope, request_id: int) -> None:
    """Delete a request from the recycle bin for good (``recycle.purge``); its audit history stays."""
    request = _deleted(session, scope, request_id)
    authz_service.require(scope, Permission.recycle_purge)
    title = request.title
    session.delete(request)
    session.flush()
    audit.record(session, scope, ENTITY, request_id, "purge", {"title": [title, None]})


def history(session: Session, scope: Scope, request_id: int) -> list[audit.AuditLog]:
    """The audit rows of a readable request."""
    get(session, scope, request_id)
    return audit.history(session, ENTITY, request_id)


def types_of(session: Session, requests: list[OaRequest]) -> dict[int, OaType]:
    """The types of requests the caller already sees (list columns, detail pages)."""
    return repo.types_by_ids(session, {r.type_id for r in requests})
