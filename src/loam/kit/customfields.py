"""Custom fields per entity: definitions (admin), validation of values, list filters (R23)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from loam.errors import Conflict, Invalid, NotFound
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick
from loam.kit.listing import like_escape
from loam.kit.models import CustomField
from loam.kit.schemas import MAX_ID

ENTITIES = (
    "lead",
    "customer",
    "contact",
    "product",
    "opportunity",
    "contract",
    "receivable_plan",
    "receivable",
    "invoice",
)
ENTITY_PATTERN = f"^({'|'.join(ENTITIES)})$"
FIELD_TYPES = ("text", "number", "date", "select", "multiselect", "user", "boolean")
MAX_TEXT = 2000


class CustomFieldWrite(BaseModel):
    """A definition; on update ``version`` (when sent) must be the one read, else 409.

    Strict like every JSON body: no "1" for 1 and no 0 for false (forms parse with a lax twin).
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    entity: str = Field(max_length=30, pattern=ENTITY_PATTERN)
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str = Field(min_length=1, max_length=100)
    label_en: str = Field(min_length=1, max_length=100)
    field_type: str = Field(max_length=20, pattern="^(text|number|date|select|multiselect|user|boolean)$")
    choices: list[str] = Field(default_factory=list, max_length=200)
    required: bool = False
    unique: bool = False
    show_in_list: bool = True
    sort_order: int = Field(0, ge=0, le=100000)
    active: bool = True
    version: int | None = Field(None, ge=1, le=2_147_483_647)


class CustomFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    entity: str
    key: str
    label_zh: str
    label_en: str
    field_type: str
    options: dict[str, Any]
    required: bool
    unique: bool
    show_in_list: bool
    sort_order: int
    active: bool
    version: int


def definitions(session: Session, entity: str, active_only: bool = True) -> list[CustomField]:
    stmt = select(CustomField).where(CustomField.entity == entity)
    if active_only:
        stmt = stmt.where(CustomField.active.is_(True))
    return list(session.scalars(stmt.order_by(CustomField.sort_order, CustomField.id)))


def all_definitions(session: Session, entity: str | None = None) -> list[CustomField]:
    """Every definition (active or not), optionally of one entity, in display order."""
    stmt = select(CustomField)
    if entity is not None:
        stmt = stmt.where(CustomField.entity == entity)
    return list(session.scalars(stmt.order_by(CustomField.entity, CustomField.sort_order, CustomField.id)))


def get_definition(session: Session, field_id: int) -> CustomField:
    field = session.get(CustomField, field_id)
    if field is None:
        raise NotFound(_("Custom field not found."))
    return field


def label(field: CustomField) -> str:
    return pick(field.label_zh, field.label_en)


def choices(field: CustomField) -> list[str]:
    return list((field.options or {}).get("choices", []))


def save_definition(session: Session, data: CustomFieldWrite, field_id: int | None = None) -> CustomField:
    """Create or update a definition; keys are unique per entity and a select needs choices."""
    if data.field_type in ("select", "multiselect") and not [c for c in data.choices if c.strip()]:
        raise Invalid(_("A select field needs at least one choice."))
    if data.unique and data.field_type not in ("text", "number"):
        raise Invalid(_("Only text and number fields can be unique."))
    clash = session.scalar(select(CustomField.id).where(CustomField.entity == data.entity, CustomField.key == data.key))
    if clash is not None and clash != field_id:
        raise Conflict(_("A field with this key already exists."))
    values = data.model_dump(exclude={"choices", "version"})
    values["options"] = {"choices": [c.strip() for c in data.choices if c.strip()]}
    if field_id is None:
        field = CustomField(**values)
        session.add(field)
    else:
        field = get_definition(session, field_id)
        if field.entity != data.entity or field.key != data.key or field.field_type != data.field_type:
            raise Invalid(_("The entity, key and type of a field cannot change once created."))
        if data.version is not None and data.version != field.version:
            raise Conflict(_("Someone else changed this field. Reload and try again."))
        for k, v in values.items():
            setattr(field, k, v)
    session.flush()
    return field


