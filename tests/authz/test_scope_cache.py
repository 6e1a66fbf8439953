"""The per-process Scope cache: a cached Scope is reused only while nothing it is built from has changed.

Triggers (migration i5f_scope_token) replace ``authz_state.token`` on every change of users' scope-relevant
columns, roles and their grants, departments and pools; the cache key holds that token.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from loam.authz import repository as authz_repo
from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.org import service as org_service
from loam.org.models import User
from loam.org.schemas import RoleWrite
from loam.pools import service as pool_service
from loam.pools.schemas import PoolCreate, PoolMemberWrite
from tests.helpers import api, make_customer
from tests.org.factories import role


def _token(session) -> str:
    token = authz_repo.scope_token(session)
    assert token
    return token


def test_a_cached_scope_is_reused_until_a_grant_changes(session, ids):
    ar1 = session.get(User, ids["ar1"])
    first = authz_service.scope_for(session, ar1)
    assert authz_service.scope_for(session, ar1) is first  # nothing changed: the same object
    ar = role(session, "ar")
    perms, scopes = org_service.role_grants(session, ids["ar1"])
    org_service.set_role_grants(session, ar, perms - {"customers.view"}, scopes)
    session.flush()
    after = authz_service.scope_for(session, ar1)
    assert after is not first and "customers.view" in first.permissions and "customers.view" not in after.permissions


def test_requests_see_a_role_change_at_once(session, ids):
    mine = make_customer(session, ids["ar2"], "缓存范围测试客户")
    c = api("ar1")
    assert c.get(f"/api/v1/customers/{mine.id}").status_code == 404  # ar2's customer: out of ar1's scope
    wide = org_service.add_role(
        session,
        Scope.system(),
        RoleWrite(code="cache_wide", name_zh="全部客户", name_en="All customers", data_scopes={"customers": 5}),
    )
    org_service.set_user_roles(session, session.get(User, ids["ar1"]), [role(session, "ar").id, wide.id])
    session.flush()
    assert c.get(f"/api/v1/customers/{mine.id}").status_code == 200
    org_service.set_user_roles(session, session.get(User, ids["ar1"]), [role(session, "ar").id])
    session.flush()
    assert c.get(f"/api/v1/customers/{mine.id}").status_code == 404


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE users SET manager_id = NULL WHERE username = 'sr1'",
        "UPDATE users SET department_id = department_id WHERE username = 'ar1'",
        "UPDATE users SET locale = 'en' WHERE username = 'ar1'",
        "UPDATE users SET is_active = is_active WHERE username = 'ar1'",
        "DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE username = 'ar1')",
        "UPDATE role_permissions SET permission = permission",
        "DELETE FROM role_data_scopes WHERE module = 'leads'",
        "UPDATE departments SET path = path",
        "UPDATE pools SET active = active",
        "DELETE FROM pool_members",
        "UPDATE roles SET name_en = name_en",
    ],
)
def test_every_scope_source_replaces_the_token(session, ids, statement):
    pool_service.create_pool(  # rows for the pool statements (SQLite's row triggers fire per row changed)
        session,
        Scope.system(),
        PoolCreate(name="缓存测试公海", members=[PoolMemberWrite(user_id=ids["ar1"])]),
    )
    session.flush()
    before = _token(session)
    session.execute(text(statement))
    assert _token(session) != before


def test_unrelated_user_columns_keep_the_token(session):
    before = _token(session)
    session.execute(text("UPDATE users SET password_hash = password_hash, last_login_at = NULL"))
    assert _token(session) == before
