from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerFilters
from loam.db import utcnow
from loam.dedup import service as dedup_service
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.customfields import CustomFieldWrite, save_definition
from loam.leads import service
from loam.leads.schemas import LeadConvert, LeadFilters, LeadStatusChange, LeadTransfer, LeadUpdate
from tests.helpers import make_customer, scope_of
from tests.leads.factories import make_lead


def _ids(items):
    return {x.id for x in items}


def test_create_owner_department_status_and_keys(session, ids):
    lead = make_lead(session, ids["ar1"], "王五", company="ＧＸ 河池电信（集团）有限公司", phone="+86 138-0013-8000")
    assert (lead.owner_id, lead.department_id, lead.created_by) == (ids["ar1"], ids["team1"], ids["ar1"])
    assert lead.status == "open" and lead.version == 1
    assert lead.company_norm == "gx河池电信"
    assert lead.phone_norm == "+8613800138000"
    assert [h.action for h in audit.history(session, "lead", lead.id)] == ["create"]
    bare = make_lead(session, ids["ar1"], "无公司")
    assert bare.company_norm is None and bare.phone_norm is None


def test_create_needs_permission(session, ids):
    from loam.leads.schemas import LeadCreate

    with pytest.raises(Forbidden):
        service.create(session, scope_of(session, ids["finance1"]), LeadCreate(name="x"))


def test_data_scope_ar1_ar2_director_finance(session, ids):
    l1 = make_lead(session, ids["ar1"], "甲")
    l2 = make_lead(session, ids["ar2"], "乙")
    ar1, ar2, director, fin = (scope_of(session, ids[u]) for u in ("ar1", "ar2", "director", "finance1"))
    assert service.get(session, ar1, l1.id).id == l1.id
    with pytest.raises(NotFound):
        service.get(session, ar1, l2.id)
    with pytest.raises(NotFound):
        service.get(session, ar2, l1.id)
    assert _ids(service.list_page(session, ar1, LeadFilters(), 1, 200)[0]) >= {l1.id}
    assert l2.id not in _ids(service.list_page(session, ar1, LeadFilters(), 1, 200)[0])
    assert {l1.id, l2.id} <= _ids(service.list_page(session, director, LeadFilters(), 1, 200)[0])
    assert service.list_page(session, fin, LeadFilters(), 1, 200)[1] == 0
    with pytest.raises(NotFound):
        service.get(session, fin, l1.id)


def test_out_of_scope_write_is_404_before_permission(session, ids):
    lead = make_lead(session, ids["ar1"], "丙")
    ar2 = scope_of(session, ids["ar2"])
    with pytest.raises(NotFound):
        service.update(session, ar2, lead.id, LeadUpdate(name="x", version=1))
    with pytest.raises(NotFound):
        service.delete_(session, ar2, lead.id)  # ar2 lacks leads.delete too, but 404 comes first
    with pytest.raises(NotFound):
        service.convert(session, ar2, lead.id, LeadConvert())
    assert lead.name == "丙" and lead.deleted_at is None and lead.status == "open"


def test_stale_version_is_a_conflict_and_changes_nothing(session, ids):
    lead = make_lead(session, ids["ar1"], "丁")
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, lead.id, LeadUpdate(name="丁二", company="丁有限公司", version=1))
    assert lead.version == 2 and lead.company_norm == "丁"
    with pytest.raises(Conflict):
        service.update(session, ar1, lead.id, LeadUpdate(name="丁三", version=1))
    assert lead.name == "丁二"
    actions = [h.action for h in service.history(session, ar1, lead.id)]
    assert actions == ["update", "create"]


def test_update_without_changes_writes_no_audit_row(session, ids):
    lead = make_lead(session, ids["ar1"], "戊", grade="A")
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, lead.id, LeadUpdate(name="戊", grade="A", version=1))
    assert lead.version == 1
    assert [h.action for h in service.history(session, ar1, lead.id)] == ["create"]


def test_transfer_moves_owner_and_department(session, ids):
    lead = make_lead(session, ids["ar1"], "己")
    ar1 = scope_of(session, ids["ar1"])
    service.transfer(session, ar1, lead.id, LeadTransfer(owner_id=ids["ar2"]))
    assert (lead.owner_id, lead.department_id) == (ids["ar2"], ids["team2"])
    with pytest.raises(NotFound):
        service.get(session, ar1, lead.id)
    director = scope_of(session, ids["director"])
    assert service.history(session, director, lead.id)[0].action == "transfer"
    with pytest.raises(NotFound):
        service.transfer(session, director, lead.id, LeadTransfer(owner_id=999_999))


