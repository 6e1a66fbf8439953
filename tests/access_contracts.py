"""Contracts in the access matrix (tests/access.py): data scope Module.contracts plus team members."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.contracts.factories import make_contract


def _contract(session: Session, owner_id: int) -> int:
    return make_contract(session, owner_id, "矩阵测试合同").id


def _delete_contract(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.contracts import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="contract",
        make=_contract,
        api_detail="/api/v1/contracts/{id}",
        api_list="/api/v1/contracts?page_size=200",
        web_detail="/contracts/{id}",
        write=("PUT", "/api/v1/contracts/{id}", lambda v: {"name": "越权修改", "customer_id": 1, "version": v}),
        delete=_delete_contract,
        create=("/api/v1/contracts", {"name": "无权限创建", "customer_id": 1}, "finance1"),
    ),
]
