"""Saving and deleting list views from any list page (the bar is ``savedviews/_bar.html``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.savedviews import service
from loam.savedviews.schemas import SavedViewWrite
from loam.web.forms import FormData, lax, parse, raise_invalid
from loam.web.templating import redirect

router = APIRouter(route_class=TxRoute, prefix="/saved-views", include_in_schema=False)


def _local(url: Any) -> str:
    """Only a path on this site (no scheme, host or protocol-relative URL) is followed back."""
    text = str(url or "/")
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


@router.post("", name="savedviews:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """Save the list's current query under a name and show the list with it."""
    back = _local(form.pop("next", None))
    form["query"] = form.get("query") or ""
    data, errors = parse(lax(SavedViewWrite), form)
    if data is None:
        raise_invalid(errors)
    view = service.create(session, scope, data)  # type: ignore[arg-type]
    return redirect(request, back + (f"?{view.query}" if view.query else ""))


@router.post("/{view_id:int}/delete", name="savedviews:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, view_id: PathId, form: FormData) -> Response:
    service.delete(session, scope, view_id)
    return redirect(request, _local(form.get("next")))
