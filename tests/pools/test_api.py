"""The pools API: administration, pool customers, release / claim / distribute, run-rules."""

from __future__ import annotations

from datetime import timedelta

from loam.db import utcnow
from tests.helpers import api, make_customer
from tests.pools.factory import make_pool, pool_customer


def test_pool_admin_creates_and_updates_pools(session, ids):
    admin = api("admin")
    body = {
        "name": "API公海",
        "no_followup_days": 30,
        "level_rules": {"key": {"no_followup_days": 90}},
        "members": [{"department_id": ids["team1"]}, {"user_id": ids["ar2"]}],
    }
    r = admin.post("/api/v1/pools", json=body)
    assert r.status_code == 201, r.text
    pool = r.json()
    assert pool["level_rules"] == {"key": {"no_followup_days": 90}} and len(pool["members"]) == 2
    assert api("ar1").post("/api/v1/pools", json={"name": "越权"}).status_code == 403
    assert admin.post("/api/v1/pools", json=body).status_code == 409  # same name
    for bad in (
        {"name": ""},
        {"name": "x", "no_followup_days": 0},
        {"name": "x", "members": [{}]},
        {"name": "x", "level_rules": {"vip": {}}},
        {"name": "x", "owner_id": 1},
        {"name": "x", "cooldown_days": False},  # JSON is strict: no booleans or text for numbers
        {"name": "x", "warn_days": "3"},
        {"name": "x", "exempt_closed": 0},
    ):
        assert admin.post("/api/v1/pools", json=bad).status_code == 422, bad
    update = {"name": "API公海改", "version": pool["version"], "members": [{"department_id": ids["team2"]}]}
    r = admin.put(f"/api/v1/pools/{pool['id']}", json=update)
    assert r.status_code == 200 and r.json()["version"] == pool["version"] + 1
    assert admin.put(f"/api/v1/pools/{pool['id']}", json=update).status_code == 409  # stale


def test_pool_visibility_over_the_api(session, ids):
    pool = make_pool(session, ids)
    assert [p["id"] for p in api("ar1").get("/api/v1/pools").json()] == [pool.id]
    assert api("ar2").get("/api/v1/pools").json() == []
    assert api("ar1").get(f"/api/v1/pools/{pool.id}").status_code == 200
    assert api("ar2").get(f"/api/v1/pools/{pool.id}").status_code == 404
    assert api("ar2").get(f"/api/v1/pools/{pool.id}/customers").status_code == 404
    assert api("ar1").put(f"/api/v1/pools/{pool.id}", json={"name": "x", "version": 1}).status_code == 403


def test_release_claim_and_distribute(session, ids):
    pool = make_pool(session, ids)
    c = make_customer(session, ids["ar1"], "API客户")
    assert api("ar2").post(f"/api/v1/customers/{c.id}/release").status_code == 404
    r = api("ar1").post(f"/api/v1/customers/{c.id}/release", json={"reason": "暂无需求"})
    assert r.status_code == 200 and r.json()["owner_id"] is None and r.json()["pool_id"] == pool.id
    listed = api("sr1").get(f"/api/v1/pools/{pool.id}/customers", params={"q": "API"}).json()
    assert [row["id"] for row in listed["items"]] == [c.id]
    assert api("sr1").get(f"/api/v1/pools/{pool.id}/customers", params={"sort": "password"}).status_code == 422
    assert api("ar2").post(f"/api/v1/customers/{c.id}/claim").status_code == 404
    r = api("sr1").post(f"/api/v1/customers/{c.id}/claim")
    assert r.status_code == 200 and r.json()["owner_id"] == ids["sr1"]
    assert api("sr1").post(f"/api/v1/customers/{c.id}/claim").status_code == 409
    other = pool_customer(session, ids, pool, "API分配")
    assert api("ar1").post(f"/api/v1/customers/{other.id}/distribute", json={"user_id": ids["fr1"]}).status_code == 403
    bad = api("director").post(f"/api/v1/customers/{other.id}/distribute", json={"user_id": ids["ar2"]})
    assert bad.status_code == 422
    r = api("director").post(f"/api/v1/customers/{other.id}/distribute", json={"user_id": ids["fr1"]})
    assert r.status_code == 200 and r.json()["owner_id"] == ids["fr1"]


def test_run_rules_endpoint(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=0)
    c = make_customer(session, ids["ar1"], "到期客户")
    c.owner_since = utcnow() - timedelta(days=40)
    session.flush()
    assert api("ar1").post("/api/v1/pools/run-rules").status_code == 403
    r = api("admin").post("/api/v1/pools/run-rules")
    assert r.status_code == 200 and r.json() == {"returned": 1, "warned": 0, "checked": 1}
