from __future__ import annotations

from datetime import datetime, timedelta

from tests.helpers import api


def _setup(c):
    cid = c.post("/api/v1/customers", json={"name": "接口跟进客户"}).json()["id"]
    kid = c.post("/api/v1/contacts", json={"customer_id": cid, "name": "周主任"}).json()["id"]
    return cid, kid


def test_crud_and_optimistic_locking(connection, ids):
    c = api("ar1")
    cid, kid = _setup(c)
    r = c.post(
        "/api/v1/followups",
        json={
            "customer_id": cid,
            "kind": "meeting",
            "content": "交流了方案",
            "occurred_at": "2024-03-01T10:00",
            "contact_ids": [kid],
            "participant_ids": [ids["sr1"]],
            "next_contact_at": "2030-01-01T09:00:00+08:00",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["contact_ids"] == [kid] and body["participant_ids"] == sorted([ids["ar1"], ids["sr1"]])
    assert body["created_by"] == ids["ar1"]
    assert datetime.fromisoformat(body["occurred_at"]) == datetime.fromisoformat("2024-03-01T02:00:00+00:00")
    fid = body["id"]
    customer = c.get(f"/api/v1/customers/{cid}").json()
    assert datetime.fromisoformat(customer["last_followup_at"]) == datetime.fromisoformat(body["occurred_at"])
    r = c.put(f"/api/v1/followups/{fid}", json={"kind": "visit", "content": "改了", "version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["contact_ids"] == []
    assert r.json()["participant_ids"] == [ids["ar1"]]
    assert (
        c.put(f"/api/v1/followups/{fid}", json={"kind": "visit", "content": "stale", "version": 1}).status_code == 409
    )
    assert c.get(f"/api/v1/followups/{fid}").json()["content"] == "改了"
    listed = c.get("/api/v1/followups", params={"customer_id": cid, "sort": "-occurred_at"}).json()
    assert [row["id"] for row in listed["items"]] == [fid]
    assert c.delete(f"/api/v1/followups/{fid}").status_code == 204
    assert c.get(f"/api/v1/followups/{fid}").status_code == 404


def test_server_owned_fields_cannot_be_set(connection):
    c = api("ar1")
    cid, _ = _setup(c)
    for extra in ({"created_by": 1}, {"version": 2}, {"deleted_at": "2020-01-01"}, {"id": 5}):
        r = c.post("/api/v1/followups", json={"customer_id": cid, "kind": "call", "content": "x", **extra})
        assert r.status_code == 422, extra


def test_bad_input_is_422_and_changes_nothing(connection):
    c = api("ar1")
    cid, kid = _setup(c)
    before = c.get("/api/v1/followups").json()["total"]
    soon = (datetime.now().astimezone() + timedelta(days=3)).isoformat()
    base = {"customer_id": cid, "kind": "call", "content": "ok"}
    for payload in (
        base | {"content": ""},
        base | {"content": "   "},
        base | {"content": "x" * 20001},
        base | {"kind": "party"},
        base | {"occurred_at": "yesterday"},
        base | {"occurred_at": soon},
        base | {"participant_ids": "1"},
        base | {"participant_ids": [99999999]},
        base | {"contact_ids": [kid + 100000]},
        base | {"lead_id": 1},
        {"kind": "call", "content": "ok"},
        {},
    ):
        assert c.post("/api/v1/followups", json=payload).status_code == 422, payload
    assert c.get("/api/v1/followups?sort=content").status_code == 422
    assert c.get("/api/v1/followups?kind=party").status_code == 422
    assert c.get("/api/v1/followups").json()["total"] == before
    assert c.get(f"/api/v1/customers/{cid}").json()["last_followup_at"] is None


def test_out_of_scope_is_404(connection):
    c = api("ar1")
    cid, _ = _setup(c)
    r = api("ar2").post("/api/v1/followups", json={"customer_id": cid, "kind": "call", "content": "x"})
    assert r.status_code == 404
    r = api("ar2").post("/api/v1/followups", json={"lead_id": 99999999, "kind": "call", "content": "x"})
    assert r.status_code == 404
