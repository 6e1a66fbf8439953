"""Release, claim and distribute: permissions, scope (404 before 403), caps, cool-down, audit and events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.notifications.models import Notification
from loam.pools import service
from loam.pools.models import PoolEvent
from loam.pools.service import _start_of_today
from tests.helpers import make_customer, scope_of
from tests.pools.factory import make_pool, pool_customer


def _scope(session, ids, user):
    return scope_of(session, ids[user])


# --- release ---


def test_owner_releases_to_their_pool_by_default(session, ids):
    pool = make_pool(session, ids)
    c = make_customer(session, ids["ar1"], "放入公海")
    customer_service.add_member(session, _scope(session, ids, "ar1"), c.id, MemberWrite(user_id=ids["ar2"]))
    service.release(session, _scope(session, ids, "ar1"), c.id, reason="客户无意向")
    assert (c.owner_id, c.pool_id, c.previous_owner_id) == (None, pool.id, ids["ar1"])
    assert c.released_at is not None and c.owner_since is None
    with pytest.raises(NotFound):  # the team was removed
        customer_service.get(session, _scope(session, ids, "ar2"), c.id)
    event = session.scalar(select(PoolEvent).where(PoolEvent.customer_id == c.id))
    assert (event.action, event.user_id, event.owner_id, event.reason) == (
        "release",
        ids["ar1"],
        ids["ar1"],
        "客户无意向",
    )
    log = session.scalar(select(AuditLog).where(AuditLog.entity_id == c.id, AuditLog.action == "release"))
    assert log.changes["owner_id"] == [ids["ar1"], None] and log.note == "客户无意向"


def test_release_permissions_and_scope(session, ids):
    make_pool(session, ids)
    c = make_customer(session, ids["ar1"], "权限测试")
    for user in ("ar2", "sr1", "finance1"):  # cannot see ar1's customer: 404, not 403
        with pytest.raises(NotFound):
            service.release(session, _scope(session, ids, user), c.id)
    # a read-write team member sees it but is not the owner or the owner's manager
    customer_service.add_member(
        session, _scope(session, ids, "ar1"), c.id, MemberWrite(user_id=ids["ar2"], access="write")
    )
    with pytest.raises(Forbidden):
        service.release(session, _scope(session, ids, "ar2"), c.id)
    assert c.owner_id == ids["ar1"]
    # the owner's manager may release it; the owner is told
    service.release(session, _scope(session, ids, "director"), c.id)
    assert c.owner_id is None
    note = session.scalar(select(Notification).where(Notification.user_id == ids["ar1"]))
    assert note.kind == "pool_released" and note.params["user"] == "王建国"


def test_release_refusals(session, ids):
    c = make_customer(session, ids["ar1"], "无公海")
    ar1 = _scope(session, ids, "ar1")
    with pytest.raises(Invalid):  # no pool covers ar1 yet
        service.release(session, ar1, c.id)
    closed = make_pool(session, ids, "停用", active=False)
    with pytest.raises(Invalid):
        service.release(session, ar1, c.id, closed.id)
    make_pool(session, ids)
    customer_service.set_locked(session, ar1, c.id, True)
    with pytest.raises(Conflict):
        service.release(session, ar1, c.id)
    customer_service.set_locked(session, ar1, c.id, False)
    service.release(session, ar1, c.id)
    with pytest.raises(Conflict):  # already in the pool
        service.release(session, _scope(session, ids, "ar1"), c.id)


def test_release_to_a_chosen_pool(session, ids):
    make_pool(session, ids, "默认")
    other = make_pool(session, ids, "二组公海", depts=("team2",))
    c = make_customer(session, ids["ar1"], "放到二组")
    with pytest.raises(Invalid):  # ar1 belongs to neither that pool nor manages pools
        service.release(session, _scope(session, ids, "ar1"), c.id, other.id)
    assert c.owner_id == ids["ar1"] and c.pool_id is None
    service.release(session, _scope(session, ids, "admin"), c.id, other.id)  # a pool admin may
    assert c.pool_id == other.id
    assert customer_service.get(session, _scope(session, ids, "ar2"), c.id).id == c.id
    with pytest.raises(NotFound):
        customer_service.get(session, _scope(session, ids, "ar1"), c.id)


# --- claim ---


def test_member_claims_and_becomes_owner(session, ids):
    pool = make_pool(session, ids)
    c = pool_customer(session, ids, pool)
    version = c.version
    service.claim(session, _scope(session, ids, "sr1"), c.id)
    assert (c.owner_id, c.department_id, c.pool_id) == (ids["sr1"], ids["team1"], None)
    assert c.owner_since is not None and c.version == version + 1
    actions = [h.action for h in customer_service.history(session, _scope(session, ids, "sr1"), c.id)]
    assert actions[:2] == ["claim", "release"]
    with pytest.raises(Conflict):  # already mine
        service.claim(session, _scope(session, ids, "sr1"), c.id)
    with pytest.raises(NotFound):  # someone else's now
        service.claim(session, _scope(session, ids, "fr1"), c.id)


def test_non_members_get_404_and_members_without_permission_403(session, ids):
    pool = make_pool(session, ids, users=("finance1",))
    c = pool_customer(session, ids, pool)
    for user in ("ar2", "director"):
        with pytest.raises(NotFound):
            service.claim(session, _scope(session, ids, user), c.id)
    with pytest.raises(Forbidden):  # the admin sees every customer (全部) but is not a member of this pool
        service.claim(session, _scope(session, ids, "admin"), c.id)
    with pytest.raises(Forbidden):  # finance1 is a member but has no pools.claim
        service.claim(session, _scope(session, ids, "finance1"), c.id)
    assert c.owner_id is None


def test_daily_claim_cap_in_company_time(session, ids):
    pool = make_pool(session, ids, daily_claim_cap=2)
    customers = [pool_customer(session, ids, pool, f"公海{i}") for i in range(3)]
    sr1 = _scope(session, ids, "sr1")
    # a claim from yesterday does not count
    yesterday = _start_of_today(customers[0].released_at) - timedelta(minutes=1)
    session.add(
        PoolEvent(pool_id=pool.id, customer_id=customers[0].id, action="claim", user_id=ids["sr1"], at=yesterday)
    )
    service.claim(session, sr1, customers[0].id)
    service.claim(session, sr1, customers[1].id)
    with pytest.raises(Conflict):
        service.claim(session, sr1, customers[2].id)
    service.claim(session, _scope(session, ids, "fr1"), customers[2].id)  # per user


def test_owned_cap(session, ids):
    pool = make_pool(session, ids, owned_cap=2)
    c = pool_customer(session, ids, pool)
    make_customer(session, ids["sr1"], "已有一")
    make_customer(session, ids["sr1"], "已有二")
    with pytest.raises(Conflict):
        service.claim(session, _scope(session, ids, "sr1"), c.id)
    service.claim(session, _scope(session, ids, "fr1"), c.id)
    assert c.owner_id == ids["fr1"]


def test_previous_owner_cool_down(session, ids):
    pool = make_pool(session, ids, cooldown_days=7)
    c = pool_customer(session, ids, pool, owner="ar1")
    with pytest.raises(Conflict):
        service.claim(session, _scope(session, ids, "ar1"), c.id)
    event = session.scalar(select(PoolEvent).where(PoolEvent.customer_id == c.id, PoolEvent.action == "release"))
    event.at = event.at - timedelta(days=8)
    session.flush()
    service.claim(session, _scope(session, ids, "ar1"), c.id)
    assert c.owner_id == ids["ar1"]


def test_cool_down_does_not_stop_others(session, ids):
    pool = make_pool(session, ids, cooldown_days=30)
    c = pool_customer(session, ids, pool, owner="ar1")
    service.claim(session, _scope(session, ids, "sr1"), c.id)
    assert c.owner_id == ids["sr1"]


# --- distribute ---


def test_distribute_permissions(session, ids):
    pool = make_pool(session, ids)
    c = pool_customer(session, ids, pool)
    with pytest.raises(Forbidden):  # a member without pools.distribute
        service.distribute(session, _scope(session, ids, "ar1"), c.id, ids["sr1"])
    for user in ("ar2", "finance1"):  # neither a member nor a pool admin
        with pytest.raises(NotFound):
            service.distribute(session, _scope(session, ids, user), c.id, ids["sr1"])
    director = _scope(session, ids, "director")  # pool admin (pools.manage + pools.distribute), not a member
    with pytest.raises(Invalid):
        service.distribute(session, director, c.id, ids["ar2"])  # not a member of the pool
    with pytest.raises(Invalid):
        service.distribute(session, director, c.id, 999_999)
    service.distribute(session, director, c.id, ids["sr1"])
    assert c.owner_id == ids["sr1"]
    note = session.scalar(select(Notification).where(Notification.user_id == ids["sr1"]))
    assert note.kind == "pool_assigned" and note.entity_id == c.id
    event = session.scalar(select(PoolEvent).where(PoolEvent.customer_id == c.id, PoolEvent.action == "distribute"))
    assert (event.user_id, event.owner_id) == (ids["director"], ids["sr1"])
    with pytest.raises(Conflict):  # no longer in the pool
        service.distribute(session, director, c.id, ids["fr1"])


def test_distribute_respects_the_owned_cap(session, ids):
    pool = make_pool(session, ids, owned_cap=1, daily_claim_cap=1, cooldown_days=30)
    c = pool_customer(session, ids, pool)
    make_customer(session, ids["sr1"], "已满")
    director = _scope(session, ids, "director")
    with pytest.raises(Conflict):
        service.distribute(session, director, c.id, ids["sr1"])
    service.distribute(session, director, c.id, ids["ar1"])  # cool-down and daily cap do not apply
    assert c.owner_id == ids["ar1"]


def test_eligible_users_are_the_active_members(session, ids):
    pool = make_pool(session, ids)
    names = {u.username for u in service.eligible_users(session, _scope(session, ids, "director"), pool)}
    assert names == {"ar1", "sr1", "fr1"}
    assert service.eligible_users(session, _scope(session, ids, "ar1"), pool) == []


def test_pool_customers_listing(session, ids):
    from loam.customers.schemas import CustomerFilters

    pool = make_pool(session, ids)
    a = pool_customer(session, ids, pool, "南宁甲")
    b = pool_customer(session, ids, pool, "南宁乙")
    b.level = "key"
    session.flush()
    items, total = service.pool_customers(session, _scope(session, ids, "sr1"), pool.id)
    assert total == 2 and {c.id for c in items} == {a.id, b.id}
    items, total = service.pool_customers(session, _scope(session, ids, "sr1"), pool.id, CustomerFilters(level="key"))
    assert [c.id for c in items] == [b.id]
    with pytest.raises(NotFound):
        service.pool_customers(session, _scope(session, ids, "ar2"), pool.id)
    # pool admins see every pool's customers (to distribute them)
    assert service.pool_customers(session, _scope(session, ids, "admin"), pool.id)[1] == 2
