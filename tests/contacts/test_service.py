from __future__ import annotations

import pytest

from loam.authz.scope import Scope
from loam.contacts import service
from loam.contacts.schemas import ContactCreate, ContactFilters, ContactUpdate
from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite, TransferRequest
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import customfields
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of


def _update(contact, **changes):
    values = {k: getattr(contact, k) for k in ContactUpdate.model_fields if k not in ("custom", "version")}
    return ContactUpdate(**(values | changes), version=contact.version)


def test_create_is_owned_by_the_customers_owner_and_audited(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人测试一")
    contact = make_contact(session, ids["director"], customer.id, "周主任", phone="138 0013 8000", level="executive")
    assert contact.owner_id == ids["ar1"] and contact.department_id == ids["team1"]
    assert contact.created_by == ids["director"]
    assert contact.phone_norm == "+8613800138000"
    assert [h.action for h in service.history(session, scope_of(session, ids["ar1"]), contact.id)] == ["create"]


def test_scope_ar1_ar2_director(session, ids):
    c1 = make_customer(session, ids["ar1"], "联系人范围一")
    c2 = make_customer(session, ids["ar2"], "联系人范围二")
    k1 = make_contact(session, ids["ar1"], c1.id, "甲")
    k2 = make_contact(session, ids["ar2"], c2.id, "乙")
    ar1, ar2, director = (scope_of(session, ids[u]) for u in ("ar1", "ar2", "director"))
    assert service.get(session, ar1, k1.id).id == k1.id
    with pytest.raises(NotFound):
        service.get(session, ar1, k2.id)
    with pytest.raises(NotFound):
        service.get(session, ar2, k1.id)
    seen = {c.id for c in service.list_page(session, director, ContactFilters(), 1, 200)[0]}
    assert {k1.id, k2.id} <= seen
    assert service.list_page(session, scope_of(session, ids["finance1"]), ContactFilters(), 1, 200)[1] == 0
    with pytest.raises(NotFound):
        service.for_customer(session, ar2, c1.id)


def test_read_team_member_sees_contacts_but_cannot_add_or_edit(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人团队")
    contact = make_contact(session, ids["ar1"], customer.id)
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    customer_service.add_member(session, ar1, customer.id, MemberWrite(user_id=ids["ar2"], access="read"))
    assert [c.id for c in service.for_customer(session, ar2, customer.id)] == [contact.id]
    assert not service.can_change(session, ar2, contact, "contacts.update")
    with pytest.raises(Forbidden):
        service.create(session, ar2, ContactCreate(customer_id=customer.id, name="新人"))
    with pytest.raises(Forbidden):
        service.update(session, ar2, contact.id, _update(contact, name="改名"))
    customer_service.add_member(session, ar1, customer.id, MemberWrite(user_id=ids["ar2"], access="write"))
    added = service.create(session, ar2, ContactCreate(customer_id=customer.id, name="新人"))
    assert added.owner_id == ids["ar1"]


def test_create_needs_permission_and_a_visible_customer(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人权限")
    with pytest.raises(Forbidden):  # finance has no contacts.create (checked before anything is looked up)
        service.create(session, scope_of(session, ids["finance1"]), ContactCreate(customer_id=customer.id, name="x"))
    with pytest.raises(NotFound):
        service.create(session, scope_of(session, ids["ar2"]), ContactCreate(customer_id=customer.id, name="x"))


def test_reports_to_same_customer_and_no_cycles(session, ids):
    c1 = make_customer(session, ids["ar1"], "汇报线一")
    c2 = make_customer(session, ids["ar1"], "汇报线二")
    boss = make_contact(session, ids["ar1"], c1.id, "总经理", level="executive")
    mid = make_contact(session, ids["ar1"], c1.id, "部门经理", level="middle", reports_to_id=boss.id)
    staff = make_contact(session, ids["ar1"], c1.id, "工程师", reports_to_id=mid.id)
    other = make_contact(session, ids["ar1"], c2.id, "外人")
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid) as exc:
        service.create(session, ar1, ContactCreate(customer_id=c1.id, name="x", reports_to_id=other.id))
    assert "reports_to_id" in exc.value.detail
    with pytest.raises(Invalid):
        service.update(session, ar1, boss.id, _update(boss, reports_to_id=boss.id))
    with pytest.raises(Invalid):  # boss → staff → mid → boss
        service.update(session, ar1, boss.id, _update(boss, reports_to_id=staff.id))
    assert boss.reports_to_id is None and boss.version == 1
    service.delete_(session, ar1, mid.id)
    with pytest.raises(Invalid):  # a deleted contact cannot be a superior
        service.update(session, ar1, staff.id, _update(staff, reports_to_id=mid.id))
    service.update(session, ar1, staff.id, _update(staff, reports_to_id=boss.id))
    assert staff.reports_to_id == boss.id


def test_stale_version_is_a_conflict_and_changes_nothing(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人版本")
    contact = make_contact(session, ids["ar1"], customer.id, "原名")
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, contact.id, _update(contact, name="新名"))
    assert contact.version == 2
    stale = ContactUpdate(name="旧版本", version=1)
    with pytest.raises(Conflict):
        service.update(session, ar1, contact.id, stale)
    assert contact.name == "新名"


def test_transfer_with_cascade_moves_contacts_and_audits(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人转移")
    a = make_contact(session, ids["ar1"], customer.id, "甲")
    b = make_contact(session, ids["ar1"], customer.id, "乙")
    director = scope_of(session, ids["director"])
    customer_service.transfer(
        session, director, customer.id, TransferRequest(owner_id=ids["ar2"], cascade_contacts=True)
    )
    assert (a.owner_id, b.owner_id) == (ids["ar2"], ids["ar2"])
    assert a.department_id == ids["team2"]
    assert [h.action for h in service.history(session, director, a.id)] == ["transfer", "create"]
    ar2 = scope_of(session, ids["ar2"])
    assert {c.id for c in service.for_customer(session, ar2, customer.id)} == {a.id, b.id}


def test_contact_owner_keeps_edit_rights_after_a_transfer_without_cascade(session, ids):
    customer = make_customer(session, ids["ar1"], "不带联系人转移")
    contact = make_contact(session, ids["ar1"], customer.id)
    director = scope_of(session, ids["director"])
    customer_service.transfer(
        session, director, customer.id, TransferRequest(owner_id=ids["ar2"], keep_as_member=False)
    )
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, contact.id, _update(contact, title="主任"))  # owns the contact
    assert contact.title == "主任" and contact.owner_id == ids["ar1"]


def test_delete_restore_purge_and_deleted_customer_hides_contacts(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人回收站")
    boss = make_contact(session, ids["ar1"], customer.id, "老板")
    staff = make_contact(session, ids["ar1"], customer.id, "员工", reports_to_id=boss.id)
    admin, ar1 = scope_of(session, ids["admin"]), scope_of(session, ids["ar1"])
    service.delete_(session, ar1, boss.id)
    with pytest.raises(NotFound):
        service.get(session, ar1, boss.id)
    assert boss.id in {c.id for c in service.list_deleted(session, ar1)[0]}
    service.restore(session, ar1, boss.id)
    service.delete_(session, ar1, boss.id)
    with pytest.raises(Forbidden):
        service.purge(session, ar1, boss.id)
    service.purge(session, admin, boss.id)
    session.flush()
    assert staff.reports_to_id is None
    with pytest.raises(NotFound):
        service.restore(session, admin, boss.id)
    customer_service.delete_(session, admin, customer.id)
    with pytest.raises(NotFound):
        service.get(session, ar1, staff.id)


def test_filters_and_custom_fields(session, ids):
    customfields.save_definition(
        session,
        customfields.CustomFieldWrite(
            entity="contact", key="hobby", label_zh="爱好", label_en="Hobby", field_type="text", required=True
        ),
    )
    customer = make_customer(session, ids["ar1"], "联系人筛选")
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid):
        service.create(session, ar1, ContactCreate(customer_id=customer.id, name="缺字段"))
    make_contact(
        session, ids["ar1"], customer.id, "钱总", level="executive", is_decision_maker=True, custom={"hobby": "茶"}
    )
    make_contact(session, ids["ar1"], customer.id, "孙工", email="sun@example.com", custom={"hobby": "跑步"})

    def names(**f):
        return [c.name for c in service.list_page(session, ar1, ContactFilters(customer_id=customer.id, **f))[0]]

    assert names(is_decision_maker=True) == ["钱总"]
    assert names(q="sun@") == ["孙工"]
    assert names(level="staff") == ["孙工"]
    assert [c.name for c in service.for_customer(session, ar1, customer.id)] == ["钱总", "孙工"]


def test_system_scope_and_sort_whitelist(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人排序")
    make_contact(session, ids["ar1"], customer.id, "B")
    make_contact(session, ids["ar1"], customer.id, "A")
    items, _ = service.list_page(session, Scope.system(), ContactFilters(customer_id=customer.id), sort="name")
    assert [c.name for c in items] == ["A", "B"]
    with pytest.raises(Invalid):
        service.list_page(session, Scope.system(), ContactFilters(), sort="password")
