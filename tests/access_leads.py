"""Leads in the access matrix (tests/access.py): data scope Module.leads, no team members, no pools."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.leads.factories import make_lead


def _lead(session: Session, owner_id: int) -> int:
    return make_lead(session, owner_id, "矩阵测试线索", company="矩阵测试公司").id


def _delete_lead(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.leads import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="lead",
        make=_lead,
        api_detail="/api/v1/leads/{id}",
        api_list="/api/v1/leads?page_size=200",
        web_detail="/leads/{id}",
        write=("PUT", "/api/v1/leads/{id}", lambda v: {"name": "越权修改", "version": v}),
        delete=_delete_lead,
        create=("/api/v1/leads", {"name": "无权限创建"}, "finance1"),
    ),
]
