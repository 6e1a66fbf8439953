"""Custom field definitions: who may change them (customfields.manage) and the audit of each change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Forbidden
from loam.kit import audit, customfields
from loam.kit.customfields import CustomFieldWrite
from loam.kit.i18n import gettext as _
from loam.kit.models import CustomField

ENTITY = "custom_field"
_AUDITED = ("label_zh", "label_en", "options", "required", "unique", "show_in_list", "sort_order", "active")


def require_manage(scope: Scope) -> None:
    """403 unless the caller may manage custom fields."""
    if not scope.can(Permission.customfields_manage):
        raise Forbidden(_("You do not have permission to do this."))


def list_fields(session: Session, entity: str | None = None) -> list[CustomField]:
    """Every definition, active or not (any signed-in user: API clients need to know the fields)."""
    return customfields.all_definitions(session, entity)


def get_field(session: Session, field_id: int) -> CustomField:
    return customfields.get_definition(session, field_id)


def _snapshot(field: CustomField) -> dict[str, Any]:
    return {k: getattr(field, k) for k in _AUDITED}


def create_field(session: Session, scope: Scope, data: CustomFieldWrite) -> CustomField:
    """Define a new field; keys are unique per entity; a select needs choices (422/409 otherwise)."""
    require_manage(scope)
    field = customfields.save_definition(session, data)
    audit.record(session, scope, ENTITY, field.id, "create", {"key": [None, f"{field.entity}.{field.key}"]})
    return field


def update_field(session: Session, scope: Scope, field_id: int, data: CustomFieldWrite) -> CustomField:
    """Change labels, choices and flags; entity, key and type never change (422); stale version → 409."""
    require_manage(scope)
    before = _snapshot(customfields.get_definition(session, field_id))
    field = customfields.save_definition(session, data, field_id)
    after = _snapshot(field)
    changes = {k: [before[k], after[k]] for k in _AUDITED if before[k] != after[k]}
    if changes:
        audit.record(session, scope, ENTITY, field.id, "update", changes)
    return field


def set_active(session: Session, scope: Scope, field_id: int, active: bool) -> CustomField:
    """Deactivate (hide from forms and lists; stored values stay) or reactivate a field."""
    require_manage(scope)
    field = customfields.get_definition(session, field_id)
    if field.active != active:
        field.active = active
        session.flush()
        audit.record(session, scope, ENTITY, field.id, "activate" if active else "deactivate")
    return field
