"""Typed factories for product tests; they go through the real services (R27)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.products import service
from loam.products.models import Product, ProductCategory
from loam.products.schemas import CategoryWrite, ProductCreate, ProductLineWrite
from tests.helpers import scope_of


def make_product(
    session: Session, admin_id: int, code: str = "P-001", name: str = "云服务器", price: str = "1234.50", **fields: Any
) -> Product:
    data = ProductCreate(code=code, name=name, list_price=Decimal(price), **fields)
    product = service.create(session, scope_of(session, admin_id), data)
    session.flush()
    return product


def make_category(session: Session, admin_id: int, name: str, parent_id: int | None = None) -> ProductCategory:
    return service.create_category(session, scope_of(session, admin_id), CategoryWrite(name=name, parent_id=parent_id))


def line(
    product_id: int, quantity: str, discount: str | None = None, sale: str | None = None, **kw: Any
) -> ProductLineWrite:
    return ProductLineWrite(
        product_id=product_id,
        quantity=Decimal(quantity),
        discount_pct=None if discount is None else Decimal(discount),
        sale_price=None if sale is None else Decimal(sale),
        **kw,
    )
