"""JSON endpoints for the caller's own notifications (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page
from loam.notifications import service
from loam.notifications.models import Notification
from loam.notifications.schemas import MarkedRead, NotificationRead, UnreadCount

router = APIRouter(route_class=TxRoute, prefix="/notifications", tags=["notifications"])


def _read(row: Notification) -> NotificationRead:
    out = NotificationRead.model_validate(row)
    out.message = service.message(row)
    return out


@router.get("", response_model=Page[NotificationRead])
def list_notifications(
    session: DbSession,
    scope: ApiScope,
    unread: bool = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[NotificationRead]:
    items, total = service.list_for_user(session, scope, unread, page, page_size)
    return Page[NotificationRead](items=[_read(n) for n in items], total=total, page=page, page_size=page_size)


@router.get("/unread-count", response_model=UnreadCount)
def unread_count(session: DbSession, scope: ApiScope) -> UnreadCount:
    return UnreadCount(unread=service.unread_count(session, scope))


@router.post("/read-all", response_model=MarkedRead)
def mark_all_read(session: DbSession, scope: ApiScope) -> MarkedRead:
    return MarkedRead(marked=service.mark_all_read(session, scope))


@router.post("/{notification_id}/read", response_model=NotificationRead)
def mark_read(session: DbSession, scope: ApiScope, notification_id: PathId) -> NotificationRead:
    return _read(service.mark_read(session, scope, notification_id))