def test_delete_restore_purge(session, ids):
    lead = make_lead(session, ids["ar1"], "庚")
    ar1, director, admin = (scope_of(session, ids[u]) for u in ("ar1", "director", "admin"))
    with pytest.raises(Forbidden):
        service.delete_(session, ar1, lead.id)  # the AR role has no leads.delete
    service.delete_(session, director, lead.id)
    with pytest.raises(NotFound):
        service.get(session, director, lead.id)
    assert lead.id in _ids(service.list_deleted(session, director)[0])
    assert lead.id not in _ids(service.list_deleted(session, scope_of(session, ids["ar2"]))[0])
    service.restore(session, director, lead.id)
    assert service.get(session, ar1, lead.id).deleted_at is None
    service.delete_(session, director, lead.id)
    with pytest.raises(Forbidden):
        service.purge(session, director, lead.id)  # directors cannot purge
    service.purge(session, admin, lead.id)
    with pytest.raises(NotFound):
        service.restore(session, admin, lead.id)
    assert audit.history(session, "lead", lead.id)[0].action == "purge"


def test_status_invalid_and_reopen(session, ids):
    lead = make_lead(session, ids["ar1"], "辛")
    ar1 = scope_of(session, ids["ar1"])
    service.set_status(session, ar1, lead.id, LeadStatusChange(status="invalid", reason="空号"))
    assert lead.status == "invalid"
    with pytest.raises(Conflict):
        service.convert(session, ar1, lead.id, LeadConvert())
    service.set_status(session, ar1, lead.id, LeadStatusChange(status="open"))
    assert lead.status == "open"


