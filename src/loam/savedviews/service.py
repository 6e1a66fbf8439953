"""Saved list views (保存的视图): any list page saves its query string under a name, for the user alone or
shared with everyone. A view only stores filters; the list still applies the reader's own data scope."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.i18n import gettext as _
from loam.savedviews import repository as repo
from loam.savedviews.models import SavedView
from loam.savedviews.schemas import SavedViewWrite

# Query parameters that are not part of a view (paging, form plumbing).
DROPPED = {"page", "csrf_token"}


def clean_query(query: str) -> str:
    """The query string without a leading "?", paging or empty values, re-encoded."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in DROPPED]
    return urlencode(pairs)


def for_entity(session: Session, scope: Scope, entity: str) -> list[SavedView]:
    """The caller's own views of a list first, then those others shared, by name."""
    return repo.for_entity(session, scope, entity)


def list_page(
    session: Session, scope: Scope, entity: str | None, page: int = 1, size: int = 50
) -> tuple[list[SavedView], int]:
    """The caller's own and the shared views, optionally of one entity."""
    return repo.page(session, scope, entity, page, size)


def get(session: Session, scope: Scope, view_id: int) -> SavedView:
    """A view the caller owns or that is shared, else 404."""
    view = repo.get(session, scope, view_id)
    if view is None:
        raise NotFound(_("Saved view not found."))
    return view


def _mine(session: Session, scope: Scope, view_id: int) -> SavedView:
    view = get(session, scope, view_id)
    if view.user_id != scope.user_id and not scope.is_system:
        raise Forbidden(_("Only the person who saved this view can change it."))
    return view


def create(session: Session, scope: Scope, data: SavedViewWrite) -> SavedView:
    """Save a view for the caller; the same name twice for one list is a 409."""
    if scope.user_id is None:
        raise Invalid(_("Only a user can save a view."))
    if repo.by_name(session, scope.user_id, data.entity, data.name) is not None:
        raise Conflict(_("You already have a view with this name."), detail={"name": _("Choose another name.")})
    view = SavedView(
        user_id=scope.user_id, entity=data.entity, name=data.name, query=clean_query(data.query), shared=data.shared
    )
    session.add(view)
    session.flush()
    return view


def update(session: Session, scope: Scope, view_id: int, data: SavedViewWrite) -> SavedView:
    """Rename, re-query or (un)share one of the caller's views (403 for someone else's shared view)."""
    view = _mine(session, scope, view_id)
    other = repo.by_name(session, view.user_id, data.entity, data.name)
    if other is not None and other.id != view.id:
        raise Conflict(_("You already have a view with this name."), detail={"name": _("Choose another name.")})
    view.name, view.entity, view.query, view.shared = data.name, data.entity, clean_query(data.query), data.shared
    session.flush()
    return view


def delete(session: Session, scope: Scope, view_id: int) -> None:
    """Delete one of the caller's views (403 for someone else's shared view)."""
    view = _mine(session, scope, view_id)
    session.delete(view)
    session.flush()
