"""What the browser tests need beyond the demo org: one public pool covering the account department, and a
small product catalogue (one category of transport equipment with two products) for the opportunity-to-cash
flow (tests/e2e/test_opportunity_to_cash.py)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.demo.org import DemoOrg
from loam.pools import service as pool_service
from loam.pools.schemas import PoolCreate, PoolMemberWrite


def seed(session: Session, org: DemoOrg) -> None:
    pool_service.create_pool(
        session,
        Scope.system(),
        PoolCreate(
            name="广西公海",
            no_followup_days=30,
            warn_days=5,
            members=[PoolMemberWrite(department_id=org.account.id, include_children=True)],
        ),
    )
    _products(session)


def _products(session: Session) -> None:
    """A category the reports can filter on ("product line") and two active products in it."""
    from loam.products import categories, service
    from loam.products.schemas import CategoryWrite, ProductCreate

    scope = Scope.system()
    category = categories.create_category(session, scope, CategoryWrite(name="光传输设备"))
    for code, name, unit, price in (
        ("OTN-E2E-01", "OTN 光传输设备 华南型", "台", Decimal("150000.00")),
        ("SVC-E2E-01", "传输网络安装调测服务", "人天", Decimal("2000.00")),
    ):
        service.create(
            session,
            scope,
            ProductCreate(code=code, name=name, category_id=category.id, unit=unit, list_price=price),
        )
