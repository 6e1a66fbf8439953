"""The JSON API of relationship health and of the method's settings."""

from __future__ import annotations

import pytest

from loam.relationships import settings, snapshots
from tests.helpers import api
from tests.relationships import health_helpers as hh


def test_customer_health_live_with_trend(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "接口客户")
    hh.mark(session, ids["ar1"], cid, "strategic_agreement", "exec_meetings", "joint_plan")  # org 45 → 11
    hh.stored(session, cid, hh.months_ago(12), 62)
    hh.stored(session, cid, hh.months_ago(1), 40)
    c = api("ar1")
    r = c.get(f"/api/v1/customers/{cid}/relationship/health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["score"], body["band"], body["org"]["score"], body["key"]["score"]) == (11, "critical", 45, 0)
    assert [p["points"] for p in body["points"]] == [0, 0, 11]
    assert body["weights"] == {"key": 45.0, "broad": 30.0, "org": 25.0}
    assert body["points"][2]["msgid"] == "organisational relationships %(score)s × %(weight)s %%"
    assert body["points"][2]["params"] == {"score": 45, "weight": "25"}
    assert [(t["health"], t["band"]) for t in body["trend"]] == [(40, "at_risk")]
    assert body["last_year"]["health"] == 62 and body["last_year"]["band"] == "sub_healthy"
    assert body["settings_version"] == settings.current_row(session).version
    assert sum(p["points"] for p in body["org"]["points"]) == 45
    past = c.get(f"/api/v1/customers/{cid}/relationship/health", params={"as_of": hh.months_ago(1).isoformat()})
    # A month ago: its 12 months reach back to the snapshot of 12 months ago; nothing a year before that.
    assert [t["health"] for t in past.json()["trend"]] == [62, 40] and past.json()["last_year"] is None
    assert c.get(f"/api/v1/customers/{cid}/relationship/health", params={"as_of": "soon"}).status_code == 422
    assert api("ar2").get(f"/api/v1/customers/{cid}/relationship/health").status_code == 404
    hh.without_relationships(session, ids)
    assert api("sr1").get(f"/api/v1/customers/{cid}/relationship/health").status_code == 403


def test_customer_snapshots(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "快照接口客户")
    hh.mark(session, ids["ar1"], cid, "strategic_agreement")  # org 20 → 5
    hh.stored(session, cid, hh.months_ago(1), 40)
    snapshots.take(session, hh.this_month())
    r = api("ar1").get(f"/api/v1/customers/{cid}/relationship/snapshots")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2
    newest = body["items"][0]
    assert (newest["month"], newest["health"], newest["org_score"]) == (hh.this_month().isoformat(), 5, 20)
    assert [p["points"] for p in newest["points"]] == [0, 0, 5]
    assert newest["settings_version"] == newest["current_settings_version"]
    assert body["items"][1]["points"] == []  # stored without details: numbers only
    assert api("ar2").get(f"/api/v1/customers/{cid}/relationship/snapshots").status_code == 404


def test_company_view_api(session, ids) -> None:
    c = hh.company(session, ids)
    web = api("director")
    body = web.get("/api/v1/relationships/overview").json()
    assert body["month"] == hh.this_month().isoformat() and body["total"] == 4
    assert {(x["band"], x["tier"], x["count"]) for x in body["matrix"]} == {
        ("sub_healthy", "S", 1), ("at_risk", "A", 1), ("critical", "", 1), ("critical", "S", 1)
    }  # fmt: skip
    assert [(d["customer_id"], d["drop"]) for d in body["drops"]] == [(c["D"], 55), (c["A"], 15)]
    assert [(d["department_id"], d["mean_health"]) for d in body["departments"]] == [
        (ids["team1"], 51.7), (ids["team2"], 35.0)
    ]  # fmt: skip
    assert web.get("/api/v1/relationships/overview", params={"tier": "S"}).json()["total"] == 2
    assert web.get("/api/v1/relationships/overview", params={"colour": "red"}).status_code == 422
    listed = web.get("/api/v1/relationships/health", params={"band": "critical", "sort": "-health"}).json()
    assert [(x["id"], x["health"], x["change"]) for x in listed["items"]] == [(c["D"], 35, -55), (c["C"], 30, None)]
    assert web.get("/api/v1/relationships/health", params={"sort": "owner"}).status_code == 422
    drops = web.get("/api/v1/relationships/drops", params={"page_size": 1, "page": 2}).json()
    assert [d["customer_id"] for d in drops["items"]] == [c["A"]] and drops["total"] == 2
    mine = api("ar1").get("/api/v1/relationships/health").json()
    assert {x["id"] for x in mine["items"]} == {c["A"], c["B"], c["C"]}


def test_a_real_drop_between_two_monthly_snapshots(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "下滑客户", tier="B")
    hh.mark(session, ids["ar1"], cid, "strategic_agreement", "exec_meetings", "joint_innovation", "joint_plan")
    snapshots.take(session, hh.months_ago(1))  # org 60 → health 15
    hh.unmark(session, ids["ar1"], cid, "strategic_agreement", "joint_innovation")
    snapshots.take(session, hh.this_month())  # org 25 → health 6.25 → 6
    body = api("ar1").get("/api/v1/relationships/overview").json()
    assert [(d["customer_id"], d["previous"], d["health"], d["drop"]) for d in body["drops"]] == [(cid, 15, 6, 9)]


def test_settings_api(session, ids) -> None:
    row = settings.current_row(session)
    session.flush()
    version = row.version
    assert api("ar1").get("/api/v1/relationship-settings").json()["version"] == version
    data = settings.defaults()
    data["health"]["weights"]["key"] = 55
    assert api("ar1").put("/api/v1/relationship-settings", json={"data": data}).status_code == 403
    admin = api("admin")
    r = admin.put("/api/v1/relationship-settings", json={"data": data, "note": "API"}, params={"base_version": version})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["note"], r.json()["created_by"]) == (version + 1, "API", ids["admin"])
    stale = admin.put(
        "/api/v1/relationship-settings", json={"data": settings.defaults()}, params={"base_version": version}
    )
    assert stale.status_code == 409
    bad = settings.defaults()
    bad["health"]["bands"]["at_risk"] = 65
    r = admin.put("/api/v1/relationship-settings", json={"data": bad})
    assert r.status_code == 422 and "health.bands" in r.json()["fields"]
    bad["health"]["weights"] = {"key": -1, "broad": 30, "org": 25}
    assert admin.put("/api/v1/relationship-settings", json={"data": bad}).status_code == 422
    assert admin.put("/api/v1/relationship-settings", json={"data": data}).status_code == 422  # nothing changed
    assert settings.current_row(session).version == version + 1
    listed = admin.get("/api/v1/relationship-settings/versions").json()
    assert [v["version"] for v in listed][:2] == [version + 1, version]
    assert api("ar1").get("/api/v1/relationship-settings/versions").status_code == 403
    old = admin.get(f"/api/v1/relationship-settings/versions/{version}").json()
    assert old["data"]["health"]["weights"]["key"] == 45
    assert admin.get("/api/v1/relationship-settings/versions/999").status_code == 404
    assert admin.get("/api/v1/relationship-settings/versions/0").status_code == 422


def test_version_1_is_readable_before_any_save(session, ids) -> None:
    """The history lists the unsaved defaults as version 1, so that version answers too (not a 404)."""
    if settings.version_row(session, 2) is not None:
        pytest.skip("this database already holds saved settings")
    admin = api("admin")
    listed = admin.get("/api/v1/relationship-settings/versions").json()
    assert [v["version"] for v in listed] == [1]
    one = admin.get("/api/v1/relationship-settings/versions/1")
    assert one.status_code == 200, one.text
    assert one.json()["data"]["health"]["weights"] == {"key": 45, "broad": 30, "org": 25}
