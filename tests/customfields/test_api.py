from __future__ import annotations

from tests.helpers import api, client

FIELD = {
    "entity": "customer",
    "key": "region",
    "label_zh": "片区",
    "label_en": "Region",
    "field_type": "select",
    "choices": ["南宁", "柳州"],
    "required": False,
}


def test_anonymous_401_and_non_admin_403(connection):
    anon = client()
    assert anon.get("/api/v1/custom-fields").status_code == 401
    assert anon.post("/api/v1/custom-fields", json=FIELD).status_code == 401
    ar1 = api("ar1")
    assert ar1.get("/api/v1/custom-fields").status_code == 200  # API clients need to know the fields
    assert ar1.post("/api/v1/custom-fields", json=FIELD).status_code == 403
    created = api("admin").post("/api/v1/custom-fields", json=FIELD).json()
    assert ar1.put(f"/api/v1/custom-fields/{created['id']}", json=FIELD | {"label_en": "x"}).status_code == 403
    assert ar1.get(f"/api/v1/custom-fields/{created['id']}").json()["key"] == "region"


def test_create_update_rules(connection):
    c = api("admin")
    r = c.post("/api/v1/custom-fields", json=FIELD)
    assert r.status_code == 201, r.text
    field = r.json()
    assert field["options"] == {"choices": ["南宁", "柳州"]} and field["version"] == 1
    assert c.post("/api/v1/custom-fields", json=FIELD).status_code == 409  # same key, same entity
    assert c.post("/api/v1/custom-fields", json=FIELD | {"entity": "lead"}).status_code == 201
    assert c.post("/api/v1/custom-fields", json=FIELD | {"key": "r2", "choices": []}).status_code == 422
    assert c.post("/api/v1/custom-fields", json=FIELD | {"key": "r3", "unique": True}).status_code == 422
    assert c.post("/api/v1/custom-fields", json=FIELD | {"key": "Bad-Key"}).status_code == 422
    assert c.post("/api/v1/custom-fields", json=FIELD | {"key": "r4", "field_type": "blob"}).status_code == 422
    assert c.post("/api/v1/custom-fields", json=FIELD | {"key": "r5", "entity": "followup"}).status_code == 422
    url = f"/api/v1/custom-fields/{field['id']}"
    assert c.put(url, json=FIELD | {"field_type": "text"}).status_code == 422  # immutable type
    assert c.put(url, json=FIELD | {"key": "other"}).status_code in (409, 422)
    r = c.put(url, json=FIELD | {"label_en": "Area", "choices": ["南宁", "柳州", "桂林"], "version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["label_en"] == "Area"
    assert c.put(url, json=FIELD | {"version": 1}).status_code == 409
    r = c.put(url, json=FIELD | {"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    listed = c.get("/api/v1/custom-fields", params={"entity": "customer"}).json()
    assert [f["key"] for f in listed] == ["region"] and listed[0]["active"] is False
    assert c.get("/api/v1/custom-fields", params={"entity": "followup"}).status_code == 422
    assert c.get("/api/v1/custom-fields/999999").status_code == 404


def test_json_bodies_are_strict(connection):
    c = api("admin")
    assert c.post("/api/v1/custom-fields", json=FIELD | {"active": 0}).status_code == 422
    assert c.post("/api/v1/custom-fields", json=FIELD | {"sort_order": "1"}).status_code == 422
    assert c.get("/api/v1/custom-fields/9223372036854775808").status_code == 422
