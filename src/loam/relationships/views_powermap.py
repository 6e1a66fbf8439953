"""HTML of the power map (thin): the full map page (graph, legend, edit panel, tables), the section of the
customer's relationship page, the node edit panel, link forms, and the status badges of opportunity lists."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.relationships import powermap
from loam.relationships.schemas_powermap import (
    CHAINS,
    CONTACT_ROLES,
    EDGE_KINDS,
    INFLUENCE,
    LINK_KINDS,
    STATUS_HELP,
    STATUSES,
    SUPPORT,
    NodeEdit,
    PowerLinkCreate,
    PowerLinkUpdate,
)
from loam.web.forms import FormData, lax, submit
from loam.web.templating import is_htmx, redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
OpportunityId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
CHANGED = {"HX-Trigger": "powermap-changed"}
MAX_BADGES = 500


def _labels() -> dict[str, Any]:
    return {
        "ROLES": dict(translated(CONTACT_ROLES)),
        "CHAINS": dict(translated(CHAINS)),
        "LINK_KINDS": dict(translated(LINK_KINDS)),
        "EDGE_KINDS": dict(translated(EDGE_KINDS)),
        "SUPPORT": dict(translated({str(k): v for k, v in SUPPORT.items()})),
        "INFLUENCE": dict(translated(INFLUENCE)),
        "STATUSES": dict(translated(STATUSES)),
        "STATUS_HELP": dict(translated(STATUS_HELP)),
    }


def _map_url(request: Request, customer_id: int, opportunity_id: int | None) -> str:
    url = request.url_for("relationships:powermap", customer_id=customer_id)
    return str(url.include_query_params(opportunity_id=opportunity_id) if opportunity_id else url)


def _opportunity_id(form: dict[str, Any]) -> int | None:
    from loam.web.forms import record_id

    return record_id(form.pop("opportunity_id", None))


@router.get("/customers/{customer_id}/power-map", name="relationships:powermap")
def page(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, opportunity_id: OpportunityId = None
) -> Response:
    """The map as a graph (ECharts) with its legend, the edit panel, the add-link form and, below, the same map as
    plain tables (which work without JavaScript)."""
    pm = powermap.read_map(session, scope, customer_id, opportunity_id)
    ctx = {
        "pm": pm,
        "map_json": pm.read.model_dump(mode="json"),
        "opportunities": powermap.opportunities_of(session, scope, customer_id),
    }
    return render(request, "relationships/powermap.html", ctx | _labels())


@router.get("/customers/{customer_id}/relationships/powermap", name="relationships:powermap_section")
def section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The section of the customer's relationship page: status, key players and a link to the full map."""
    pm = powermap.read_map(session, scope, customer_id)
    return render(request, "relationships/_powermap_section.html", {"pm": pm} | _labels())


@router.get("/customers/{customer_id}/power-map/tables", name="relationships:powermap_tables")
def tables(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, opportunity_id: OpportunityId = None
) -> Response:
    """HTMX fragment: the nodes and links tables (refreshed after an edit)."""
    pm = powermap.read_map(session, scope, customer_id, opportunity_id)
    return render(request, "relationships/_powermap_tables.html", {"pm": pm} | _labels())