def _coerce(field: CustomField, raw: Any) -> Any:
    """Turn a raw form/JSON value into the stored JSON value, or raise ValueError."""
    if raw is None or raw == "" or raw == []:
        return None
    ft = field.field_type
    if ft == "text":
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("At most %(n)s characters.", n=MAX_TEXT))
        return text or None
    if ft == "number":
        if isinstance(raw, bool):
            raise ValueError(_("Enter a number."))
        try:
            num = float(str(raw).strip())
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
        if num != num or num in (float("inf"), float("-inf")) or abs(num) > 1e15:
            raise ValueError(_("Enter a number."))
        return int(num) if num.is_integer() else num
    if ft == "date":
        try:
            return date.fromisoformat(str(raw).strip()[:10]).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if ft == "boolean":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("1", "true", "on", "yes"):
            return True
        if str(raw).lower() in ("0", "false", "off", "no"):
            return False
        raise ValueError(_("Choose yes or no."))
    if ft == "user":
        try:
            user_id = int(raw)
        except (TypeError, ValueError):
            raise ValueError(_("Choose a user.")) from None
        if not 1 <= user_id <= MAX_ID:
            raise ValueError(_("Choose a user."))
        return user_id
    allowed = choices(field)
    if ft == "select":
        if str(raw) not in allowed:
            raise ValueError(_("Choose one of the listed options."))
        return str(raw)
    items = raw if isinstance(raw, list) else [raw]
    if any(str(i) not in allowed for i in items):
        raise ValueError(_("Choose one of the listed options."))
    return sorted({str(i) for i in items}, key=allowed.index)


def validate(
    session: Session,
    model: Any,
    entity: str,
    raw: dict[str, Any] | None,
    record_id: int | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate custom values for ``entity``; raise 422 with per-field messages; unknown keys are refused.

    ``partial`` (updates) checks only the keys sent; on create every required field must be present.
    """
    raw = dict(raw or {})
    fields = {f.key: f for f in definitions(session, entity)}
    errors: dict[str, str] = {}
    for key in raw:
        if key not in fields:
            errors[key] = _("Unknown field.")
    out: dict[str, Any] = {}
    for key, field in fields.items():
        if partial and key not in raw:
            continue
        try:
            value = _coerce(field, raw.get(key))
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if value is None and field.required:
            errors[key] = _("This field is required.")
            continue
        if field.field_type == "user" and value is not None and not _user_exists(session, value):
            errors[key] = _("Choose a user.")
            continue
        if value is not None and field.unique and _taken(session, model, key, value, record_id):
            errors[key] = _("This value is already used by another record.")
            continue
        out[key] = value
    if errors:
        raise Invalid(_("Some custom fields are not valid."), detail={f"custom.{k}": v for k, v in errors.items()})
    return out


def _user_exists(session: Session, user_id: int) -> bool:
    from loam.org.models import User  # local: kit must not depend on domains at import time

    return session.get(User, user_id) is not None


def _taken(session: Session, model: Any, key: str, value: Any, record_id: int | None) -> bool:
    col = model.custom[key].as_float() if isinstance(value, int | float) else model.custom[key].as_string()
    stmt = select(model.id).where(col == value, model.deleted_at.is_(None))
    if record_id is not None:
        stmt = stmt.where(model.id != record_id)
    return session.scalar(stmt.limit(1)) is not None


def filter_clause(model: Any, field: CustomField, value: str) -> Any:
    """A WHERE clause for a list filter on one custom field (the same on SQLite and PostgreSQL)."""
    ft = field.field_type
    if ft == "multiselect":
        return cast(model.custom[field.key], String).like(f'%"{_json_escape(value)}"%')
    if ft == "text":
        return model.custom[field.key].as_string().ilike(f"%{like_escape(value)}%", escape="\\")
    if ft == "number":
        try:
            return model.custom[field.key].as_float() == float(value)
        except ValueError:
            raise Invalid(_("Enter a number.")) from None
    if ft == "boolean":
        return model.custom[field.key].as_boolean().is_(value.lower() in ("1", "true", "on", "yes"))
    if ft == "user":
        try:
            user_id = int(value)
            if not 1 <= user_id <= MAX_ID:
                raise ValueError
            return model.custom[field.key].as_integer() == user_id
        except ValueError:
            raise Invalid(_("Choose a user.")) from None
    return model.custom[field.key].as_string() == value


def _json_escape(value: str) -> str:
    return re.sub(r'["\\%_]', "", value)
