"""Audit history: apply changes to a record and write who/when/old → new in the same transaction (R8)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.db import utcnow
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
    "merge": N_("Merged duplicates"),
    "unmerge": N_("Merge undone"),
    "not_duplicate": N_("Marked as not duplicates"),
    "submit": N_("Submitted for approval"),
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Approval withdrawn"),
    "send_back": N_("Sent back"),
    "delegate": N_("Delegated"),
    "cc": N_("Copied"),
    "duplicate_again": N_("Not-duplicates mark removed"),
    "import": N_("Imported"),
    "import_update": N_("Updated by an import"),
    "source_add": N_("Source added"),
}


# Field names as the history tab shows them; custom fields appear as "custom.<key>".
FIELD_LABELS = {
    "name": N_("Name"),
    "company": N_("Company"),
    "title": N_("Job title"),
    "industry": N_("Industry"),
    "tier": N_("Tier"),
    "level": N_("Level"),
    "grade": N_("Grade"),
    "source": N_("Source"),
    "status": N_("Status"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "website": N_("Website"),
    "province": N_("Province"),
    "city": N_("City"),
    "address": N_("Address"),
    "remark": N_("Remarks"),
    "owner_id": N_("Owner"),
    "previous_owner_id": N_("Previous owner"),
    "department_id": N_("Department"),
    "pool_id": N_("Public pool"),
    "locked": N_("Locked"),
    "deal_status": N_("Deal status"),
    "deal_at": N_("Deal closed on"),
    "next_contact_at": N_("Next contact"),
    "last_followup_at": N_("Last follow-up"),
    "owner_since": N_("Owner since"),
    "released_at": N_("Released"),
    "customer_id": N_("Customer"),
    "dept_name": N_("Department"),
    "reports_to_id": N_("Reports to"),
    "birthday": N_("Birthday"),
    "is_decision_maker": N_("Decision maker"),
    "personality": N_("Personality"),
    "preferences": N_("Preferences"),
    "member": N_("Team member"),
    "access": N_("Access"),
    "contacts_moved": N_("Contacts moved"),
    "followups_moved": N_("Follow-ups moved"),
    "converted_customer_id": N_("Converted to customer"),
    "converted_at": N_("Converted"),
    "kind": N_("Type"),
    "occurred_at": N_("Time"),
    "content": N_("Notes"),
    "next_step": N_("Next step"),
    "lead": N_("Lead"),
    "members": N_("Members"),
    "merged_into": N_("Merged into"),
    "merged_from": N_("Merged from"),
    "merged": N_("Records merged"),
    "not_duplicate_of": N_("Not duplicates of"),
    "lines": N_("Product lines"),
    "code": N_("Code"),
    "list_price": N_("List price"),
    "currency": N_("Currency"),
    "unit": N_("Unit"),
    "category_id": N_("Category"),
    "description": N_("Description"),
    "parent_id": N_("Parent category"),
    "sort": N_("Sort order"),
    "step": N_("Step"),
    "unmerged": N_("Records brought back"),
    # Intelligence and executive pairings (relationships).
    "occurred_on": N_("Date"),
    "confidence": N_("Confidence"),
    "competitor": N_("Competitor"),
    "opportunity_id": N_("Opportunity"),
    "subject_contact_id": N_("Contact concerned"),
    "change": N_("Change"),
    "contacts": N_("Related contacts"),
    "sources": N_("Sources"),
    "contact_id": N_("Contact"),
    "user_id": N_("User"),
    "expected_days": N_("Meet at least every (days)"),
    "pairing_id": N_("Executive pairing"),
    "planned_on": N_("Planned for"),
    "held_on": N_("Held on"),
    "summary": N_("Summary"),
    "followup_id": N_("Follow-up"),
}


def field_label(field: str) -> str:
    if field.startswith("custom."):
        return field.removeprefix("custom.")
    text = FIELD_LABELS.get(field)
    return _(text) if text else field


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


def user_ids_in(rows: list[AuditLog]) -> set[int]:
    """Every user id a history list mentions (authors and old/new owners), to look their names up once."""
    ids = {r.user_id for r in rows if r.user_id is not None}
    for r in rows:
        for field in ("owner_id", "previous_owner_id"):
            ids |= {v for v in (r.changes or {}).get(field, []) if isinstance(v, int)}
    return ids


def record_many(
    session: Session,
    scope: Scope,
    entity: str,
    record_ids: list[int],
    action: str,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """The same audit row for many records of a bulk write, through the driver (loam.kit.bulk)."""
    from loam.kit import bulk

    table = AuditLog.__table__
    constants = {
        "entity": entity,
        "action": action,
        "user_id": scope.user_id,
        "at": utcnow(),
        "changes": jsonable(changes or {}),
        "note": note,
    }
    inserter = bulk.Inserter(session, table, ["id", "entity_id"], constants)  # type: ignore[arg-type]
    ids = inserter.allocate_ids(len(record_ids))
    inserter.insert(list(zip(ids, record_ids, strict=True)))
