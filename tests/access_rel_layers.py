"""The coverage grid and the organisational checklist in the access matrix (tests/access.py).

Both belong to the customer: the "record" is the customer (its id in the list of customers), visible to whoever
sees the customer; an out-of-scope write to the checklist is a 404 and changes nothing; a customer in the recycle
bin has neither. (The 403 without relationships.update is tested in tests/relationships/test_org_api.py: every
built-in role holds it.)
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import helpers
from tests.access import Resource


def _customer(session: Session, owner_id: int) -> int:
    from loam.authz.scope import Scope
    from loam.relationships import orgmarks
    from loam.relationships.schemas_layers import OrgMarkWrite

    customer = helpers.make_customer(session, owner_id, "矩阵测试关系客户")
    orgmarks.set_mark(session, Scope.system(), customer.id, "summit", OrgMarkWrite(evidence="年会"))
    session.flush()
    return customer.id


def _delete_customer(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.customers import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="relationship_coverage",
        make=_customer,
        api_detail="/api/v1/customers/{id}/relationship/coverage",
        api_list="/api/v1/customers?page_size=200",
        web_detail="/customers/{id}/relationships/coverage",
        write=None,
        delete=_delete_customer,
    ),
    Resource(
        name="relationship_org",
        make=_customer,
        api_detail="/api/v1/customers/{id}/relationship/org",
        api_list="/api/v1/customers?page_size=200",
        web_detail="/customers/{id}/relationships/org",
        write=(
            "PUT",
            "/api/v1/customers/{id}/relationship/org/summit",
            lambda v: {"evidence": "越权修改", "version": 1},
        ),
        delete=_delete_customer,
    ),
]
