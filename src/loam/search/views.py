"""The global search results page (the navbar's search box submits here)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.kit.http import DbSession, TxRoute
from loam.search import service
from loam.web.templating import render

router = APIRouter(route_class=TxRoute, prefix="/search", include_in_schema=False)
PAGE_LIMIT = 10


@router.get("", name="search:results")
def results(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    found = service.search(session, scope, q, PAGE_LIMIT) if q.strip() else None
    return render(request, "search/results.html", {"q": q, "found": found, "limit": PAGE_LIMIT})
