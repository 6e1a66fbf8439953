"""The settings editor page (关系方法设置, thin): every section of the method's settings in one form, saved as a
new version; the version history with who, when and the note."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit.choices import INDUSTRIES
from loam.kit.http import DbSession, TxRoute
from loam.org import service as org_service
from loam.relationships import settings_editor
from loam.relationships.settings import LEVELS
from loam.web.forms import FormData, errors_of, record_id
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)


def _page(
    request: Request, session: Session, scope: Scope, data: dict[str, Any], base: int, errors: dict[str, str],
    note: str | None = None, status: int = 200, saved: int | None = None,
) -> Response:  # fmt: skip
    rows = settings_editor.history(session, scope)
    ctx = {
        "data": data,
        "base_version": base,
        "errors": errors,
        "note": note,
        "saved": saved,
        "history": rows,
        "names": org_service.names_by_id(session, {r.created_by for r in rows}),
        "template_keys": settings_editor.template_keys(data),
        "INDUSTRIES": INDUSTRIES,
        "LEVELS": LEVELS,
        "blank_items": settings_editor.BLANK_ITEMS,
    }
    return render(request, "relationships/settings.html", ctx, status_code=status)


@router.get("/relationships/settings", name="relationships:settings")
def settings_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    from_version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    saved: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The settings in force (or a past version loaded into the form, to restore it), and the history."""
    current = settings_editor.current(session, scope)
    settings_editor.history(session, scope)  # relationships.manage (403) before anything is shown
    shown = settings_editor.version(session, scope, from_version) if from_version else current
    return _page(request, session, scope, shown.data, current.version, {}, saved=saved)


@router.post("/relationships/settings", name="relationships:settings_save")
def settings_save(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """Store the form as the next version; bad input or a stale page re-renders the form with the messages (422 /
    409), nothing stored."""
    settings_editor.require_manage(scope)
    base = record_id(form.get("base_version"))
    data, errors = settings_editor.parse(form)
    if data is None:
        return _page(
            request, session, scope, settings_editor.to_document(form), base or 0, errors, form.get("note"), 422
        )
    try:
        row = settings_editor.save(session, scope, data, base)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        doc = settings_editor.to_document(form)
        return _page(request, session, scope, doc, base or 0, errors_of(exc), form.get("note"), exc.status_code)
    return redirect(request, str(request.url_for("relationships:settings").include_query_params(saved=row.version)))
