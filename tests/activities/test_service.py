from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from pydantic import ValidationError

from loam.activities import service
from loam.activities.schemas import FollowUpCreate, FollowUpFilters, FollowUpUpdate
from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from tests.contacts.factories import make_contact, make_followup, make_lead
from tests.helpers import make_customer, scope_of


def _update(f, **changes):
    values = {k: getattr(f, k) for k in FollowUpUpdate.model_fields if k != "version"}
    return FollowUpUpdate(**(values | changes), version=f.version)


def test_create_links_author_and_contacts_and_feeds_last_followup(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进测试一")
    contact = make_contact(session, ids["ar1"], customer.id, "周主任")
    when = utcnow() - timedelta(hours=2)
    nxt = utcnow() + timedelta(days=3)
    f = make_followup(
        session,
        ids["ar1"],
        customer_id=customer.id,
        occurred_at=when,
        next_contact_at=nxt,
        contact_ids=[contact.id],
        participant_ids=[ids["sr1"]],
    )
    assert f.created_by == ids["ar1"]
    assert f.participant_ids == sorted([ids["ar1"], ids["sr1"]])
    assert f.contact_ids == [contact.id]
    session.refresh(customer)
    assert customer.last_followup_at == when and customer.next_contact_at == nxt
    # an older follow-up recorded later does not move "last follow-up" backwards
    make_followup(session, ids["ar1"], customer_id=customer.id, occurred_at=when - timedelta(days=5))
    session.refresh(customer)
    assert customer.last_followup_at == when


def test_default_time_is_now_and_far_future_is_refused(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进时间")
    before = utcnow()
    f = make_followup(session, ids["ar1"], customer_id=customer.id)
    assert before <= f.occurred_at <= utcnow()
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid) as exc:
        service.create(
            session,
            ar1,
            FollowUpCreate(customer_id=customer.id, kind="call", content="x", occurred_at=utcnow() + timedelta(days=2)),
        )
    assert "occurred_at" in exc.value.detail
    make_followup(session, ids["ar1"], customer_id=customer.id, occurred_at=utcnow() + timedelta(hours=20))


def test_exactly_one_target_and_valid_links(session, ids):
    with pytest.raises(ValidationError):
        FollowUpCreate(kind="visit", content="x")
    with pytest.raises(ValidationError):
        FollowUpCreate(kind="visit", content="x", customer_id=1, lead_id=1)
    with pytest.raises(ValidationError):
        FollowUpCreate(kind="visit", content="x", customer_id=1, created_by=1)  # server-owned
    c1 = make_customer(session, ids["ar1"], "跟进联系人一")
    c2 = make_customer(session, ids["ar1"], "跟进联系人二")
    foreign = make_contact(session, ids["ar1"], c2.id)
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid):
        service.create(
            session, ar1, FollowUpCreate(customer_id=c1.id, kind="visit", content="x", contact_ids=[foreign.id])
        )
    with pytest.raises(Invalid):
        service.create(
            session, ar1, FollowUpCreate(customer_id=c1.id, kind="visit", content="x", participant_ids=[987654])
        )
    assert service.timeline(session, ar1, customer_id=c1.id) == []


