"""JSON endpoints of the duplicate finder and merges (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page
from loam.merge import service
from loam.merge.schemas import (
    CandidateList,
    DismissalRead,
    DismissRequest,
    DismissResult,
    Entity,
    MergeRead,
    MergeRequest,
)

router = APIRouter(route_class=TxRoute, prefix="/merges", tags=["duplicates and merges"])

_MERGE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Missing records.merge, the kind's update/delete permission, or write access to a record"},
    404: {"description": "A record (or the merge) does not exist, is in the recycle bin or is out of scope"},
    409: {"description": "Converted lead, merge already undone, or a merged record no longer in the recycle bin"},
    422: {"description": "Merging a record into itself, records of different kinds, an unknown field"},
}


@router.get("/candidates", response_model=CandidateList, responses={403: _MERGE_ERRORS[403]})
def list_candidates(session: DbSession, scope: ApiScope, entity: Entity = "customer") -> CandidateList:
    """Groups of likely duplicates among the records of one kind the caller sees: exact matches on the
    normalised name/company, phone and email, plus similar names (rapidfuzz) with their score."""
    return service.candidates(session, scope, entity)


@router.post("", response_model=MergeRead, status_code=201, responses=_MERGE_ERRORS)
def create_merge(session: DbSession, scope: ApiScope, data: MergeRequest) -> object:
    """Merge ``merged_ids`` into ``survivor_id``; ``fields`` picks, field by field, whose value is kept."""
    return service.merge(session, scope, data)


@router.get("", response_model=Page[MergeRead], responses={403: _MERGE_ERRORS[403]})
def list_merges(
    session: DbSession,
    scope: ApiScope,
    entity: Entity | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[MergeRead]:
    """Merges whose surviving record the caller sees, newest first."""
    items, total = service.list_page(session, scope, entity, page, page_size)
    return Page[MergeRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("/dismissals", response_model=DismissResult, status_code=201, responses=_MERGE_ERRORS)
def dismiss(session: DbSession, scope: ApiScope, data: DismissRequest) -> DismissResult:
    """Mark records as not duplicates of each other: the finder no longer pairs any two of them."""
    return service.dismiss(session, scope, data)


@router.get("/dismissals", response_model=Page[DismissalRead], responses={403: _MERGE_ERRORS[403]})
def list_dismissals(
    session: DbSession,
    scope: ApiScope,
    entity: Entity = "customer",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[DismissalRead]:
    """Pairs marked as not duplicates whose two records the caller sees, newest first."""
    items, total = service.dismissals(session, scope, entity, page, page_size)
    return Page[DismissalRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.delete("/dismissals/{dismissal_id}", status_code=204, responses=_MERGE_ERRORS)
def undismiss(session: DbSession, scope: ApiScope, dismissal_id: PathId) -> None:
    """Remove a not-duplicates mark: the finder may pair the two records again."""
    service.undismiss(session, scope, dismissal_id)


@router.get("/{merge_id}", response_model=MergeRead, responses={403: _MERGE_ERRORS[403], 404: _MERGE_ERRORS[404]})
def get_merge(session: DbSession, scope: ApiScope, merge_id: PathId) -> object:
    return service.get(session, scope, merge_id)


@router.post("/{merge_id}/undo", response_model=MergeRead, responses=_MERGE_ERRORS)
def undo_merge(session: DbSession, scope: ApiScope, merge_id: PathId) -> object:
    """Undo a merge: the merged records come back with their children; the survivor's fields return to their
    before-values unless they changed since (listed in ``undo_note.kept``)."""
    return service.undo(session, scope, merge_id)
