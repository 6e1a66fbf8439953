"""Relationship health in the access matrix (tests/access.py): a customer's health and snapshots are reached
through the customer (scope first: 404), then relationships.view (403); the company view's customer list shows
visible customers only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource


def _customer_with_snapshot(session: Session, owner_id: int) -> int:
    from tests.relationships import health_helpers as hh

    cid = hh.customer(session, owner_id, "健康矩阵客户")
    hh.stored(session, cid, hh.this_month(), 50)
    return cid


def _delete_customer(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.customers import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="relationship_health",
        make=_customer_with_snapshot,
        api_detail="/api/v1/customers/{id}/relationship/health",
        api_list="/api/v1/relationships/health?page_size=200",
        web_detail="/customers/{id}/relationships/health",
        write=None,
        delete=_delete_customer,
    ),
    Resource(
        name="relationship_snapshots",
        make=_customer_with_snapshot,
        api_detail="/api/v1/customers/{id}/relationship/snapshots",
        api_list="/api/v1/relationships/health?page_size=200&band=at_risk",
        web_detail=None,
        write=None,
        delete=_delete_customer,
    ),
]
