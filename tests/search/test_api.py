"""The search API and page: authentication, validation, scope by permission, links to detail pages."""

from __future__ import annotations

from loam.org import service as org_service
from loam.org.schemas import UserCreate
from tests.contracts.factories import make_contract
from tests.helpers import api, client, login, make_customer
from tests.opportunities.factories import make_opportunity


def test_anonymous_is_401_and_q_is_validated(connection):
    assert client().get("/api/v1/search", params={"q": "河池"}).status_code == 401
    c = api("ar1")
    for params in ({}, {"q": ""}, {"q": "x" * 101}, {"q": "河池", "limit": 0}, {"q": "河池", "limit": 51}):
        assert c.get("/api/v1/search", params=params).status_code == 422, params


def test_api_finds_visible_records_grouped(connection, session, ids):
    mine = make_customer(session, ids["ar1"], "接口搜索河池公司", phone="13600136000")
    theirs = make_customer(session, ids["ar2"], "接口搜索河池另一家")
    r = api("ar1").get("/api/v1/search", params={"q": "接口搜索", "limit": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [g["entity"] for g in body["groups"]] == ["customer", "contact", "lead", "opportunity", "contract"]
    hits = body["groups"][0]["items"]
    assert [h["id"] for h in hits] == [mine.id] and theirs.id not in {h["id"] for h in hits}
    assert hits[0]["route"] == "customers:detail" and hits[0]["subtitle"] == "13600136000"
    assert api("admin").get("/api/v1/search", params={"q": "河池另"}).json()["groups"][0]["items"][0]["id"] == theirs.id


def test_user_without_customers_view_gets_no_customers(connection, session, ids):
    make_customer(session, ids["ar1"], "无权限搜索公司")
    org_service.create_user(session, UserCreate(username="nosearch", display_name="无权限", password="Passw0rd!x"))
    session.flush()
    r = api("nosearch", "Passw0rd!x").get("/api/v1/search", params={"q": "无权限搜索"})
    assert r.status_code == 200
    assert all(g["items"] == [] for g in r.json()["groups"])


def test_page_renders_groups_with_detail_links(connection, session, ids):
    c = make_customer(session, ids["ar1"], "页面搜索河池电信")
    page = login("ar1").get("/search", params={"q": "河池电信"})
    assert page.status_code == 200
    assert f'href="http://testserver/customers/{c.id}"' in page.text or f'/customers/{c.id}"' in page.text
    assert 'data-testid="search-contact"' in page.text and 'data-testid="search-lead"' in page.text
    assert login("ar1").get("/search").status_code == 200
    assert client().get("/search", params={"q": "x"}).status_code in (302, 303, 401)


def test_opportunities_by_name_and_contracts_by_number_or_name_in_scope(connection, session, ids):
    mine = make_opportunity(session, ids["ar1"], "搜索商机河池传输网")
    theirs = make_opportunity(session, ids["ar2"], "搜索商机河池另一单")
    contract = make_contract(session, ids["ar1"], "搜索合同河池扩容")
    other = make_contract(session, ids["ar2"], "搜索合同河池别人的")
    c = api("ar1")
    groups = {g["entity"]: g["items"] for g in c.get("/api/v1/search", params={"q": "搜索商机"}).json()["groups"]}
    assert [h["id"] for h in groups["opportunity"]] == [mine.id]
    hit = groups["opportunity"][0]
    assert hit["route"] == "opportunities:detail" and hit["subtitle"] == "1,000,000.00 CNY" and hit["matched"] == "name"
    groups = {g["entity"]: g["items"] for g in c.get("/api/v1/search", params={"q": contract.number}).json()["groups"]}
    assert [(h["id"], h["matched"], h["subtitle"]) for h in groups["contract"]] == [
        (contract.id, "number", contract.number)
    ]
    groups = {g["entity"]: g["items"] for g in c.get("/api/v1/search", params={"q": "搜索合同"}).json()["groups"]}
    assert [h["id"] for h in groups["contract"]] == [contract.id]  # ar2's contract is not in ar1's scope
    admin = {g["entity"]: g["items"] for g in api("admin").get("/api/v1/search", params={"q": "河池"}).json()["groups"]}
    assert {theirs.id, mine.id} <= {h["id"] for h in admin["opportunity"]}
    assert {other.id, contract.id} <= {h["id"] for h in admin["contract"]}
    page = login("ar1").get("/search", params={"q": "搜索"})
    assert f'/opportunities/{mine.id}"' in page.text and f'/contracts/{contract.id}"' in page.text
    assert f'/opportunities/{theirs.id}"' not in page.text and f'/contracts/{other.id}"' not in page.text
