"""JSON endpoints of the broad and organisational layers (thin): the coverage grid and the checklist."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from loam.auth.deps import ApiScope
from loam.authz.scope import Scope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import IsoDate
from loam.org import service as org_service
from loam.relationships import coverage, orgmarks, orgscore
from loam.relationships.schemas_layers import CoverageRead, OrgMarkWrite, OrgRead, layer_read

router = APIRouter(route_class=TxRoute, tags=["relationships"])
AsOf = Annotated[IsoDate | None, Query(description="The day the score is computed for (default: today)")]
ItemKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Version = Annotated[int | None, Query(ge=1, le=2_147_483_647, description="The mark's version (409 when stale)")]


def _coverage(session: Session, scope: Scope, customer_id: int, as_of: date | None) -> dict[str, Any]:
    score, version = coverage.customer_score(session, scope, customer_id, as_of)
    people = sorted({u for cell in score.details["cells"] for u in cell["coverers"]})
    names = org_service.names_by_id(session, set(people))
    return layer_read(score) | {
        "customer_id": customer_id,
        "as_of": as_of or coverage.today(),
        "settings_version": version,
        "people": [{"id": u, "name": names.get(u, "")} for u in people],
    }


def _org(session: Session, scope: Scope, customer_id: int, as_of: date | None = None) -> dict[str, Any]:
    score, version = orgscore.customer_score(session, scope, customer_id, as_of)
    day = as_of or coverage.today()
    return layer_read(score) | {"customer_id": customer_id, "as_of": day, "settings_version": version}


@router.get("/customers/{customer_id}/relationship/coverage", response_model=CoverageRead)
def get_coverage(session: DbSession, scope: ApiScope, customer_id: PathId, as_of: AsOf = None) -> object:
    """The customer's coverage grid (departments × levels), score, grade and explanation."""
    return _coverage(session, scope, customer_id, as_of)


@router.get("/customers/{customer_id}/relationship/org", response_model=OrgRead)
def get_org(session: DbSession, scope: ApiScope, customer_id: PathId, as_of: AsOf = None) -> object:
    """The customer's organisational checklist with its marks, score, grade and explanation."""
    return _org(session, scope, customer_id, as_of)


@router.put("/customers/{customer_id}/relationship/org/{item_key}", response_model=OrgRead)
def put_org_mark(
    session: DbSession, scope: ApiScope, customer_id: PathId, item_key: ItemKey, data: OrgMarkWrite
) -> object:
    """Mark a checklist item as in place (create, or replace with the mark's ``version``); returns the checklist."""
    orgmarks.set_mark(session, scope, customer_id, item_key, data)
    return _org(session, scope, customer_id)


@router.delete("/customers/{customer_id}/relationship/org/{item_key}", response_model=OrgRead)
def delete_org_mark(
    session: DbSession, scope: ApiScope, customer_id: PathId, item_key: ItemKey, version: Version = None
) -> object:
    """Clear the customer's mark on an item (also a retired one); returns the checklist."""
    orgmarks.clear_mark(session, scope, customer_id, item_key, version)
    return _org(session, scope, customer_id)
