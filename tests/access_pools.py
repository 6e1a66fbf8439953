"""Public pools in the access matrix (tests/access.py).

A pool customer has no owner, so the data scopes do not reach it: it is visible exactly to the members
of its pool. ``make`` creates a pool whose members are ar1's team (team1, with sub-departments) and the
admin as a named user, then releases a customer of ar1 into it. Expected visibility, stated through
``extra_visible`` against the owner-based defaults:

- ar1: a member (team1) → visible (as by default);
- admin: a member by name → visible (as by default; without membership an admin would not see it);
- director: ar1's manager, but not a member and the customer has no owner any more → **not visible**;
- ar2 (team2) and finance1: not members → not visible (as by default).

The "write" is a claim by ar2 (a non-member): 404 and nothing changes. Creating a pool without
``pools.manage`` (ar1) is 403. The pools themselves are configuration, not owned records (their list
endpoint returns a plain list), so pool visibility has dedicated tests in tests/pools/test_admin.py
(``test_pool_visibility``) and tests/pools/test_api.py instead of a matrix row.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import helpers
from tests.access import Resource


def _pool_customer(session: Session, owner_id: int) -> int:
    from loam.org.models import User
    from loam.pools import service
    from loam.pools.schemas import PoolCreate

    owner = session.get(User, owner_id)
    admin_id = session.query(User.id).filter(User.username == "admin").scalar()
    assert owner is not None
    scope = helpers.scope_of(session, admin_id)
    members = [{"department_id": owner.department_id}, {"user_id": admin_id}]
    pool = service.create_pool(session, scope, PoolCreate.model_validate({"name": "矩阵测试公海", "members": members}))
    customer = helpers.make_customer(session, owner_id, "矩阵测试公海客户")
    service.release(session, helpers.scope_of(session, owner_id), customer.id, pool.id)
    session.flush()
    return customer.id


def _delete_customer(session: Session, record_id: int) -> None:
    # customers.service.delete_ needs an owner (owner-level action), so a pool customer is binned directly.
    from loam.customers.models import Customer
    from loam.db import utcnow

    customer = session.get(Customer, record_id)
    assert customer is not None
    customer.deleted_at = utcnow()


RESOURCES = [
    Resource(
        name="pool_customer",
        make=_pool_customer,
        api_detail="/api/v1/customers/{id}",
        api_list="/api/v1/customers?page_size=200",
        web_detail="/customers/{id}",
        write=("POST", "/api/v1/customers/{id}/claim", lambda v: {}),
        delete=_delete_customer,
        create=("/api/v1/pools", {"name": "无权限公海"}, "ar1"),
        extra_visible={"director": False},
    ),
]
