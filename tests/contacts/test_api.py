from __future__ import annotations

from tests.helpers import api


def _customer(c, name="接口联系人客户"):
    r = c.post("/api/v1/customers", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_crud_restore_and_optimistic_locking(connection):
    c = api("ar1")
    cid = _customer(c)
    r = c.post(
        "/api/v1/contacts", json={"customer_id": cid, "name": "周主任", "level": "executive", "birthday": "1980-05-04"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["owner_id"] is not None and body["version"] == 1 and body["birthday"] == "1980-05-04"
    kid = body["id"]
    r = c.put(f"/api/v1/contacts/{kid}", json={"name": "周总", "version": 1, "is_decision_maker": True})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["level"] == "staff"
    assert c.put(f"/api/v1/contacts/{kid}", json={"name": "stale", "version": 1}).status_code == 409
    assert c.get(f"/api/v1/contacts/{kid}").json()["name"] == "周总"
    listed = c.get("/api/v1/contacts", params={"customer_id": cid, "is_decision_maker": "true"}).json()
    assert [row["id"] for row in listed["items"]] == [kid]
    assert c.delete(f"/api/v1/contacts/{kid}").status_code == 204
    assert c.get(f"/api/v1/contacts/{kid}").status_code == 404
    assert c.post(f"/api/v1/contacts/{kid}/restore").status_code == 200
    assert c.get(f"/api/v1/contacts/{kid}").status_code == 200


def test_server_owned_fields_cannot_be_set(connection):
    c = api("ar1")
    cid = _customer(c)
    for extra in (
        {"owner_id": 1},
        {"department_id": 1},
        {"created_by": 1},
        {"deleted_at": "2020-01-01"},
        {"version": 3},
    ):
        r = c.post("/api/v1/contacts", json={"customer_id": cid, "name": "x", **extra})
        assert r.status_code == 422, extra
    kid = c.post("/api/v1/contacts", json={"customer_id": cid, "name": "x"}).json()["id"]
    r = c.put(f"/api/v1/contacts/{kid}", json={"name": "x", "version": 1, "customer_id": 999})
    assert r.status_code == 422


def test_bad_input_is_422_and_changes_nothing(connection):
    c = api("ar1")
    cid = _customer(c)
    before = c.get("/api/v1/contacts").json()["total"]
    for payload in (
        {"customer_id": cid, "name": ""},
        {"customer_id": cid, "name": "x" * 101},
        {"customer_id": cid, "name": "ok", "level": "boss"},
        {"customer_id": cid, "name": "ok", "email": "not-an-email"},
        {"customer_id": cid, "name": "ok", "birthday": "2999-01-01"},
        {"customer_id": cid, "name": "ok", "reports_to_id": "abc"},
        {"customer_id": cid, "name": "ok", "reports_to_id": 99999999},
        {"customer_id": cid, "name": "ok", "custom": {"nope": 1}},
        {"name": "ok"},
        {},
    ):
        assert c.post("/api/v1/contacts", json=payload).status_code == 422, payload
    assert c.get("/api/v1/contacts?sort=password").status_code == 422
    assert c.get("/api/v1/contacts?page=0").status_code == 422
    assert c.get("/api/v1/contacts?level=boss").status_code == 422
    assert c.get("/api/v1/contacts").json()["total"] == before


def test_invisible_customer_is_404_and_unpermitted_is_403(connection):
    cid = _customer(api("ar1"), "别人的客户")
    assert api("ar2").post("/api/v1/contacts", json={"customer_id": cid, "name": "x"}).status_code == 404
    assert api("finance1").post("/api/v1/contacts", json={"customer_id": cid, "name": "x"}).status_code == 403
