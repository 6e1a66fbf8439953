"""Pool administration and membership (users, departments with or without sub-departments)."""

from __future__ import annotations

import pytest

from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.pools import service
from loam.pools.schemas import PoolCreate, PoolUpdate
from tests.helpers import scope_of
from tests.pools.factory import make_pool, pool_customer


def _update(pool, **changes):
    data = {
        "name": pool.name,
        "no_followup_days": pool.no_followup_days,
        "warn_days": pool.warn_days,
        "version": pool.version,
        "members": [],
    }
    return PoolUpdate.model_validate(data | changes)


def test_only_pool_admins_create_pools_and_names_are_unique(session, ids):
    with pytest.raises(Forbidden):
        service.create_pool(session, scope_of(session, ids["ar1"]), PoolCreate(name="我的公海"))
    make_pool(session, ids, "南宁公海")
    with pytest.raises(Conflict):
        service.create_pool(session, scope_of(session, ids["admin"]), PoolCreate(name="南宁公海"))


def test_unknown_members_are_refused(session, ids):
    admin = scope_of(session, ids["admin"])
    with pytest.raises(Invalid):
        service.create_pool(session, admin, PoolCreate.model_validate({"name": "x", "members": [{"user_id": 99999}]}))
    with pytest.raises(Invalid):
        service.create_pool(
            session, admin, PoolCreate.model_validate({"name": "y", "members": [{"department_id": 99999}]})
        )


def test_level_rules_are_stored_without_blanks(session, ids):
    pool = make_pool(
        session,
        ids,
        no_followup_days=30,
        level_rules={"key": {"no_followup_days": 60, "no_deal_days": None}, "minor": {}, "normal": {"no_deal_days": 0}},
    )
    assert pool.level_rules == {"key": {"no_followup_days": 60}, "normal": {"no_deal_days": 0}}


@pytest.mark.parametrize(
    ("members", "covered"),
    [
        ({"depts": ("team1",)}, {"ar1", "sr1", "fr1"}),
        ({"depts": ("account",)}, {"director", "ar1", "sr1", "fr1", "ar2"}),
        ({"depts": ("account",), "include_children": False}, {"director"}),
        ({"depts": (), "users": ("ar2", "finance1")}, {"ar2", "finance1"}),
    ],
)
def test_membership_matches_the_scope(session, ids, members, covered):
    pool = make_pool(session, ids, **members)
    for user in ("admin", "director", "ar1", "ar2", "sr1", "fr1", "finance1"):
        scope = scope_of(session, ids[user])
        assert (pool.id in scope.pool_ids) == (user in covered), user
        assert (service.pool_for_owner(session, ids[user]) is not None) == (user in covered), user


def test_pool_visibility(session, ids):
    pool = make_pool(session, ids)
    assert service.get_pool(session, scope_of(session, ids["ar1"]), pool.id).id == pool.id
    assert service.get_pool(session, scope_of(session, ids["admin"]), pool.id).id == pool.id
    for user in ("ar2", "finance1"):
        with pytest.raises(NotFound):
            service.get_pool(session, scope_of(session, ids[user]), pool.id)
    assert [p.id for p in service.list_pools(session, scope_of(session, ids["ar1"]))] == [pool.id]
    assert service.list_pools(session, scope_of(session, ids["ar2"])) == []
    assert service.list_pools(session, scope_of(session, ids["finance1"])) == []  # no pools.view


def test_update_checks_version_and_members_count_as_a_change(session, ids):
    pool = make_pool(session, ids, no_followup_days=30)
    admin = scope_of(session, ids["admin"])
    version = pool.version
    service.update_pool(session, admin, pool.id, _update(pool, members=[{"department_id": ids["team2"]}]))
    assert pool.version == version + 1
    assert pool.id in scope_of(session, ids["ar2"]).pool_ids
    assert pool.id not in scope_of(session, ids["ar1"]).pool_ids
    with pytest.raises(Conflict):
        service.update_pool(session, admin, pool.id, _update(pool, version=version, name="旧版本"))
    with pytest.raises(Forbidden):  # a member who is not a pool admin
        service.update_pool(session, scope_of(session, ids["ar2"]), pool.id, _update(pool))
    with pytest.raises(NotFound):
        service.update_pool(session, admin, 999_999, _update(pool))


def test_a_pool_holding_customers_cannot_be_deactivated(session, ids):
    pool = make_pool(session, ids)
    pool_customer(session, ids, pool)
    admin = scope_of(session, ids["admin"])
    members = [{"department_id": ids["team1"]}]
    with pytest.raises(Conflict):
        service.update_pool(session, admin, pool.id, _update(pool, active=False, members=members))
    empty = make_pool(session, ids, "空公海")
    service.update_pool(session, admin, empty.id, _update(empty, active=False))
    assert not empty.active


def test_pool_names_with_non_ascii_case_are_a_409_not_a_500(connection) -> None:
    from tests.helpers import api

    c = api("admin")
    body = {"name": "3\U00100002Æ", "active": False, "cooldown_days": 0, "level_rules": {}}
    assert c.post("/api/v1/pools", json=body).status_code == 201
    assert c.post("/api/v1/pools", json=body).status_code == 409
