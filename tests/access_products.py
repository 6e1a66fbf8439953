"""Products in the access matrix (tests/access.py). The catalogue is not owned: everyone with products.view
(every built-in role) sees every live product, so ar2 and finance1 see ar1's record too; writing needs
products.manage, which ar1 lacks. There is no out-of-scope write (nobody with products.view is out of scope),
so the 404-on-write check does not apply; tests/products/test_api.py checks the 403s instead."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.helpers import scope_of


def _product(session: Session, owner_id: int) -> int:
    from loam.products import service
    from loam.products.schemas import ProductCreate

    # Products are created by catalogue managers; "owner" only names who asked for the record.
    admin = scope_of(session, _admin_id(session))
    data = ProductCreate(code=f"MATRIX-{owner_id}", name="矩阵测试产品", list_price=Decimal("10"))
    return service.create(session, admin, data).id


def _admin_id(session: Session) -> int:
    from sqlalchemy import select

    from loam.org.models import User

    return session.scalars(select(User.id).where(User.username == "admin")).one()


def _delete_product(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.products import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="product",
        make=_product,
        api_detail="/api/v1/products/{id}",
        api_list="/api/v1/products?page_size=200&q=MATRIX",
        web_detail="/products/{id}",
        write=None,
        delete=_delete_product,
        create=("/api/v1/products", {"code": "NOPE-1", "name": "无权限创建"}, "ar1"),
        extra_visible={"ar2": True, "finance1": True},
    ),
]
