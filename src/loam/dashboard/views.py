"""The home page: the logged-in user's real numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.dashboard import service
from loam.kit.http import DbSession, TxRoute
from loam.web.templating import render

router = APIRouter(route_class=TxRoute, include_in_schema=False)


@router.get("/", name="dashboard")
def dashboard(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return render(request, "dashboard/index.html", {"d": service.for_user(session, scope), "today": service.today()})