def test_list_filters_search_and_sort(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    a = make_lead(session, ids["ar1"], "筛选甲", company="筛选公司", grade="A", source="website", phone="138-0013-8001")
    b = make_lead(session, ids["ar1"], "筛选乙", grade="B", source="referral")

    def found(**kw):
        return _ids(service.list_page(session, ar1, LeadFilters(**kw), 1, 200)[0])

    assert {a.id, b.id} <= found(q="筛选")
    assert found(q="筛选公司") == {a.id}
    assert a.id in found(q="13800138001") and b.id not in found(q="13800138001")
    assert a.id in found(grade="A") and b.id not in found(grade="A")
    assert b.id in found(source="referral") and a.id not in found(source="referral")
    assert {a.id, b.id} <= found(mine=True, status="open")
    assert not found(q="筛选", status="converted")
    assert {a.id, b.id} <= found(owner_id=ids["ar1"])
    items = service.list_page(session, ar1, LeadFilters(q="筛选"), 1, 10, "-name")[0]
    assert [x.name for x in items] == ["筛选甲", "筛选乙"]  # 甲 U+7532 sorts after 乙 U+4E59
    items = service.list_page(session, ar1, LeadFilters(q="筛选"), 1, 10, "name")[0]
    assert [x.name for x in items] == ["筛选乙", "筛选甲"]
    with pytest.raises(Invalid):
        service.list_page(session, ar1, LeadFilters(), 1, 10, "password")
    q = service.list_page(session, ar1, LeadFilters(q="100%_"), 1, 10)
    assert q[1] == 0  # LIKE wildcards are escaped


def test_custom_fields_validate_and_filter(session, ids):
    save_definition(
        session,
        CustomFieldWrite(
            entity="lead",
            key="budget",
            label_zh="预算",
            label_en="Budget",
            field_type="select",
            choices=["high", "low"],
        ),
    )
    ar1 = scope_of(session, ids["ar1"])
    rich = make_lead(session, ids["ar1"], "预算高", custom={"budget": "high"})
    make_lead(session, ids["ar1"], "预算低", custom={"budget": "low"})
    assert rich.custom == {"budget": "high"}
    assert _ids(service.list_page(session, ar1, LeadFilters(custom={"budget": "high"}), 1, 50)[0]) == {rich.id}
    with pytest.raises(Invalid):
        make_lead(session, ids["ar1"], "坏值", custom={"budget": "huge"})
    with pytest.raises(Invalid):
        make_lead(session, ids["ar1"], "未知", custom={"nope": "x"})


def test_due_today_is_own_open_and_due(session, ids):
    now = utcnow()
    ar1 = scope_of(session, ids["ar1"])
    due = make_lead(session, ids["ar1"], "今天", next_contact_at=now - timedelta(hours=1))
    overdue = make_lead(session, ids["ar1"], "逾期", next_contact_at=now - timedelta(days=3))
    make_lead(session, ids["ar1"], "下周", next_contact_at=now + timedelta(days=7))
    make_lead(session, ids["ar1"], "未定")
    make_lead(session, ids["ar2"], "别人的", next_contact_at=now - timedelta(hours=1))
    dead = make_lead(session, ids["ar1"], "无效", next_contact_at=now - timedelta(hours=1))
    service.set_status(session, ar1, dead.id, LeadStatusChange(status="invalid"))
    got = service.due_today(session, ar1)
    assert [x.id for x in got] == [overdue.id, due.id]
    assert service.count_due_today(session, ar1) == 2
    assert service.due_today(session, ar1, limit=1) == [overdue]
    assert _ids(service.list_page(session, ar1, LeadFilters(due_today=True), 1, 50)[0]) == {due.id, overdue.id}
    # the director sees ar1's leads but "due today" is their own list only
    director = scope_of(session, ids["director"])
    assert service.count_due_today(session, director) == 0


def test_note_followup_moves_forward_only(session, ids):
    lead = make_lead(session, ids["ar1"], "跟进")
    now = utcnow()
    service.note_followup(session, lead.id, now, now + timedelta(days=2))
    session.refresh(lead)
    assert lead.last_followup_at == now and lead.next_contact_at == now + timedelta(days=2)
    service.note_followup(session, lead.id, now - timedelta(days=1), None)
    session.refresh(lead)
    assert lead.last_followup_at == now and lead.next_contact_at == now + timedelta(days=2)


# --- duplicates ---------------------------------------------------------------------------------


def test_dedup_company_variants_and_phone_formats_across_entities(session, ids):
    from loam.contacts import service as contact_service
    from loam.contacts.schemas import ContactCreate

    lead = make_lead(session, ids["ar1"], "赵六", company="南宁ＡＢＣ科技有限公司")
    customer = make_customer(session, ids["ar2"], "南宁ABC科技 Co., Ltd.")
    other = make_customer(session, ids["ar2"], "无关公司", phone="0771-1234567")
    contact = contact_service.create(
        session, scope_of(session, ids["ar2"]), ContactCreate(customer_id=other.id, name="钱七", phone="13800138000")
    )
    by_company = dedup_service.find_duplicates(session, "南宁abc科技（集团）有限公司", None)
    assert {(d.entity, d.id) for d in by_company} == {("lead", lead.id), ("customer", customer.id)}
    assert {d.matched_on for d in by_company} == {"company"}
    by_phone = dedup_service.find_duplicates(session, None, "+86 138-0013-8000")
    assert [(d.entity, d.id, d.owner_name) for d in by_phone] == [("contact", contact.id, "张伟")]
    assert by_phone[0].name == "钱七 (无关公司)"
    assert [d.id for d in dedup_service.find_duplicates(session, None, "0771 123 4567")] == [other.id]
    # it reveals only what kind of record, its name and the owner's name
    assert [f.name for f in dataclasses.fields(dedup_service.Duplicate)] == [
        "entity",
        "id",
        "name",
        "owner_name",
        "matched_on",
    ]


def test_dedup_ignores_deleted_converted_excluded_and_empty(session, ids):
    lead = make_lead(session, ids["ar1"], "孙八", company="查重公司", phone="13900139000")
    assert dedup_service.find_duplicates(session, None, None) == []
    assert dedup_service.find_duplicates(session, "", "  ") == []
    assert dedup_service.find_duplicates(session, "查重公司", None, exclude=("lead", lead.id)) == []
    service.delete_(session, Scope.system(), lead.id)
    assert dedup_service.find_duplicates(session, "查重公司", "13900139000") == []


def test_dedup_crosses_data_scopes_but_needs_lead_permission(session, ids):
    make_lead(session, ids["ar1"], "周九", company="跨组公司")
    found = service.duplicates(session, scope_of(session, ids["ar2"]), "跨组公司", None)
    assert [(d.entity, d.owner_name) for d in found] == [("lead", "李明")]
    with pytest.raises(Forbidden):
        service.duplicates(session, scope_of(session, ids["finance1"]), "跨组公司", None)


# --- conversion ---------------------------------------------------------------------------------


def test_convert_creates_customer_contact_and_moves_followups(session, ids):
    from loam.activities import service as followup_service
    from loam.activities.schemas import FollowUpCreate
    from loam.contacts import service as contact_service

    lead = make_lead(
        session,
        ids["ar1"],
        "吴十",
        company="转化公司",
        title="CTO",
        phone="13700137000",
        email="wu@example.com",
        industry="telecom",
        source="exhibition",
        province="广西",
        city="南宁",
    )
    ar1 = scope_of(session, ids["ar1"])
    fu = followup_service.create(session, ar1, FollowUpCreate(kind="call", content="首次电话", lead_id=lead.id))
    result = service.convert(session, ar1, lead.id, LeadConvert())
    customer = customer_service.get(session, ar1, result.customer_id)
    assert customer.name == "转化公司" and customer.owner_id == ids["ar1"]
    assert (customer.industry, customer.source, customer.city) == ("telecom", "exhibition", "南宁")
    contact = contact_service.get(session, ar1, result.contact_id)
    assert (contact.name, contact.title, contact.phone, contact.email) == (
        "吴十",
        "CTO",
        "13700137000",
        "wu@example.com",
    )
    assert contact.customer_id == customer.id
    assert result.followups_moved == 1
    session.refresh(fu)
    assert (fu.customer_id, fu.lead_id) == (customer.id, None)
    assert lead.status == "converted" and lead.converted_customer_id == customer.id and lead.converted_at
    assert service.history(session, ar1, lead.id)[0].action == "convert"
    assert "from_lead" in [h.action for h in customer_service.history(session, ar1, customer.id)]
    with pytest.raises(Conflict):
        service.convert(session, ar1, lead.id, LeadConvert())
    with pytest.raises(Conflict):
        service.update(session, ar1, lead.id, LeadUpdate(name="改", version=lead.version))


def test_convert_by_director_is_owned_by_director_and_named(session, ids):
    lead = make_lead(session, ids["ar1"], "个人客户")
    director = scope_of(session, ids["director"])
    result = service.convert(session, director, lead.id, LeadConvert(customer_name="指定名称", create_contact=False))
    assert result.customer.owner_id == ids["director"] and result.customer.name == "指定名称"
    assert result.contact is None and result.followups_moved == 0


def test_convert_defaults_to_person_name_and_carries_phone_without_contact(session, ids):
    lead = make_lead(session, ids["ar1"], "散户张三", phone="13600136000")
    result = service.convert(session, scope_of(session, ids["ar1"]), lead.id, LeadConvert(create_contact=False))
    assert result.customer.name == "散户张三" and result.customer.phone_norm == "+8613600136000"


def test_convert_attaches_to_an_existing_customer_only_if_writable(session, ids):
    mine = make_customer(session, ids["ar1"], "已有客户")
    theirs = make_customer(session, ids["ar2"], "别组客户")
    lead = make_lead(session, ids["ar1"], "附加", company="已有客户")
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(NotFound):
        service.convert(session, ar1, lead.id, LeadConvert(existing_customer_id=theirs.id))
    assert lead.status == "open"
    before = customer_service.list_page(session, ar1, CustomerFilters())[1]
    result = service.convert(session, ar1, lead.id, LeadConvert(existing_customer_id=mine.id, customer_name="忽略"))
    assert result.customer_id == mine.id and result.contact.customer_id == mine.id
    after = customer_service.list_page(session, ar1, CustomerFilters())[1]
    assert after == before


def test_convert_needs_permissions_before_writing(session, ids):
    from loam.authz.permissions import Permission

    lead = make_lead(session, ids["ar1"], "无权转化", company="无权公司")
    ar1 = scope_of(session, ids["ar1"])
    no_convert = dataclasses.replace(ar1, permissions=ar1.permissions - {Permission.leads_convert.value})
    no_customer = dataclasses.replace(ar1, permissions=ar1.permissions - {Permission.customers_create.value})
    no_contact = dataclasses.replace(ar1, permissions=ar1.permissions - {Permission.contacts_create.value})
    for scope in (no_convert, no_customer, no_contact):
        with pytest.raises(Forbidden):
            service.convert(session, scope, lead.id, LeadConvert())
    assert lead.status == "open"
    assert dedup_service.find_duplicates(session, "无权公司", None)[0].entity == "lead"  # no customer was made


def test_convert_refuses_unusable_legacy_data_with_422_before_writing(session, ids):
    lead = make_lead(session, ids["ar1"], "旧数据", company="旧数据公司")
    lead.email = "not-an-email"  # e.g. a row imported before validation existed
    session.flush()
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid):
        service.convert(session, ar1, lead.id, LeadConvert())
    assert lead.status == "open"
    assert [d.entity for d in dedup_service.find_duplicates(session, "旧数据公司", None)] == ["lead"]
