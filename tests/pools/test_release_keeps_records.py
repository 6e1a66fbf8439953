"""Releasing to a pool and claiming back keep the customer's contacts and follow-ups; contacts follow the owner."""

from __future__ import annotations

import pytest

from loam.contacts import service as contact_service
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerUpdate
from loam.errors import Conflict, NotFound
from loam.pools import service
from tests.contacts.factories import make_contact, make_followup
from tests.helpers import make_customer, scope_of
from tests.pools.factory import make_pool


def test_release_and_claim_keep_contacts_and_followups(session, ids):
    pool = make_pool(session, ids, "保留公海")
    c = make_customer(session, ids["ar1"], "保留测试客户")
    k = make_contact(session, ids["ar1"], c.id, "蒙主任")
    make_followup(session, ids["ar1"], customer_id=c.id, contact_ids=[k.id])
    ar1, sr1 = scope_of(session, ids["ar1"]), scope_of(session, ids["sr1"])
    service.release(session, ar1, c.id, pool.id)
    session.flush()
    assert k.owner_id is None  # the previous owner no longer holds the contact
    assert [x.id for x in contact_service.for_customer(session, sr1, c.id)] == [k.id]  # pool members see it
    service.claim(session, sr1, c.id)
    session.flush()
    assert k.owner_id == ids["sr1"]
    from loam.activities import service as followup_service

    assert len(followup_service.timeline(session, sr1, customer_id=c.id)) == 1
    with pytest.raises(NotFound):  # ar1 released it: neither the customer nor its contact is theirs now
        contact_service.get(session, ar1, k.id)


def test_a_followup_makes_an_open_edit_form_stale(session, ids):
    c = make_customer(session, ids["ar1"], "并发编辑客户")
    version = c.version
    make_followup(session, ids["ar1"], customer_id=c.id)
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Conflict):
        customer_service.update(session, ar1, c.id, CustomerUpdate(name="覆盖", version=version))


def test_admin_sees_pool_customers_outside_their_pools(session, ids):
    pool = make_pool(session, ids, "管理员可见公海")
    c = make_customer(session, ids["ar1"], "公海里的客户")
    service.release(session, scope_of(session, ids["ar1"]), c.id, pool.id)
    assert customer_service.get(session, scope_of(session, ids["admin"]), c.id).id == c.id
    with pytest.raises(NotFound):
        customer_service.get(session, scope_of(session, ids["ar2"]), c.id)
