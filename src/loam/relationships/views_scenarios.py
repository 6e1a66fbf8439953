"""Pages of the 12+1 contact scenarios: the catalogue admin page (``relationships.manage``), the scenario select of
the follow-up form, and the scenario panel of a follow-up (ticks, money, rating) on the timeline and the edit page.

The follow-up form posts to the activities domain; its scenario select is this module's fragment, and the follow-up
views hand the two fields it adds to :func:`apply_form`, in the same transaction as the follow-up itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Invalid, LoamError, NotFound
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.relationships import access
from loam.relationships import scenarios as service
from loam.relationships.schemas_scenarios import (
    LAYERS,
    MAX_ITEMS,
    QUALITIES,
    FollowUpScenarioWrite,
    RatingWrite,
    ScenarioCreate,
    ScenarioEdit,
    ScenarioUpdate,
)
from loam.web.forms import FormData, errors_of, lax, parse, raise_invalid, record_id
from loam.web.templating import is_htmx, redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
BLANK_ROWS = 3


# --- the catalogue (relationships.manage) ---


def _catalogue(
    request: Request, session: Session, scope: Scope, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    access.require_manage(scope)
    ctx = {
        "items": service.list_scenarios(session, active_only=False),
        "usage": service.usage(session),
        "layers": dict(translated(LAYERS)),
        "errors": errors or {},
    }
    return render(request, "relationships/scenarios.html", ctx, status_code=status)


def _rows(checklist: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklist editor's rows: the items, then a few blank ones for new items."""
    rows = [{"zh": i.get("zh") or "", "en": i.get("en") or "", "was": i.get("was")} for i in checklist]
    return rows + [{"zh": "", "en": "", "was": None} for _n in range(min(BLANK_ROWS, MAX_ITEMS - len(rows)))]


def _form_page(
    request: Request,
    scenario: Any,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "s": scenario,
        "values": values,
        "rows": _rows(values.get("checklist") or []),
        "layers": translated(LAYERS),
        "errors": errors or {},
    }
    return render(request, "relationships/scenario_form.html", ctx, status_code=status)


def _checklist(form: dict[str, Any]) -> list[dict[str, Any]]:
    """``item_<n>_zh / _en / _was / _order / _remove`` rows → the items, by their order number, then by row."""
    found = []
    for n in range(min(record_id(form.get("rows")) or 0, MAX_ITEMS + BLANK_ROWS)):
        zh, en = form.get(f"item_{n}_zh"), form.get(f"item_{n}_en")
        if form.get(f"item_{n}_remove") or not (zh or en):
            continue
        order = record_id(form.get(f"item_{n}_order")) or 10_000 + n
        was = str(form.get(f"item_{n}_was") or "")
        found.append((order, n, {"zh": zh, "en": en, "was": int(was) if was.isdigit() else None}))
    return [item for _o, _n, item in sorted(found, key=lambda t: (t[0], t[1]))]


def _save(request: Request, session: Session, scope: Scope, form: dict[str, Any], scenario_id: int | None) -> Response:
    access.require_manage(scope)
    scenario = service.get_scenario(session, scenario_id) if scenario_id else None
    values = {k: v for k, v in form.items() if not k.startswith("item_") and k != "rows"}
    values["checklist"] = _checklist(form)
    data, errors = parse(lax(ScenarioEdit if scenario else ScenarioCreate), values)
    if data is not None:
        try:
            if scenario is None:
                service.create_scenario(session, scope, data)  # type: ignore[arg-type]
            else:
                update = ScenarioUpdate.model_validate(data.model_dump())
                service.update_scenario(session, scope, scenario.id, update)
            return redirect(request, str(request.url_for("relationships:scenarios")))
        except LoamError as exc:
            if exc.status_code in (403, 404):
                raise
            session.rollback()
            errors = errors_of(exc) | {"status": str(exc.status_code)}
    errors.setdefault("__all__", "; ".join(f"{k}: {v}" for k, v in errors.items() if k != "status"))
    status = int(errors.pop("status", 422))
    return _form_page(request, scenario, values, errors, status)


