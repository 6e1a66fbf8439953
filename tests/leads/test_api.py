from __future__ import annotations

from datetime import timedelta

from loam.db import utcnow
from tests.helpers import api


def test_crud_and_optimistic_locking(connection):
    c = api("ar1")
    r = c.post("/api/v1/leads", json={"name": "李雷", "company": "韩梅梅科技有限公司", "grade": "A"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["owner_id"] is not None and body["version"] == 1 and body["status"] == "open"
    lid = body["id"]
    r = c.put(f"/api/v1/leads/{lid}", json={"name": "李雷", "company": "韩梅梅科技", "version": 1, "grade": "B"})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["grade"] == "B"
    r = c.put(f"/api/v1/leads/{lid}", json={"name": "stale", "version": 1})
    assert r.status_code == 409
    assert c.get(f"/api/v1/leads/{lid}").json()["name"] == "李雷"
    assert api("ar2").get(f"/api/v1/leads/{lid}").status_code == 404


def test_server_owned_fields_cannot_be_set(connection):
    c = api("ar1")
    for extra in (
        {"owner_id": 1},
        {"department_id": 1},
        {"status": "converted"},
        {"converted_customer_id": 1},
        {"version": 5},
        {"created_by": 1},
        {"deleted_at": "2020-01-01T00:00:00"},
    ):
        assert c.post("/api/v1/leads", json={"name": "X"} | extra).status_code == 422, extra
    lid = c.post("/api/v1/leads", json={"name": "X"}).json()["id"]
    r = c.put(f"/api/v1/leads/{lid}", json={"name": "X", "version": 1, "status": "converted"})
    assert r.status_code == 422
    assert c.get(f"/api/v1/leads/{lid}").json()["status"] == "open"


def test_bad_input_is_422_and_changes_nothing(connection):
    c = api("ar1")
    before = c.get("/api/v1/leads").json()["total"]
    for payload in (
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "ok", "grade": "Z"},
        {"name": "ok", "source": "nowhere"},
        {"name": "ok", "industry": "mining"},
        {"name": "ok", "email": "not-an-email"},
        {"name": "ok", "city": "x" * 41},
        {"name": "ok", "next_contact_at": "not-a-date"},
        {"name": "ok", "custom": {"unknown": 1}},
        {"name": 5},
        {},
    ):
        assert c.post("/api/v1/leads", json=payload).status_code == 422, payload
    assert c.get("/api/v1/leads?sort=password").status_code == 422
    assert c.get("/api/v1/leads?page=0").status_code == 422
    assert c.get("/api/v1/leads?status=lost").status_code == 422
    assert c.get("/api/v1/leads").json()["total"] == before


def test_list_filter_sort_page(connection):
    c = api("ar1")
    for i in range(30):
        c.post("/api/v1/leads", json={"name": f"分页线索{i:02d}", "grade": "A" if i % 3 == 0 else "C"})
    r = c.get("/api/v1/leads", params={"q": "分页线索", "page_size": 10, "sort": "name"})
    data = r.json()
    assert data["total"] == 30 and len(data["items"]) == 10 and data["items"][0]["name"] == "分页线索00"
    r = c.get("/api/v1/leads", params={"q": "分页线索", "grade": "A", "sort": "-name"})
    assert r.json()["total"] == 10 and r.json()["items"][0]["name"] == "分页线索27"
    r = c.get("/api/v1/leads", params={"q": "分页线索", "page": 3, "page_size": 10, "sort": "name"})
    assert r.json()["items"][0]["name"] == "分页线索20"


def test_duplicates_endpoint_reveals_only_entity_name_owner(connection):
    api("ar1").post("/api/v1/leads", json={"name": "重复", "company": "重复检测有限公司", "phone": "13800138000"})
    c = api("ar2")
    r = c.get("/api/v1/leads/duplicates", params={"company": "重复检测（集团）有限公司"})
    assert r.status_code == 200
    [dup] = r.json()
    assert set(dup) == {"entity", "id", "name", "owner_name", "matched_on"}
    assert (dup["entity"], dup["owner_name"], dup["matched_on"]) == ("lead", "李明", "company")
    r = c.get("/api/v1/leads/duplicates", params={"phone": "+86 138-0013-8000"})
    assert [d["matched_on"] for d in r.json()] == ["phone"]
    assert c.get("/api/v1/leads/duplicates").json() == []
    assert api("finance1").get("/api/v1/leads/duplicates", params={"company": "重复检测"}).status_code == 403
    # POST creates regardless of duplicates
    assert c.post("/api/v1/leads", json={"name": "又一个", "company": "重复检测有限公司"}).status_code == 201


def test_convert_twice_is_409(connection):
    c = api("ar1")
    lid = c.post("/api/v1/leads", json={"name": "转化人", "company": "接口转化公司", "phone": "13500135000"}).json()[
        "id"
    ]
    r = c.post(f"/api/v1/leads/{lid}/convert", json={})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lead"]["status"] == "converted" and body["lead"]["converted_customer_id"] == body["customer_id"]
    assert body["contact_id"] is not None and body["followups_moved"] == 0
    customer = c.get(f"/api/v1/customers/{body['customer_id']}").json()
    assert customer["name"] == "接口转化公司" and customer["owner_id"] == body["lead"]["owner_id"]
    assert c.post(f"/api/v1/leads/{lid}/convert", json={}).status_code == 409
    assert c.post(f"/api/v1/leads/{lid}/convert", json={"owner_id": 1}).status_code == 422


def test_transfer_restore_status_and_due_today(connection, ids):
    ar1, director = api("ar1"), api("director")
    soon = (utcnow() - timedelta(hours=1)).isoformat()
    lid = ar1.post("/api/v1/leads", json={"name": "今日联系", "next_contact_at": soon}).json()["id"]
    assert lid in [x["id"] for x in ar1.get("/api/v1/leads/due-today").json()]
    r = ar1.post(f"/api/v1/leads/{lid}/status", json={"status": "invalid", "reason": "错号"})
    assert r.status_code == 200 and r.json()["status"] == "invalid"
    assert lid not in [x["id"] for x in ar1.get("/api/v1/leads/due-today").json()]
    assert ar1.post(f"/api/v1/leads/{lid}/status", json={"status": "converted"}).status_code == 422
    assert ar1.delete(f"/api/v1/leads/{lid}").status_code == 403
    assert director.delete(f"/api/v1/leads/{lid}").status_code == 204
    assert ar1.get(f"/api/v1/leads/{lid}").status_code == 404
    assert director.post(f"/api/v1/leads/{lid}/restore").status_code == 200
    r = ar1.post(f"/api/v1/leads/{lid}/transfer", json={"owner_id": ids["ar2"]})
    assert r.status_code == 200
    assert ar1.get(f"/api/v1/leads/{lid}").status_code == 404
    assert api("ar2").get(f"/api/v1/leads/{lid}").status_code == 200
