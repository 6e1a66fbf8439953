"""JSON endpoint of the global search (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, TxRoute
from loam.search import service
from loam.search.schemas import SearchQuery, SearchResults

router = APIRouter(route_class=TxRoute, prefix="/search", tags=["search"])


@router.get("", response_model=SearchResults)
def search(session: DbSession, scope: ApiScope, params: Annotated[SearchQuery, Query()]) -> SearchResults:
    """Customers, contacts and leads whose name, company, phone (any format: "138-0013-8000" finds
    +8613800138000) or e-mail contains ``q`` (Chinese substrings too), opportunities by name and contracts by
    number or name; case-insensitive; up to ``limit`` of each kind, newest first; only records the caller may
    see (a kind the caller may not view comes back empty)."""
    return service.search(session, scope, params.q, params.limit)
