"""Departures and the succession check (避免青黄不接): a key position left with nobody at S3+ in the department
alerts the customer's owner and the contact's relationship owners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loam.contacts import service as contact_service
from loam.kit.i18n import use_locale
from loam.notifications import service as notification_service
from loam.notifications.models import Notification
from loam.relationships import profiles
from loam.relationships.models import ContactProfile
from tests.helpers import scope_of
from tests.relationships import profiles_factories as f
from tests.relationships.profiles_factories import AS_OF

DEPT = "信息中心"


@pytest.fixture(autouse=True)
def _english():
    """The explanations are compared in English (msgids are English; the zh_CN catalogue translates them)."""
    with use_locale("en"):
        yield


def _alerts(session, customer_id: int) -> list[Notification]:
    stmt = select(Notification).where(
        Notification.kind == "relationship_succession", Notification.entity_id == customer_id
    )
    return list(session.scalars(stmt.order_by(Notification.user_id)))


def _key_contact(session, ids, customer_id: int, **fields):
    c = f.contact(session, ids["ar1"], customer_id, "张局", dept_name=DEPT, **fields)
    f.owners(session, ids["ar1"], c.id, ids["fr1"], ids["finance1"])
    return c


def test_an_executive_leaves_and_nobody_at_s3_remains(session, ids):
    cust = f.customer(session, ids["ar1"], "继任客户甲")
    leaver = _key_contact(session, ids, cust.id, level="executive")
    deputy = f.contact(session, ids["ar1"], cust.id, "副手", dept_name=DEPT)
    f.profile(session, ids["ar1"], deputy.id, stage=2)  # S2 is not enough
    elsewhere = f.contact(session, ids["ar1"], cust.id, "外部门", dept_name="财务部")
    f.profile(session, ids["ar1"], elsewhere.id, stage=4)  # another department does not count
    notified = profiles.mark_departed(session, scope_of(session, ids["ar1"]), leaver.id, AS_OF)
    assert notified == sorted([ids["ar1"], ids["fr1"], ids["finance1"]])
    rows = _alerts(session, cust.id)
    assert [r.user_id for r in rows] == notified
    assert {(r.entity, r.entity_id) for r in rows} == {("relationships", cust.id)}
    assert rows[0].params == {"contact": "张局", "customer": "继任客户甲", "department": DEPT}
    assert notification_service.message(rows[0]) == (
        "张局 (继任客户甲) left or changed role: no one at S3 or above remains in 信息中心"
    )
    assert session.get(ContactProfile, leaver.id).departed_on == AS_OF
    # Recording the same departure again does not alert twice.
    profiles.mark_departed(session, scope_of(session, ids["ar1"]), leaver.id, AS_OF)
    assert len(_alerts(session, cust.id)) == 3


def test_a_successor_at_s3_in_the_department_means_no_alert(session, ids):
    cust = f.customer(session, ids["ar1"], "继任客户乙")
    leaver = _key_contact(session, ids, cust.id, level="middle")
    f.profile(session, ids["ar1"], leaver.id, decision_role="decision_maker")
    successor = f.contact(session, ids["ar1"], cust.id, "接班人", dept_name=DEPT, level="staff")
    f.profile(session, ids["ar1"], successor.id, stage=3)
    assert profiles.mark_departed(session, scope_of(session, ids["ar1"]), leaver.id, AS_OF) == []
    assert _alerts(session, cust.id) == []


def test_successors_who_left_or_were_deleted_do_not_count(session, ids):
    cust = f.customer(session, ids["ar1"], "继任客户丙")
    leaver = _key_contact(session, ids, cust.id, level="staff")
    f.profile(session, ids["ar1"], leaver.id, influence="high")
    left = f.contact(session, ids["ar1"], cust.id, "早走了", dept_name=DEPT)
    f.profile(session, ids["ar1"], left.id, stage=4)
    profiles.mark_departed(session, scope_of(session, ids["ar1"]), left.id, AS_OF - timedelta(days=30))
    deleted = f.contact(session, ids["ar1"], cust.id, "删掉了", dept_name=DEPT)
    f.profile(session, ids["ar1"], deleted.id, stage=3)
    contact_service.delete_(session, scope_of(session, ids["ar1"]), deleted.id)
    notified = profiles.mark_departed(session, scope_of(session, ids["ar1"]), leaver.id, AS_OF)
    assert notified == sorted([ids["ar1"], ids["fr1"], ids["finance1"]])


def test_not_a_key_position_means_no_alert(session, ids):
    cust = f.customer(session, ids["ar1"], "继任客户丁")
    staff = _key_contact(session, ids, cust.id, level="staff")  # medium influence, no decision role
    assert profiles.mark_departed(session, scope_of(session, ids["ar1"]), staff.id, AS_OF) == []
    assert _alerts(session, cust.id) == []
    assert session.get(ContactProfile, staff.id).departed_on == AS_OF


def test_a_role_change_runs_the_check_without_a_departure(session, ids):
    cust = f.customer(session, ids["ar1"], "继任客户戊")
    approver = f.contact(session, ids["ar1"], cust.id, "审批人", dept_name=None, level="middle")
    f.profile(session, ids["ar1"], approver.id, decision_role="approver")
    notified = profiles.mark_departed(session, scope_of(session, ids["ar1"]), approver.id, AS_OF, role_changed=True)
    assert notified == [ids["ar1"]]  # the customer's owner; no relationship owners
    assert session.get(ContactProfile, approver.id).departed_on is None
    assert _alerts(session, cust.id)[0].params["department"] == "—"
