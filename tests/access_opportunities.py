"""Opportunities and saved views in the access matrix (tests/access.py): data scope Module.opportunities plus
team members; saved views are private to their author unless shared."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.helpers import scope_of


def _opportunity(session: Session, owner_id: int) -> int:
    from tests.opportunities.factories import make_opportunity

    return make_opportunity(session, owner_id, "矩阵测试商机").id


def _delete_opportunity(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.opportunities import service

    service.delete_(session, Scope.system(), record_id)


def _saved_view(session: Session, owner_id: int) -> int:
    from loam.savedviews import service
    from loam.savedviews.schemas import SavedViewWrite

    data = SavedViewWrite(name="矩阵测试视图", entity="opportunity", query="status=open")
    return service.create(session, scope_of(session, owner_id), data).id


def _delete_saved_view(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.savedviews import service

    service.delete(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="opportunity",
        make=_opportunity,
        api_detail="/api/v1/opportunities/{id}",
        api_list="/api/v1/opportunities?page_size=200",
        web_detail="/opportunities/{id}",
        write=("PUT", "/api/v1/opportunities/{id}", lambda v: {"name": "越权修改", "customer_id": 1, "version": v}),
        delete=_delete_opportunity,
        create=("/api/v1/opportunities", {"name": "无权限创建", "customer_id": 1}, "finance1"),
    ),
    Resource(
        name="saved_view",
        make=_saved_view,
        api_detail="/api/v1/saved-views/{id}",
        api_list="/api/v1/saved-views?page_size=200",
        web_detail=None,
        write=(
            "PUT",
            "/api/v1/saved-views/{id}",
            lambda v: {"name": "越权修改", "entity": "opportunity", "query": ""},
        ),
        delete=_delete_saved_view,
        # Private to its author: not even the author's manager or an administrator sees it.
        extra_visible={"director": False, "admin": False},
    ),
]