@router.get("/relationships/scenarios", name="relationships:scenarios")
def catalogue(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    """The 12+1 catalogue: order, usage, activate / deactivate, delete the never-used ones."""
    return _catalogue(request, session, scope)


@router.get("/relationships/scenarios/new", name="relationships:scenario_new")
def new_scenario(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    access.require_manage(scope)
    return _form_page(request, None, {"layer": "key", "currency": "CNY", "active": True, "checklist": []})


@router.post("/relationships/scenarios", name="relationships:scenario_create")
def create_scenario(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    return _save(request, session, scope, form, None)


@router.get("/relationships/scenarios/{scenario_id:int}", name="relationships:scenario_edit")
def edit_scenario(request: Request, session: DbSession, scope: CurrentScope, scenario_id: PathId) -> Response:
    access.require_manage(scope)
    s = service.get_scenario(session, scenario_id)
    values = {k: getattr(s, k) for k in ScenarioUpdate.model_fields if k != "checklist"}
    values["checklist"] = [dict(item, was=i) for i, item in enumerate(s.checklist or [])]
    return _form_page(request, s, values)


@router.post("/relationships/scenarios/{scenario_id:int}", name="relationships:scenario_update")
def update_scenario(
    request: Request, session: DbSession, scope: CurrentScope, scenario_id: PathId, form: FormData
) -> Response:
    return _save(request, session, scope, form, scenario_id)


@router.post("/relationships/scenarios/{scenario_id:int}/{op}", name="relationships:scenario_action")
def scenario_action(
    request: Request, session: DbSession, scope: CurrentScope, scenario_id: PathId, op: str
) -> Response:
    """``up`` / ``down``, ``activate`` / ``deactivate``, ``delete`` (only a never-used scenario)."""
    actions = {
        "up": lambda: service.move(session, scope, scenario_id, -1),
        "down": lambda: service.move(session, scope, scenario_id, 1),
        "activate": lambda: service.set_active(session, scope, scenario_id, True),
        "deactivate": lambda: service.set_active(session, scope, scenario_id, False),
        "delete": lambda: service.delete_scenario(session, scope, scenario_id),
    }
    if op not in actions:
        raise NotFound(_("Page not found."))
    try:
        actions[op]()
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _catalogue(request, session, scope, errors_of(exc), exc.status_code)
    return redirect(request, str(request.url_for("relationships:scenarios")))


# --- the scenario select of the follow-up form ---


def apply_form(session: Session, scope: Scope, followup_id: int, form: dict[str, Any]) -> None:
    """The follow-up form's scenario select, applied after the follow-up is created or saved (same transaction):
    nothing when it still shows the scenario it was rendered with (``scenario_was``); else the follow-up switches
    scenario (blank: none). A refusal (422, 403) is the whole form's: the follow-up is not written either."""
    chosen, was = form.get("scenario_id"), form.get("scenario_was")
    if chosen and record_id(chosen) is None:
        msg = _("Choose one of the active scenarios.")
        raise Invalid(msg, detail={"scenario_id": msg})
    if record_id(chosen) != record_id(was):
        service.change_scenario(session, scope, followup_id, record_id(chosen))


@router.get("/relationships/scenarios/select", name="relationships:scenario_select")
def scenario_select(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    followup_id: Annotated[str | None, Query(max_length=12)] = None,
    selected: Annotated[str | None, Query(max_length=12)] = None,
    was: Annotated[str | None, Query(max_length=12)] = None,
    keep: Annotated[str | None, Query(max_length=5)] = None,
    compact: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    """The scenario ``<select>`` of the follow-up form (with the scenario it was rendered with, so an unchanged
    select changes nothing); ``keep``: a form that came back with errors keeps what was chosen."""
    if not scope.can(Permission.relationships_update):
        return HTMLResponse("")
    access.require_view(scope)
    current = None
    if record_id(followup_id):
        current = service.of_followup(session, scope, record_id(followup_id) or 0)[1]
    kept = keep == "true"
    was_id = record_id(was) if kept else (current.scenario_id if current else None)
    chosen = record_id(selected) if kept else was_id
    options = [s for s in service.list_scenarios(session, active_only=False) if s.active or s.id == was_id]
    ctx = {"options": options, "chosen": chosen, "was": was_id, "compact": compact == "true"}
    return render(request, "relationships/_scenario_select.html", ctx)


# --- the scenario panel of a follow-up ---


def _panel(request: Request, session: Session, scope: Scope, followup_id: int) -> Response:
    followup, record = service.of_followup(session, scope, followup_id)
    editable = service.can_edit(session, scope, followup)
    rater_id = record.rated_by if record is not None else None
    scenario = service.get_scenario(session, record.scenario_id) if record else None
    if record is None and not editable:
        return HTMLResponse(f'<div id="scenario-panel-{followup.id}" class="d-none"></div>')
    current = record.scenario_id if record else None
    options = [s for s in service.list_scenarios(session, active_only=False) if s.active or s.id == current]
    ctx = {
        "f": followup,
        "rec": record,
        "sc": scenario,
        "editable": editable,
        "options": options,
        "layers": dict(translated(LAYERS)),
        "qualities": [(k, _(v)) for k, v in QUALITIES.items()],
        "suggestions": service.suggestions(session, followup, record),
        "now": utcnow(),
        "rater": org_service.names_by_id(session, {rater_id}).get(rater_id) if rater_id else None,
    }
    return render(request, "relationships/_followup_scenario.html", ctx)


def _after_write(request: Request, session: Session, scope: Scope, followup_id: int) -> Response:
    """HTMX: the panel again; a plain form post: back to the follow-up's edit page, where the panel is."""
    if is_htmx(request):
        return _panel(request, session, scope, followup_id)
    return redirect(request, str(request.url_for("followups:edit", followup_id=followup_id)))


@router.get("/followups/{followup_id}/scenario", name="relationships:followup_scenario")
def followup_scenario(request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId) -> Response:
    """The compact scenario panel of a follow-up: scenario, checklist with ticks, money spent, rating."""
    return _panel(request, session, scope, followup_id)


@router.post("/followups/{followup_id}/scenario", name="relationships:followup_scenario_save")
def save_followup_scenario(
    request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId, form: FormData
) -> Response:
    """Ticks, guests and money spent (errors: a 422 message, nothing written)."""
    data, errors = parse(lax(FollowUpScenarioWrite), form)
    if data is None:
        raise_invalid(errors)
    service.choose(session, scope, followup_id, data)  # type: ignore[arg-type]
    return _after_write(request, session, scope, followup_id)


@router.post("/followups/{followup_id}/scenario/pick", name="relationships:followup_scenario_pick")
def pick_followup_scenario(
    request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId, form: FormData
) -> Response:
    """Pick or change the scenario (ticks start again), or none."""
    chosen = form.get("scenario_id")
    if chosen and record_id(chosen) is None:
        raise_invalid({"scenario_id": _("Choose one of the active scenarios.")})
    version = form.get("version")
    if version and record_id(version) is None:  # a version that is not one: refused, nothing written
        raise_invalid({"version": _("Someone else changed this follow-up's scenario. Reload and try again.")})
    service.change_scenario(session, scope, followup_id, record_id(chosen), record_id(version))
    return _after_write(request, session, scope, followup_id)


@router.post("/followups/{followup_id}/scenario/rating", name="relationships:followup_scenario_rate")
def rate_followup_scenario(
    request: Request, session: DbSession, scope: CurrentScope, followup_id: PathId, form: FormData
) -> Response:
    data, errors = parse(lax(RatingWrite), form)
    if data is None:
        raise_invalid(errors)
    service.rate(session, scope, followup_id, data)  # type: ignore[arg-type]
    return _after_write(request, session, scope, followup_id)
