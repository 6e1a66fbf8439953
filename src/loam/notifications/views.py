"""Notification pages: the list, the navbar badge, mark read (one, all) and open (mark read, then follow)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.routing import NoMatchFound

from loam.auth.deps import CurrentScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.notifications import service
from loam.notifications.models import Notification
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/notifications", include_in_schema=False)

# entity → (route name, path parameter) of the page a notification links to.
LINKS = {
    "customer": ("customers:detail", "customer_id"),
    "pool": ("pools:detail", "pool_id"),
    "opportunity": ("opportunities:detail", "opportunity_id"),
    "contract": ("contracts:detail", "contract_id"),
    "receivable_plan": ("receivables:plan", "plan_id"),
    "receivable": ("receivables:detail", "receivable_id"),
    "approval": ("approvals:detail", "instance_id"),
    "contact": ("contacts:detail", "contact_id"),
    "relationships": ("relationships:customer", "customer_id"),
    "oa_request": ("oa:detail", "request_id"),
}


def link(request: Request, n: Notification) -> str | None:
    target = LINKS.get(n.entity or "")
    if target is None or n.entity_id is None:
        return None
    try:
        return str(request.url_for(target[0], **{target[1]: n.entity_id}))
    except NoMatchFound:  # the linked domain is not installed
        return None


@router.get("", name="notifications:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    unread: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    items, total = service.list_for_user(session, scope, unread, page, 25)
    ctx = {
        "items": [(n, service.message(n), link(request, n)) for n in items],
        "total": total,
        "page": page,
        "page_size": 25,
        "unread": unread,
        "unread_count": service.unread_count(session, scope),
    }
    return render(request, "notifications/list.html", ctx)


@router.get("/badge", name="notifications:badge")
def badge(request: Request, session: DbSession, scope: CurrentScope) -> HTMLResponse:
    return render(request, "notifications/_badge.html", {"count": service.unread_count(session, scope)})


@router.post("/read-all", name="notifications:read_all")
def read_all(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    service.mark_all_read(session, scope)
    return redirect(request, str(request.url_for("notifications:list")))


@router.post("/{notification_id}/read", name="notifications:read")
def read(request: Request, session: DbSession, scope: CurrentScope, notification_id: PathId) -> Response:
    service.mark_read(session, scope, notification_id)
    return redirect(request, str(request.url_for("notifications:list")))


@router.post("/{notification_id}/open", name="notifications:open")
def open_(request: Request, session: DbSession, scope: CurrentScope, notification_id: PathId) -> Response:
    n = service.mark_read(session, scope, notification_id)
    return redirect(request, link(request, n) or str(request.url_for("notifications:list")))
