"""The return rules job against the database: levels, exemptions, warnings, notifications, idempotence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loam.customers import service as customer_service
from loam.db import utcnow
from loam.errors import NotFound
from loam.kit.models import AuditLog
from loam.notifications.models import Notification
from loam.pools import service
from loam.pools.models import PoolEvent
from tests.helpers import make_customer, scope_of
from tests.pools.factory import held_customer, make_pool


def _notes(session, user_id, kind):
    stmt = select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
    return list(session.scalars(stmt))


def test_rules_per_level(session, ids):
    make_pool(
        session,
        ids,
        no_followup_days=30,
        warn_days=0,
        level_rules={"key": {"no_followup_days": 60}, "minor": {"no_followup_days": 10}},
    )
    now = utcnow()
    key = held_customer(session, ids["ar1"], 40, "重点客户", now, level="key")
    normal = held_customer(session, ids["ar1"], 40, "普通客户", now)
    minor = held_customer(session, ids["ar1"], 15, "小客户", now, level="minor")
    fresh = held_customer(session, ids["ar1"], 20, "新客户", now)
    result = service.run_rules(session, now)
    assert result.returned == 2
    assert key.owner_id == ids["ar1"] and fresh.owner_id == ids["ar1"]
    for c in (normal, minor):
        assert c.owner_id is None and c.previous_owner_id == ids["ar1"] and c.pool_id is not None
        assert c.released_at == now
    events = session.scalars(select(PoolEvent).where(PoolEvent.customer_id.in_([normal.id, minor.id])))
    assert {(e.action, e.owner_id, e.user_id, e.reason) for e in events} == {
        ("return", ids["ar1"], None, "no_followup")
    }
    audit = session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "customer", AuditLog.entity_id == normal.id)
    )
    assert "return" in list(audit)


def test_no_deal_rule_counts_from_owner_since_even_with_follow_ups(session, ids):
    make_pool(session, ids, no_deal_days=90, warn_days=0)
    now = utcnow()
    stuck = held_customer(session, ids["ar1"], 100, "久未成交", now)
    stuck.last_followup_at = now - timedelta(days=1)
    recent = held_customer(session, ids["ar1"], 80, "刚接手", now)
    session.flush()
    assert service.run_rules(session, now).returned == 1
    assert stuck.owner_id is None and recent.owner_id == ids["ar1"]


def test_a_follow_up_resets_the_no_follow_up_clock(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=0)
    now = utcnow()
    c = held_customer(session, ids["ar1"], 100, "有跟进", now)
    customer_service.note_followup(session, c.id, now - timedelta(days=5), None)
    assert service.run_rules(session, now).returned == 0
    assert c.owner_id == ids["ar1"]


def test_locked_and_closed_customers_are_exempt(session, ids):
    make_pool(session, ids, no_followup_days=30, no_deal_days=30, warn_days=0)
    now = utcnow()
    locked = held_customer(session, ids["ar1"], 100, "锁定客户", now)
    customer_service.set_locked(session, scope_of(session, ids["ar1"]), locked.id, True)
    closed = held_customer(session, ids["ar1"], 100, "成交客户", now)
    closed.deal_status = "closed"
    session.flush()
    result = service.run_rules(session, now)
    assert result.returned == 0
    assert locked.owner_id == ids["ar1"] and closed.owner_id == ids["ar1"]


def test_closed_customers_follow_the_follow_up_rule_when_not_exempt(session, ids):
    make_pool(session, ids, no_followup_days=30, no_deal_days=10, exempt_closed=False, warn_days=0)
    now = utcnow()
    closed = held_customer(session, ids["ar1"], 20, "成交但不豁免", now)
    closed.deal_status = "closed"
    session.flush()
    assert service.run_rules(session, now).returned == 0  # the no-deal rule never applies to a closed deal
    assert service.run_rules(session, now + timedelta(days=11)).returned == 1  # 31 days without a follow-up
    assert closed.owner_id is None


def test_customers_of_owners_outside_every_pool_never_return(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=0)  # team1 only
    now = utcnow()
    c = held_customer(session, ids["ar2"], 400, "二组客户", now)
    result = service.run_rules(session, now)
    assert result.returned == 0 and c.owner_id == ids["ar2"]


def test_first_active_pool_by_id_wins(session, ids):
    inactive = make_pool(session, ids, "停用公海", no_followup_days=30, warn_days=0, active=False)
    first = make_pool(session, ids, "第一公海", depts=("account",), no_followup_days=30, warn_days=0)
    make_pool(session, ids, "第二公海", no_followup_days=30, warn_days=0)
    c = held_customer(session, ids["ar1"], 40, "去哪个公海")
    assert inactive.id < first.id
    service.run_rules(session)
    assert c.pool_id == first.id


def test_warning_once_per_due_date_and_runs_are_idempotent(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=5)
    now = utcnow()
    c = held_customer(session, ids["ar1"], 27, "快到期", now)
    first = service.run_rules(session, now)
    assert (first.returned, first.warned) == (0, 1)
    again = service.run_rules(session, now + timedelta(hours=6))
    assert (again.returned, again.warned) == (0, 0)
    notes = _notes(session, ids["ar1"], "pool_warning")
    assert len(notes) == 1 and notes[0].entity == "customer" and notes[0].entity_id == c.id
    assert notes[0].params["customer"] == "快到期"
    # a follow-up moves the due date; the next warning is for the new date
    customer_service.note_followup(session, c.id, now, None)
    assert service.run_rules(session, now).warned == 0
    later = service.run_rules(session, now + timedelta(days=26))
    assert later.warned == 1
    assert len({n.dedupe_key for n in _notes(session, ids["ar1"], "pool_warning")}) == 2


def test_return_notifies_the_previous_owner_and_only_pool_members_see_it(session, ids):
    make_pool(session, ids, "一组公海", no_followup_days=30, warn_days=0)
    c = held_customer(session, ids["ar1"], 31, "退回客户")
    assert service.run_rules(session).returned == 1
    assert service.run_rules(session).returned == 0  # idempotent
    notes = _notes(session, ids["ar1"], "pool_returned")
    assert len(notes) == 1 and notes[0].params == {"customer": "退回客户", "pool": "一组公海"}
    for user in ("ar1", "sr1", "fr1", "admin"):  # team1 members, and the admin whose data scope is 全部
        assert customer_service.get(session, scope_of(session, ids[user]), c.id).id == c.id
    for user in ("ar2", "director", "finance1"):  # not members of the pool
        with pytest.raises(NotFound):
            customer_service.get(session, scope_of(session, ids[user]), c.id)


def test_return_removes_the_team(session, ids):
    from loam.customers.schemas import MemberWrite

    make_pool(session, ids, no_followup_days=30, warn_days=0)
    c = held_customer(session, ids["ar1"], 31, "有团队")
    customer_service.add_member(session, scope_of(session, ids["ar1"]), c.id, MemberWrite(user_id=ids["ar2"]))
    service.run_rules(session)
    with pytest.raises(NotFound):
        customer_service.get(session, scope_of(session, ids["ar2"]), c.id)


def test_about_to_return_lists_my_customers_in_the_warn_window(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=5)
    now = utcnow()
    soon = held_customer(session, ids["ar1"], 27, "三天后", now)
    overdue = held_customer(session, ids["ar1"], 31, "已到期", now)
    held_customer(session, ids["ar1"], 10, "还早", now)
    locked = held_customer(session, ids["ar1"], 29, "锁定", now)
    locked.locked = True
    held_customer(session, ids["sr1"], 29, "别人的", now)
    session.flush()
    found = service.about_to_return(session, scope_of(session, ids["ar1"]))
    assert [c.id for c, _ in found] == [overdue.id, soon.id]
    assert abs(found[1][1] - (now + timedelta(days=3))) < timedelta(minutes=1)
    assert service.about_to_return(session, scope_of(session, ids["ar2"])) == []  # no pool covers ar2


def test_run_rules_now_needs_pool_admin(session, ids):
    from loam.errors import Forbidden

    with pytest.raises(Forbidden):
        service.run_rules_now(session, scope_of(session, ids["ar1"]))
    assert service.run_rules_now(session, scope_of(session, ids["admin"])).checked == 0


def test_deleted_customers_are_left_alone(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=0)
    c = make_customer(session, ids["ar1"], "已删除")
    c.owner_since = utcnow() - timedelta(days=50)
    c.deleted_at = utcnow()
    session.flush()
    assert service.run_rules(session).checked == 0
