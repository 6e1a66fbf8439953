"""Global search: Chinese substrings of any length, case, phone formats, e-mail, scope, index upkeep."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from loam.customers import service as customer_service
from loam.customers.schemas import CustomerFilters, CustomerUpdate, MemberWrite
from loam.leads.schemas import LeadFilters
from loam.search import service
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of
from tests.leads.factories import make_lead


def found(session, user_id, q, entity="customer", limit=50):
    groups = {g.entity: g for g in service.search(session, scope_of(session, user_id), q, limit).groups}
    return {h.id: h for h in groups[entity].items}


@pytest.mark.parametrize("q", ["河池", "河池电", "河池电信", "广西河池电信分公司", "分公司"])
def test_chinese_substrings_of_any_length(session, ids, q):
    c = make_customer(session, ids["ar1"], "广西河池电信分公司")
    other = make_customer(session, ids["ar1"], "桂林移动")
    hits = found(session, ids["ar1"], q)
    assert c.id in hits and other.id not in hits
    assert hits[c.id].matched == "name" and hits[c.id].route == "customers:detail"


def test_one_character_and_no_match(session, ids):
    c = make_customer(session, ids["ar1"], "搜索测试甲公司")
    assert c.id in found(session, ids["ar1"], "甲")
    assert found(session, ids["ar1"], "乙丙丁不存在") == {}
    assert found(session, ids["ar1"], "乙丙") == {}


def test_english_is_case_insensitive_and_email_matches(session, ids):
    c = make_customer(session, ids["ar1"], "Acme Trading Ltd", email="Sales@Acme-Trading.example")
    for q in ("acme", "ACME TRAD", "Ac", "sales@acme", "ACME-TRADING.EXAMPLE"):
        assert c.id in found(session, ids["ar1"], q), q
    hit = found(session, ids["ar1"], "sales@acme")[c.id]
    assert hit.matched == "email"


@pytest.mark.parametrize("q", ["13800138000", "138-0013-8000", "+86 138 0013 8000", "0013800", "8000"])
def test_phone_digits_match_the_normalised_phone(session, ids, q):
    c = make_customer(session, ids["ar1"], "电话客户", phone="+86 138 0013 8000")
    assert customer_service.get(session, scope_of(session, ids["ar1"]), c.id).phone_norm == "+8613800138000"
    hits = found(session, ids["ar1"], q)
    assert c.id in hits and hits[c.id].matched == "phone"


def test_like_wildcards_and_quotes_are_literal(session, ids):
    c = make_customer(session, ids["ar1"], 'Percent 100%_ "quoted" Co')
    make_customer(session, ids["ar1"], "Percent 1000 Co")
    assert set(found(session, ids["ar1"], "100%_")) == {c.id}
    assert set(found(session, ids["ar1"], '"quoted"')) == {c.id}
    assert set(found(session, ids["ar1"], "%")) == {c.id}


def test_scope_owner_team_member_and_deleted(session, ids):
    mine = make_customer(session, ids["ar2"], "河池范围测试公司")
    assert mine.id in found(session, ids["ar2"], "河池范围")
    assert mine.id not in found(session, ids["ar1"], "河池范围")  # ar1 does not see ar2's customer
    assert mine.id in found(session, ids["admin"], "河池范围")
    customer_service.add_member(session, scope_of(session, ids["ar2"]), mine.id, MemberWrite(user_id=ids["ar1"]))
    assert mine.id in found(session, ids["ar1"], "河池范围")  # a team member finds it
    customer_service.delete_(session, scope_of(session, ids["admin"]), mine.id)  # soft delete
    session.flush()
    for user in ("ar1", "ar2", "admin"):
        assert mine.id not in found(session, ids[user], "河池范围"), user


def test_contacts_and_leads_are_found_and_scoped(session, ids):
    c = make_customer(session, ids["ar1"], "联系人母公司")
    contact = make_contact(session, ids["ar1"], c.id, "欧阳锋", phone="13912345678", email="ouyang@example.cn")
    lead = make_lead(session, ids["ar1"], "欧阳克", company="白驼山庄", phone="139-8765-4321")
    assert contact.id in found(session, ids["ar1"], "欧阳", "contact")
    assert lead.id in found(session, ids["ar1"], "欧阳", "lead")
    assert lead.id in found(session, ids["ar1"], "白驼山", "lead")
    assert found(session, ids["ar1"], "白驼山", "lead")[lead.id].matched == "company"
    assert lead.id in found(session, ids["ar1"], "13987654321", "lead")
    assert contact.id in found(session, ids["ar1"], "OUYANG@", "contact")
    assert contact.id not in found(session, ids["ar2"], "欧阳", "contact")
    assert lead.id not in found(session, ids["ar2"], "欧阳", "lead")
    hit = found(session, ids["ar1"], "欧阳", "contact")[contact.id]
    assert hit.route == "contacts:detail" and hit.route_param == "contact_id" and hit.subtitle == "13912345678"


def test_limit_and_more(session, ids):
    for i in range(4):
        make_customer(session, ids["ar1"], f"限量测试{i}号公司")
    group = service.search(session, scope_of(session, ids["ar1"]), "限量测试", 3).groups[0]
    assert len(group.items) == 3 and group.more
    group = service.search(session, scope_of(session, ids["ar1"]), "限量测试", 4).groups[0]
    assert len(group.items) == 4 and not group.more


def test_index_follows_insert_rename_and_hard_delete(session, ids):
    c = make_customer(session, ids["ar1"], "改名前的公司")
    service.flush_index(session)  # what the commit does: the row moves from the queue into the index
    assert c.id in found(session, ids["ar1"], "改名前")
    scope = scope_of(session, ids["ar1"])
    customer_service.update(session, scope, c.id, CustomerUpdate(name="改名后的公司", version=c.version))
    session.flush()
    for flushed in (False, True):
        assert c.id not in found(session, ids["ar1"], "改名前"), flushed
        assert c.id in found(session, ids["ar1"], "改名后"), flushed
        assert c.id in found(session, ids["ar1"], "改名"), flushed
        service.flush_index(session)
    session.execute(text("DELETE FROM customers WHERE id = :id"), {"id": c.id})
    assert c.id not in found(session, ids["admin"], "改名后")
    service.flush_index(session)
    assert c.id not in found(session, ids["admin"], "改名后")


def test_rows_inserted_with_raw_sql_are_found(session, ids):
    """Bulk paths insert with the driver, not the ORM: the database itself keeps the index current."""
    now = "2026-11-29 00:00:00"
    session.execute(
        text(
            "INSERT INTO customers (name, name_norm, level, phone, phone_norm, email, owner_id, locked, deal_status,"
            " custom, version, created_at, updated_at) VALUES (:name, '', 'normal', :phone, :norm, :email, :owner,"
            " false, 'none', '{}', 1, :now, :now)"
        ),
        {
            "name": "原始插入河池公司",
            "phone": "0778-2345678",
            "norm": "+867782345678",
            "email": "Raw@Insert.cn",
            "owner": ids["ar1"],
            "now": now,
        },
    )
    new_id = session.scalar(text("SELECT max(id) FROM customers"))
    for flushed in (False, True):
        for q in ("原始插入", "始插", "07782345678", "raw@insert"):
            assert new_id in found(session, ids["ar1"], q), (q, flushed)
        service.flush_index(session)
    session.execute(text("UPDATE customers SET name = '原始改名' WHERE id = :id"), {"id": new_id})
    assert new_id not in found(session, ids["ar1"], "原始插入")
    assert new_id in found(session, ids["ar1"], "原始改名")


def test_list_q_filters_use_the_same_search(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    c = make_customer(session, ids["ar1"], "列表搜索河池公司", phone="13700137000", email="list@search.cn")
    for q in ("河池", "搜索河池", "137-0013-7000", "LIST@SEARCH"):
        items = customer_service.list_page(session, ar1, CustomerFilters(q=q), 1, 25)[0]
        assert c.id in {x.id for x in items}, q
    lead = make_lead(session, ids["ar1"], "列表线索", company="河池线索公司")
    from loam.leads import service as lead_service

    assert lead.id in {x.id for x in lead_service.list_page(session, ar1, LeadFilters(q="池线"), 1, 25)[0]}


def test_two_characters_at_the_end_of_a_field_from_the_index(session, ids):
    """Served from the trigram index (after the commit-time flush): the body's field terminator makes every
    two characters the start of some trigram, even at the end of a name."""
    c = make_customer(session, ids["ar1"], "桂林尾部河池")
    service.flush_index(session)
    if session.get_bind().dialect.name == "sqlite":
        assert session.scalar(text("SELECT count(*) FROM search_queue")) == 0
    for q in ("河池", "尾部河池", "林尾"):
        assert c.id in found(session, ids["ar1"], q), q


def test_two_characters_on_postgresql_look_in_names_through_their_pairs(session, ids):
    """PostgreSQL: a two-character query is served by the GIN index of the names' character pairs (i5c); it finds
    a name containing the pair anywhere, case-insensitively, a lead by its company, and nothing else. SQLite's
    trigram vocabulary finds them all the same."""
    from loam.search.repository import match_clause

    c = make_customer(session, ids["ar1"], "南宁ABc网络科技", email="zz@example.cn")
    other = make_customer(session, ids["ar1"], "柳州数据中心")
    lead = make_lead(session, ids["ar1"], "韦先生", company="百色河池联合体")
    session.flush()
    for q in ("南宁", "网络", "BC", "ab", "技"):
        assert c.id in found(session, ids["ar1"], q), q
    assert other.id not in found(session, ids["ar1"], "南宁")
    assert lead.id in found(session, ids["ar1"], "色河", entity="lead")
    if session.get_bind().dialect.name == "postgresql":
        sql = str(match_clause("customer", "南宁").compile(session.get_bind()))
        assert "loam_bigrams(lower(customers.name)) @>" in sql
        session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show its index
        where = match_clause("customer", "南宁").compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.scalars(text(f"EXPLAIN SELECT id FROM customers WHERE {where}")))  # noqa: S608
        assert "ix_customers_name_bigrams" in plan, plan
        assert session.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_leads_company_bigrams'"))
