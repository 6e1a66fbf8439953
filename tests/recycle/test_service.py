from __future__ import annotations

import pytest

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.errors import Forbidden, Invalid, NotFound
from loam.recycle import service
from tests.helpers import make_customer, scope_of


def _deleted_customer(session, owner_id: int, name: str):
    c = make_customer(session, owner_id, name)
    customer_service.delete_(session, Scope.system(), c.id)
    session.flush()
    return c


def test_customers_in_the_bin_obey_scope(session, ids):
    c = _deleted_customer(session, ids["ar1"], "回收站客户")
    seen = lambda user: {r.id for r in service.list_deleted(session, scope_of(session, ids[user]), "customer")[0]}  # noqa: E731
    assert c.id in seen("ar1") and c.id in seen("director") and c.id in seen("admin")
    assert c.id not in seen("ar2") and c.id not in seen("finance1")
    with pytest.raises(NotFound):
        service.restore(session, scope_of(session, ids["ar2"]), "customer", c.id)
    with pytest.raises(Forbidden):  # ar1 sees it but AR has no customers.delete
        service.restore(session, scope_of(session, ids["ar1"]), "customer", c.id)
    restored = service.restore(session, scope_of(session, ids["director"]), "customer", c.id)
    assert restored.deleted_at is None and c.id not in seen("director")


def test_purge_needs_recycle_purge(session, ids):
    c = _deleted_customer(session, ids["ar1"], "彻底删除客户")
    with pytest.raises(Forbidden):
        service.purge(session, scope_of(session, ids["director"]), "customer", c.id)
    service.purge(session, scope_of(session, ids["admin"]), "customer", c.id)
    with pytest.raises(NotFound):
        service.restore(session, scope_of(session, ids["admin"]), "customer", c.id)


def test_unknown_entity_is_invalid(session, ids):
    admin = scope_of(session, ids["admin"])
    for call in (
        lambda: service.list_deleted(session, admin, "planet"),
        lambda: service.restore(session, admin, "planet", 1),
        lambda: service.purge(session, admin, "user", 1),
    ):
        with pytest.raises(Invalid):
            call()


def test_leads_and_contacts_share_the_bin(session, ids):
    lead_service = pytest.importorskip("loam.leads.service")
    contact_service = pytest.importorskip("loam.contacts.service")
    from loam.contacts.schemas import ContactCreate
    from loam.leads.schemas import LeadCreate

    ar1 = scope_of(session, ids["ar1"])
    lead = lead_service.create(session, ar1, LeadCreate(name="王先生", company="回收站线索公司"))
    customer = make_customer(session, ids["ar1"], "联系人所属客户")
    contact = contact_service.create(session, ar1, ContactCreate(customer_id=customer.id, name="回收站联系人"))
    lead_service.delete_(session, Scope.system(), lead.id)
    contact_service.delete_(session, Scope.system(), contact.id)
    session.flush()
    rows, _ = service.list_deleted(session, ar1, "lead")
    assert lead.id in {r.id for r in rows}
    assert service.label(next(r for r in rows if r.id == lead.id)) == "王先生 (回收站线索公司)"
    assert contact.id in {r.id for r in service.list_deleted(session, ar1, "contact")[0]}
    assert set(service.entities()) == set(service.SERVICES)  # every kind whose domain is installed
    admin = scope_of(session, ids["admin"])
    service.restore(session, admin, "contact", contact.id)
    service.purge(session, admin, "lead", lead.id)
    assert lead.id not in {r.id for r in service.list_deleted(session, admin, "lead")[0]}
    assert contact.id not in {r.id for r in service.list_deleted(session, admin, "contact")[0]}
