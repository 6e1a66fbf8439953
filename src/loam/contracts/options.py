"""Contract settings as data (R23): numbering pattern, expiry-reminder window, contract types, signing entities.

Each setting is one ``contract_settings`` row; a missing row means the default. Reading needs
``contracts.view``; changing needs ``contracts.templates`` (the templates and settings page).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contracts import numbering
from loam.contracts.models import ContractSetting
from loam.contracts.schemas import DEFAULT_TYPES, ContractSettings
from loam.kit import audit
from loam.kit.i18n import gettext as _

ENTITY = "contract_settings"
KEYS = ("number_pattern", "expiry_days", "types", "signing_entities")


def defaults() -> ContractSettings:
    return ContractSettings(number_pattern=numbering.DEFAULT_PATTERN, expiry_days=30, signing_entities=[])


def load(session: Session) -> ContractSettings:
    """The settings in force (stored values over the defaults); no permission check (system code)."""
    values: dict[str, Any] = defaults().model_dump()
    for row in session.scalars(select(ContractSetting).where(ContractSetting.key.in_(KEYS))):
        values[row.key] = row.value
    return ContractSettings.model_validate(values)


def read(session: Session, scope: Scope) -> ContractSettings:
    """The settings for a caller who may view contracts."""
    authz_service.require(scope, Permission.contracts_view)
    return load(session)


def save(session: Session, scope: Scope, data: ContractSettings) -> ContractSettings:
    """Store new settings (``contracts.templates``); the pattern is validated; one audit row lists the changes."""
    authz_service.require(scope, Permission.contracts_templates)
    data = data.model_copy(update={"number_pattern": numbering.validate(data.number_pattern)})
    old = load(session).model_dump()
    new = data.model_dump()
    changes: dict[str, list[Any]] = {}
    for key in KEYS:
        if old[key] == new[key]:
            continue
        changes[key] = [old[key], new[key]]
        row = session.get(ContractSetting, key)
        if row is None:
            session.add(ContractSetting(key=key, value=new[key], updated_by=scope.user_id))
        else:
            row.value = new[key]
            row.updated_by = scope.user_id
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, 1, "update", changes)
    return data


def type_label(settings: ContractSettings, code: str | None) -> str:
    """The label of a contract type (built-in labels translated; custom labels as typed)."""
    for option in settings.types:
        if option.code == code:
            return _(option.label) if option.label in DEFAULT_TYPES.values() else option.label
    return code or ""


def type_choices(settings: ContractSettings) -> list[tuple[str, str]]:
    return [(t.code, type_label(settings, t.code)) for t in settings.types]
