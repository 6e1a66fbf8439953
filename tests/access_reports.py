"""Sales targets in the access matrix (tests/access.py): a target is reached through the data scope of its
user for the metric's module (contracts), like the numbers it is compared with."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.helpers import scope_of

YEAR = 2030


def _target(session: Session, owner_id: int) -> int:
    from loam.org.models import User
    from loam.reports import targets_service
    from loam.reports.schemas import TargetCreate

    admin = session.query(User).filter_by(username="admin").one()
    data = TargetCreate(year=YEAR, metric="contract_amount", user_id=owner_id, months=[Decimal("100")] * 12)
    target = targets_service.create_target(session, scope_of(session, admin.id), data)
    session.flush()
    return target.id


def _delete_target(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.reports import targets_service

    targets_service.delete_target(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="sales_target",
        make=_target,
        api_detail="/api/v1/sales-targets/{id}",
        api_list="/api/v1/sales-targets?page_size=200",
        web_detail=None,
        write=("PUT", "/api/v1/sales-targets/{id}", lambda v: {"months": ["1"] * 12, "version": v}),
        delete=_delete_target,
        create=(
            "/api/v1/sales-targets",
            {"year": YEAR, "metric": "contract_amount", "user_id": 1, "months": ["1"] * 12},
            "ar1",
        ),
    ),
]