def test_read_team_member_records_but_only_author_or_writer_edits(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进团队")
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    with pytest.raises(NotFound):
        make_followup(session, ids["ar2"], customer_id=customer.id)
    customer_service.add_member(session, ar1, customer.id, MemberWrite(user_id=ids["ar2"], access="read"))
    mine = make_followup(session, ids["ar2"], "协作人拜访", customer_id=customer.id)
    theirs = make_followup(session, ids["ar1"], "负责人拜访", customer_id=customer.id)
    assert {f.id for f in service.timeline(session, ar2, customer_id=customer.id)} == {mine.id, theirs.id}
    with pytest.raises(Forbidden):
        service.update(session, ar2, theirs.id, _update(theirs, content="改别人的"))
    with pytest.raises(Forbidden):
        service.delete_(session, ar2, theirs.id)
    service.update(session, ar2, mine.id, _update(mine, content="改自己的"))
    service.update(session, ar1, mine.id, _update(mine, content="负责人也能改"))  # ar1 writes the customer
    assert mine.content == "负责人也能改"
    assert service.editable_ids(session, ar2, [mine, theirs]) == {mine.id}


def test_scope_lists_and_filters(session, ids):
    c1 = make_customer(session, ids["ar1"], "跟进范围一")
    c2 = make_customer(session, ids["ar2"], "跟进范围二")
    f1 = make_followup(session, ids["ar1"], customer_id=c1.id, kind="call")
    f2 = make_followup(session, ids["ar2"], customer_id=c2.id, kind="visit")
    ar1, director = scope_of(session, ids["ar1"]), scope_of(session, ids["director"])
    with pytest.raises(NotFound):
        service.get(session, ar1, f2.id)
    seen = {f.id for f in service.list_page(session, director, FollowUpFilters(), 1, 200)[0]}
    assert {f1.id, f2.id} <= seen
    assert service.list_page(session, scope_of(session, ids["finance1"]), FollowUpFilters())[1] == 0
    assert [f.id for f in service.list_page(session, director, FollowUpFilters(kind="call", customer_id=c1.id))[0]] == [
        f1.id
    ]
    assert {f.id for f in service.list_page(session, ar1, FollowUpFilters(mine=True))[0]} == {f1.id}
    today = utcnow().date()
    future = FollowUpFilters(date_from=today + timedelta(days=2))
    assert service.list_page(session, director, future)[1] == 0
    around = FollowUpFilters(date_from=today - timedelta(days=1), date_to=today + timedelta(days=1), customer_id=c1.id)
    assert service.list_page(session, director, around)[1] == 1


def test_permission_needed_to_record(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进权限")
    ar1 = scope_of(session, ids["ar1"])
    no_create = dataclasses.replace(ar1, permissions=ar1.permissions - {"followups.create"})
    with pytest.raises(Forbidden):
        service.create(session, no_create, FollowUpCreate(customer_id=customer.id, kind="visit", content="x"))
    # finance has followups.create but does not see the customer
    with pytest.raises(NotFound):
        make_followup(session, ids["finance1"], customer_id=customer.id)


def test_stale_version_conflict_and_link_only_edit_bumps_version(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进版本")
    contact = make_contact(session, ids["ar1"], customer.id)
    f = make_followup(session, ids["ar1"], customer_id=customer.id)
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, f.id, _update(f, contact_ids=[contact.id]))
    assert f.version == 2 and f.contact_ids == [contact.id] and ids["ar1"] in f.participant_ids
    with pytest.raises(Conflict):
        service.update(session, ar1, f.id, FollowUpUpdate(kind="call", content="stale", version=1))
    assert f.content == "拜访了信息中心主任"


def test_timeline_newest_first_and_delete(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进时间线")
    old = make_followup(session, ids["ar1"], "旧", customer_id=customer.id, occurred_at=utcnow() - timedelta(days=2))
    new = make_followup(session, ids["ar1"], "新", customer_id=customer.id, occurred_at=utcnow() - timedelta(hours=1))
    ar1 = scope_of(session, ids["ar1"])
    items = service.timeline(session, ar1, customer_id=customer.id)
    assert [f.id for f in items] == [new.id, old.id]
    assert items[0].participant_ids == [ids["ar1"]]
    service.delete_(session, ar1, new.id)
    assert [f.id for f in service.timeline(session, ar1, customer_id=customer.id)] == [old.id]
    with pytest.raises(NotFound):
        service.get(session, ar1, new.id)
    with pytest.raises(NotFound):
        service.timeline(session, scope_of(session, ids["ar2"]), customer_id=customer.id)


def test_lead_followups_feed_the_lead_and_move_on_conversion(session, ids):
    lead = make_lead(session, ids["ar1"], company="线索跟进公司")
    when = utcnow() - timedelta(hours=3)
    f = make_followup(session, ids["ar1"], "电话沟通", lead_id=lead.id, kind="call", occurred_at=when)
    session.refresh(lead)
    assert lead.last_followup_at == when
    with pytest.raises(NotFound):
        service.get(session, scope_of(session, ids["ar2"]), f.id)
    with pytest.raises(Invalid):  # contacts belong to customers, not leads
        service.create(
            session,
            scope_of(session, ids["ar1"]),
            FollowUpCreate(lead_id=lead.id, kind="call", content="x", contact_ids=[1]),
        )
    customer = make_customer(session, ids["ar1"], "线索转客户")
    assert service.move_lead_to_customer(session, lead.id, customer.id) == 1
    session.refresh(f)
    session.refresh(customer)
    assert (f.customer_id, f.lead_id) == (customer.id, None)
    assert customer.last_followup_at == when
    assert [x.id for x in service.timeline(session, scope_of(session, ids["ar1"]), customer_id=customer.id)] == [f.id]


def test_due_lists_only_my_open_reminders(session, ids):
    customer = make_customer(session, ids["ar1"], "跟进到期")
    other = make_customer(session, ids["ar1"], "跟进到期二")
    now = utcnow()
    due = make_followup(
        session,
        ids["ar1"],
        customer_id=customer.id,
        occurred_at=now - timedelta(days=3),
        next_contact_at=now - timedelta(hours=1),
    )
    make_followup(session, ids["ar1"], customer_id=other.id, next_contact_at=now + timedelta(days=5))  # not yet
    done = make_followup(
        session,
        ids["ar1"],
        customer_id=other.id,
        occurred_at=now - timedelta(days=4),
        next_contact_at=now - timedelta(days=1),
    )
    director = scope_of(session, ids["director"])
    customer_service.add_member(session, scope_of(session, ids["ar1"]), customer.id, MemberWrite(user_id=ids["sr1"]))
    make_followup(
        session, ids["sr1"], customer_id=customer.id, occurred_at=now - timedelta(days=5), next_contact_at=now
    )
    ar1 = scope_of(session, ids["ar1"])
    until = now + timedelta(minutes=1)
    # `done` was superseded by the later follow-up on the same customer; sr1's reminder is not ar1's
    assert [f.id for f in service.due(session, ar1, until)] == [due.id]
    assert service.count_due(session, ar1, until) == 1
    assert done.id not in {f.id for f in service.due(session, ar1, until)}
    assert service.count_due(session, director, until) == 0
