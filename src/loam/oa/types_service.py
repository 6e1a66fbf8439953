"""OA request types (审批类型): data with defaults, edited by administrators (``oa.manage``).

Everybody signed in may read the types (to file a request); creating, editing, deactivating and deleting need
``oa.manage``. A type's code never changes (approval flow conditions such as ``type = expense`` refer to it). A
type that some request uses is deactivated, never deleted: it stays readable on those requests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.oa import repository as repo
from loam.oa.models import OaType
from loam.oa.schemas import TypeCreate, TypeUpdate

ENTITY = "oa_type"


def list_types(session: Session, scope: Scope, active_only: bool = False) -> list[OaType]:
    """The types in their sort order (all of them, or only the active ones a new request may use)."""
    return repo.types(session, active_only)


def get_type(session: Session, scope: Scope, type_id: int) -> OaType:
    """One type, or 404."""
    found = repo.type_by_id(session, type_id)
    if found is None:
        raise NotFound(_("OA request type not found."))
    return found


def active_type(session: Session, code: str) -> OaType:
    """The active type ``code`` a new request may use; 422 for an unknown or inactive one."""
    found = repo.type_by_code(session, code)
    if found is None or not found.active:
        raise Invalid(_("Choose an active request type."), detail={"type": _("Choose one of the listed options.")})
    return found


def in_use(session: Session, types: list[OaType]) -> set[int]:
    """The ids of the given types that some request uses."""
    return repo.used_type_ids(session, [t.id for t in types])


def _dump(data: TypeCreate | TypeUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude={"version", "code"})
    values["fields"] = [f.model_dump() for f in data.fields]
    return values


def create_type(session: Session, scope: Scope, data: TypeCreate) -> OaType:
    """A new type (``oa.manage``); a code already taken is a 409. Audited."""
    authz_service.require(scope, Permission.oa_manage)
    if repo.type_by_code(session, data.code) is not None:
        raise Conflict(_("This code is already used by another type."))
    row = OaType(code=data.code, created_by=scope.user_id, **_dump(data))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(_("This code is already used by another type.")) from None
    audit.record(session, scope, ENTITY, row.id, "create", {"code": [None, row.code]})
    return row


def update_type(session: Session, scope: Scope, type_id: int, data: TypeUpdate) -> OaType:
    """A full edit (``oa.manage``): names, description, active, order, fields. Stale ``version``: 409. Requests
    already filed keep their values; drafts are checked against the new fields when next saved."""
    row = get_type(session, scope, type_id)
    authz_service.require(scope, Permission.oa_manage)
    if data.version != row.version:
        raise Conflict(_("Someone else changed this type. Reload and try again."))
    changes = audit.apply_changes(row, _dump(data))
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, row.id, "update", changes)
    return row


def set_active(session: Session, scope: Scope, type_id: int, active: bool) -> OaType:
    """Activate or deactivate a type (``oa.manage``): an inactive type takes no new requests."""
    row = get_type(session, scope, type_id)
    authz_service.require(scope, Permission.oa_manage)
    if row.active != active:
        row.active = active
        session.flush()
        audit.record(session, scope, ENTITY, row.id, "activate" if active else "deactivate")
    return row


def delete_type(session: Session, scope: Scope, type_id: int) -> None:
    """Delete a type no request has ever used (``oa.manage``); one in use is a 409 — deactivate it instead."""
    row = get_type(session, scope, type_id)
    authz_service.require(scope, Permission.oa_manage)
    if repo.used_type_ids(session, [row.id]):
        raise Conflict(_("Requests use this type: deactivate it instead of deleting it."))
    code = row.code
    session.delete(row)
    session.flush()
    audit.record(session, scope, ENTITY, type_id, "purge", {"code": [code, None]})
