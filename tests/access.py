"""The access matrix, written once and applied to every owned resource (DESIGN.md R28).

A resource registers how to make a record owned by a given user and which endpoints serve it. The
matrix then checks, for anonymous, the owner (ar1), the owner's manager (director), an admin, a user
in another team (ar2) and a user in another department (finance1): detail pages and API (200 or 404,
never 403 for what is out of scope), lists (out-of-scope records absent), writes by an out-of-scope
user (404, nothing changed), deleted records (404 for everyone), and creation without the permission (403).
Add new resources to RESOURCES (later issues too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tests import helpers


@dataclass
class Resource:
    name: str
    make: Callable[[Session, int], int]  # (session, owner user id) -> record id
    api_detail: str  # "/api/v1/customers/{id}"
    api_list: str
    web_detail: str | None
    write: tuple[str, str, Callable[[int], dict[str, Any]]] | None  # (method, path, body(version))
    delete: Callable[[Session, int], None] | None  # soft-delete through the service as the system
    create: tuple[str, dict[str, Any], str] | None = None  # (api path, body, a user without the permission)
    list_key: str = "items"
    extra_visible: dict[str, bool] = field(default_factory=dict)  # per-user overrides of the defaults


def _customer(session: Session, owner_id: int) -> int:
    return helpers.make_customer(session, owner_id, "矩阵测试客户").id


def _delete_customer(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.customers import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES: list[Resource] = [
    Resource(
        name="customer",
        make=_customer,
        api_detail="/api/v1/customers/{id}",
        api_list="/api/v1/customers?page_size=200",
        web_detail="/customers/{id}",
        write=("PUT", "/api/v1/customers/{id}", lambda v: {"name": "越权修改", "version": v}),
        delete=_delete_customer,
        create=("/api/v1/customers", {"name": "无权限创建"}, "finance1"),
    ),
]

# Who sees a record owned by ar1, by default.
VISIBLE = {"ar1": True, "director": True, "admin": True, "ar2": False, "finance1": False}


def _collect() -> None:
    """Each domain registers its resources in tests/access_<domain>.py (RESOURCES = [...])."""
    import importlib
    import pkgutil

    import tests

    for info in pkgutil.iter_modules(tests.__path__):
        if info.name.startswith("access_"):
            RESOURCES.extend(importlib.import_module(f"tests.{info.name}").RESOURCES)


_collect()
