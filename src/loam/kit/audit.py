"""Audit history: apply changes to a record and write who/when/old → new in the same transaction (R8)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.kit.models import AuditLog

# What the history tab shows for each action name written by the services.
ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Edited"),
    "delete": N_("Moved to the recycle bin"),
    "restore": N_("Restored"),
    "purge": N_("Deleted for good"),
    "transfer": N_("Owner changed"),
    "lock": N_("Locked"),
    "unlock": N_("Unlocked"),
    "member_add": N_("Team member added"),
    "member_remove": N_("Team member removed"),
    "release": N_("Released to a public pool"),
    "return": N_("Returned to a public pool by the rules"),
    "claim": N_("Claimed from a public pool"),
    "distribute": N_("Assigned from a public pool"),
    "convert": N_("Converted to a customer"),
    "from_lead": N_("Created from a lead"),
    "status": N_("Status changed"),
    "deal": N_("Deal status changed"),
    "move": N_("Moved"),
    "activate": N_("Activated"),
    "deactivate": N_("Deactivated"),
    "password_reset": N_("Password reset"),
}


def action_label(action: str) -> str:
    text = ACTION_LABELS.get(action)
    return _(text) if text else action


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set each attribute that differs and return ``{field: [old, new]}`` for the audit row.

    ``custom`` (custom field values) is diffed key by key as ``custom.<key>``.
    """
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if field == "custom":
            merged = dict(old or {})
            for key, val in (new or {}).items():
                if merged.get(key) != val:
                    changes[f"custom.{key}"] = [jsonable(merged.get(key)), jsonable(val)]
                    merged[key] = val
            setattr(obj, field, merged)
            continue
        if old != new:
            changes[field] = [jsonable(old), jsonable(new)]
            setattr(obj, field, new)
    return changes


def record(
    session: Session,
    scope: Scope,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditLog:
    row = AuditLog(
        entity=entity,
        entity_id=entity_id,
        action=action,
        user_id=scope.user_id,
        changes=jsonable(changes or {}),
        note=note,
    )
    session.add(row)
    return row


def history(session: Session, entity: str, entity_id: int, limit: int = 200) -> list[AuditLog]:
    """The audit rows of one record, newest first (the caller has already checked the record is visible)."""
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
