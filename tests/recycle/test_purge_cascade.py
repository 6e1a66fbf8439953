"""Purging from the recycle bin removes what belongs to the record and nothing else, without database errors."""

from __future__ import annotations

from sqlalchemy import func, select

from loam.activities.models import FollowUp
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.leads import service as lead_service
from loam.leads.models import Lead
from loam.leads.schemas import LeadConvert
from tests.contacts.factories import make_contact, make_followup, make_lead
from tests.helpers import make_customer, scope_of


def _count(session, model, **where) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return int(session.scalar(stmt) or 0)


def test_purging_a_customer_takes_its_contacts_and_followups_and_unlinks_its_lead(session, ids):
    admin = scope_of(session, ids["admin"])
    lead = make_lead(session, ids["ar1"], company="清除测试公司")
    conv = lead_service.convert(session, scope_of(session, ids["ar1"]), lead.id, LeadConvert(create_contact=True))
    customer = conv.customer
    boss = make_contact(session, ids["ar1"], customer.id, "林总")
    make_contact(session, ids["ar1"], customer.id, "秘书小周", reports_to_id=boss.id)
    make_followup(session, ids["ar1"], customer_id=customer.id, contact_ids=[boss.id])
    other = make_customer(session, ids["ar1"], "不相干客户")
    make_contact(session, ids["ar1"], other.id, "别人")
    customer_service.delete_(session, admin, customer.id)
    customer_service.purge(session, admin, customer.id)
    session.flush()
    assert _count(session, Contact, customer_id=customer.id) == 0
    assert _count(session, FollowUp, customer_id=customer.id) == 0
    assert session.get(Lead, lead.id).converted_customer_id is None
    assert _count(session, Contact, customer_id=other.id) == 1


def test_purging_a_lead_takes_its_followups(session, ids):
    admin = scope_of(session, ids["admin"])
    lead = make_lead(session, ids["ar1"], company="线索清除公司")
    make_followup(session, ids["ar1"], lead_id=lead.id)
    lead_service.delete_(session, admin, lead.id)
    lead_service.purge(session, admin, lead.id)
    session.flush()
    assert _count(session, FollowUp, lead_id=lead.id) == 0
    assert session.get(Lead, lead.id) is None