def _panel(
    request: Request,
    pm: powermap.PowerMap,
    contact_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    node = pm.node(contact_id)
    if node is None:
        from loam.errors import NotFound
        from loam.kit.i18n import gettext as _

        raise NotFound(_("Contact not found."))
    if values is None:
        values = node.model_dump() | {"version": node.profile_version, "reports_to_id": node.reports_to_id}
    ctx = {"pm": pm, "node": node, "values": values, "errors": errors or {}, "saved": saved}
    name = "relationships/_powermap_panel.html" if is_htmx(request) else "relationships/powermap_node.html"
    headers = CHANGED if saved else None
    response = render(request, name, ctx | _labels(), status_code=status)
    if headers:
        response.headers.update(headers)
    return response


@router.get("/customers/{customer_id}/power-map/nodes/{contact_id}", name="relationships:powermap_node")
def node_panel(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    customer_id: PathId,
    contact_id: PathId,
    opportunity_id: OpportunityId = None,
) -> Response:
    """The edit panel of one node (an HTMX fragment; a page of its own without JavaScript)."""
    return _panel(request, powermap.read_map(session, scope, customer_id, opportunity_id), contact_id)


def _node_values(form: dict[str, Any]) -> dict[str, Any]:
    form.setdefault("coach", "false")
    form["set_reports_to"] = "true"
    return form


@router.post("/customers/{customer_id}/power-map/nodes/{contact_id}", name="relationships:powermap_node_save")
def node_save(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, contact_id: PathId, form: FormData
) -> Response:
    """Save the edit panel; HTMX gets the panel back (with ``HX-Trigger: powermap-changed``), a plain form post
    is redirected to the map. Errors re-render the panel with the messages (422 / 409)."""
    opportunity_id = _opportunity_id(form)
    values = _node_values(form)
    done, failed = submit(
        session,
        values,
        lax(NodeEdit),
        lambda d: powermap.edit_node(session, scope, customer_id, contact_id, d, opportunity_id),
        lambda errors, status: _panel(
            request,
            powermap.read_map(session, scope, customer_id, opportunity_id),
            contact_id,
            values,
            errors,
            status=status,
        ),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    if not is_htmx(request):
        return redirect(request, _map_url(request, customer_id, opportunity_id))
    return _panel(request, done, contact_id, saved=True)


def _after_link(request: Request, customer_id: int, opportunity_id: int | None) -> Response:
    if is_htmx(request):
        return Response(status_code=204, headers=CHANGED)
    return redirect(request, _map_url(request, customer_id, opportunity_id))


def _link_error(request: Request, session: Any, scope: Scope, customer_id: int, opportunity_id: int | None) -> Any:
    def rerender(errors: dict[str, str], status: int) -> Response:
        pm = powermap.read_map(session, scope, customer_id, opportunity_id)
        ctx = {"pm": pm, "link_errors": errors}
        if is_htmx(request):
            return render(request, "relationships/_powermap_link_form.html", ctx | _labels(), status_code=status)
        ctx |= {
            "map_json": pm.read.model_dump(mode="json"),
            "opportunities": powermap.opportunities_of(session, scope, customer_id),
        }
        return render(request, "relationships/powermap.html", ctx | _labels(), status_code=status)

    return rerender


def _link_form(
    request: Request, session: Any, scope: Scope, customer_id: int, form: dict[str, Any], schema: Any, act: Any
) -> Response:
    """Parse a link form with ``schema``, call ``act(data)``; the map (or the link form) again with the errors."""
    opportunity_id = _opportunity_id(form)
    _done, failed = submit(
        session, form, lax(schema), act, _link_error(request, session, scope, customer_id, opportunity_id)
    )
    return failed if failed is not None else _after_link(request, customer_id, opportunity_id)  # type: ignore[no-any-return]


@router.post("/customers/{customer_id}/power-map/links", name="relationships:powermap_link_add")
def link_add(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData
) -> Response:
    """Add an informal link chosen on the page (two contacts, kind, strength)."""
    act = lambda d: powermap.add_link(session, scope, customer_id, d)  # noqa: E731
    return _link_form(request, session, scope, customer_id, form, PowerLinkCreate, act)


@router.post("/customers/{customer_id}/power-map/links/{link_id}/edit", name="relationships:powermap_link_update")
def link_update(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, link_id: PathId, form: FormData
) -> Response:
    """Change a link's kind or strength from the links table."""
    act = lambda d: powermap.update_link(session, scope, link_id, d)  # noqa: E731
    return _link_form(request, session, scope, customer_id, form, PowerLinkUpdate, act)


@router.post("/customers/{customer_id}/power-map/links/{link_id}/delete", name="relationships:powermap_link_delete")
def link_delete(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, link_id: PathId, form: FormData
) -> Response:
    opportunity_id = _opportunity_id(form)
    powermap.remove_link(session, scope, link_id)
    return _after_link(request, customer_id, opportunity_id)


@router.get("/power-map/badges", name="relationships:powermap_badges")
def badges(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    ids: Annotated[str, Query(max_length=6000, pattern=r"^[0-9,]*$")] = "",
) -> Response:
    """HTMX: the power-map status badges of the listed opportunities the caller can see, each swapped out of band
    into ``#pm-badge-<id>`` (one request for a whole list or kanban)."""
    wanted = [int(x) for x in re.findall(r"\d{1,10}", ids) if 1 <= int(x) <= MAX_ID][:MAX_BADGES]
    statuses = powermap.visible_statuses(session, scope, wanted)
    return render(request, "relationships/_powermap_badges.html", {"statuses": statuses} | _labels())
