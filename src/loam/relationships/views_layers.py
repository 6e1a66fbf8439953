"""HTML sections of the customer's relationship page for the broad layer (coverage heat map) and the
organisational layer (checklist with an HTMX edit form per item). Thin: the services score and write."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.activities import service as activities_service
from loam.activities.schemas import KINDS
from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.contacts.schemas import LEVELS as LEVEL_LABELS
from loam.errors import NotFound
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.kit.schemas import IsoDate
from loam.org import service as org_service
from loam.relationships import access, coverage, orgmarks, orgscore
from loam.relationships.schemas_layers import AGREEMENT_KEY, AGREEMENT_SCOPES, OrgMarkWrite
from loam.relationships.scores import LayerScore
from loam.web.forms import FormData, submit
from loam.web.templating import is_htmx, redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
AsOf = Annotated[IsoDate | None, Query()]
ItemKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
SCOPE_LABELS = {"group": N_("Group-wide"), "region": N_("Regional"), "project": N_("Project")}
STATES = {
    "covered": N_("Covered"),
    "single": N_("Covered by one person only"),
    "open": N_("Not covered"),
    "empty": N_("No contact"),
}


def _state(cell: dict[str, Any]) -> str:
    if cell["covered"]:
        return "single" if cell["single_thread"] else "covered"
    return "open" if cell["contacts"] else "empty"


def _chart(score: LayerScore, names: dict[int, str]) -> dict[str, Any]:
    """What static/js/coverage.js draws: rows, levels and one entry per cell with its state and people."""
    d = score.details
    rows, levels = d["rows"], d["levels"]
    cells = [
        {
            "x": levels.index(c["level"]),
            "y": rows.index(c["dept"]),
            "state": _state(c),
            "contacts": [f"{m['name']} ({m['support']:+d})" for m in c["contacts"]],
            "coverers": [names.get(u, f"#{u}") for u in c["coverers"]],
        }
        for c in d["cells"]
    ]
    labels = {k: _(v) for k, v in STATES.items()} | {"contacts": _("Contacts"), "coverers": _("Covered by")}
    return {"rows": rows, "levels": [_(LEVEL_LABELS[lv]) for lv in levels], "cells": cells, "labels": labels}


@router.get("/customers/{customer_id}/relationships/coverage", name="relationships:coverage_section")
def coverage_section(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, as_of: AsOf = None
) -> Response:
    """The coverage heat map (departments × levels) with who covers each cell, a table, grade and points."""
    score, version = coverage.customer_score(session, scope, customer_id, as_of)
    return render(
        request, "relationships/_coverage_section.html", coverage_context(session, customer_id, score, version, as_of)
    )


def coverage_context(
    session: Session, customer_id: int, score: LayerScore, version: int, as_of: Any = None
) -> dict[str, Any]:
    """What the coverage section shows, from the customer's coverage score (computed in scope by the caller)."""
    d = score.details
    names = org_service.names_by_id(session, {u for c in d["cells"] for u in c["coverers"]})
    width = len(d["levels"])
    table = [{"dept": row, "cells": d["cells"][i * width : (i + 1) * width]} for i, row in enumerate(d["rows"])]
    return {
        "customer_id": customer_id,
        "s": score,
        "version": version,
        "as_of": as_of or coverage.today(),
        "names": names,
        "table": table,
        "chart": _chart(score, names),
        "state_of": _state,
        "STATES": STATES,
        "LEVEL_LABELS": LEVEL_LABELS,
    }


def _followups(session: Session, scope: Scope, customer_id: int, wanted: set[int], choosing: bool) -> list[Any]:
    """The follow-ups chosen as evidence; when ``choosing`` (a form is open), also the 50 latest of the customer
    to choose from."""
    recent = activities_service.timeline(session, scope, customer_id=customer_id, limit=50) if choosing else []
    have = {f.id for f in recent}
    for fid in sorted(wanted - have):
        try:
            recent.append(activities_service.get(session, scope, fid))
        except NotFound:
            continue
    return recent


def _org(
    request: Request,
    session: Session,
    scope: Scope,
    customer_id: int,
    editing: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    score, version = orgscore.customer_score(session, scope, customer_id)
    ctx = org_context(session, scope, customer_id, score, version, choosing=editing is not None)
    ctx |= {"editing": editing, "values": values, "errors": errors or {}}
    return render(request, "relationships/_org_section.html", ctx, status_code=status)


def org_context(
    session: Session, scope: Scope, customer_id: int, score: LayerScore, version: int, choosing: bool = False
) -> dict[str, Any]:
    """What the organisational section shows (nothing being edited), from the customer's checklist score;
    ``choosing``: a mark's form will be open, so the recent follow-ups to choose evidence from are read too."""
    rows = score.details["items"] + score.details["retired"]
    wanted = {int(i) for r in rows for i in r["followup_ids"]}
    followups = _followups(session, scope, customer_id, wanted, choosing)
    return {
        "customer_id": customer_id,
        "s": score,
        "version": version,
        "editing": None,
        "values": None,
        "errors": {},
        "followups": followups,
        "followups_by_id": {f.id: f for f in followups},
        "KINDS": KINDS,
        "AGREEMENT_KEY": AGREEMENT_KEY,
        "scopes": [(value, _(SCOPE_LABELS[name])) for value, name in AGREEMENT_SCOPES],
        "can_edit": scope.can("relationships.update"),
        "today": coverage.today(),
    }


@router.get("/customers/{customer_id}/relationships/org", name="relationships:org_section")
def org_section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The organisational checklist: items, weights, marks with evidence, score, grade and points."""
    return _org(request, session, scope, customer_id)


@router.get("/customers/{customer_id}/relationships/org/{item_key}/edit", name="relationships:org_edit")
def org_edit(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, item_key: ItemKey
) -> Response:
    """The checklist with the edit form of one item open (needs relationships.update)."""
    access.customer(session, scope, customer_id, write=True)
    orgmarks.item(session, item_key)
    return _org(request, session, scope, customer_id, editing=item_key)


@router.post("/customers/{customer_id}/relationships/org/{item_key}", name="relationships:org_save")
def org_save(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, item_key: ItemKey, form: FormData
) -> Response:
    """Save one item's mark; on bad input the form comes back with the messages (422)."""
    _done, failed = submit(
        session,
        form,
        OrgMarkWrite,
        lambda data: orgmarks.set_mark(session, scope, customer_id, item_key, data),
        lambda errors, status: _org(request, session, scope, customer_id, item_key, form, errors, status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return _done_response(request, session, scope, customer_id)


@router.post("/customers/{customer_id}/relationships/org/{item_key}/clear", name="relationships:org_clear")
def org_clear(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, item_key: ItemKey, form: FormData
) -> Response:
    """Clear one item's mark (the version sent with the form guards against clearing a newer edit)."""
    version = str(form.get("version") or "")
    orgmarks.clear_mark(session, scope, customer_id, item_key, int(version) if version.isdigit() else None)
    return _done_response(request, session, scope, customer_id)


def _done_response(request: Request, session: Session, scope: Scope, customer_id: int) -> Response:
    if is_htmx(request):
        return _org(request, session, scope, customer_id)
    return redirect(request, str(request.url_for("relationships:customer", customer_id=customer_id)) + "#rel-org")
