"""JSON endpoints of the method's settings (thin): the version in force, a new version, the version history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, TxRoute
from loam.relationships import settings_editor
from loam.relationships.schemas_health import SettingsRead, SettingsVersionSummary
from loam.relationships.settings import SettingsWrite

router = APIRouter(route_class=TxRoute, prefix="/relationship-settings", tags=["relationships"])
VersionNo = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("", response_model=SettingsRead)
def current(session: DbSession, scope: ApiScope) -> Any:
    """The settings in force (relationships.view): stages and exit tests, key-score weights and expected days,
    coverage window, level weights, grades and department templates, the organisational checklist, health weights
    and bands, intelligence and executive-pairing rules."""
    return settings_editor.current(session, scope)


@router.put("", response_model=SettingsRead)
def store(
    session: DbSession,
    scope: ApiScope,
    data: SettingsWrite,
    base_version: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="409 unless this is still the version in force")
    ] = None,
) -> Any:
    """Store the whole document as the next version (relationships.manage). Past versions never change, so
    snapshots computed with them stay explained. 422 when a rule is broken (``detail`` names the fields) or
    nothing changed."""
    return settings_editor.save(session, scope, data, base_version)


@router.get("/versions", response_model=list[SettingsVersionSummary])
def versions(session: DbSession, scope: ApiScope) -> Any:
    """Every version, newest first, with who stored it, when and the note (relationships.manage)."""
    return settings_editor.history(session, scope)


@router.get("/versions/{number}", response_model=SettingsRead)
def version(session: DbSession, scope: ApiScope, number: VersionNo) -> Any:
    """One stored version (relationships.manage; 404 when there is no such version)."""
    return settings_editor.version(session, scope, number)
