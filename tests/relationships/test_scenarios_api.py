"""The JSON API of the contact scenarios: the catalogue (/contact-scenarios) and a follow-up's scenario."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from loam.relationships.models import ContactScenario, FollowUpScenario
from tests.helpers import api, client
from tests.relationships.scenarios_factories import by_code, choose, followup, rate

BASE = "/api/v1/contact-scenarios"


def test_list_active_by_default_all_on_request(session, ids):
    s = by_code(session, "customer_forum")
    s.active = False
    session.flush()
    c = api("ar1")
    codes = [row["code"] for row in c.get(BASE).json()]
    assert len(codes) == 12 and "customer_forum" not in codes and codes[0] == "daily_visit"
    every = c.get(BASE, params={"all": "true"}).json()
    assert len(every) == 13 and every[11]["code"] == "customer_forum" and every[11]["active"] is False
    row = every[-1]
    assert row["hospitality"] is True and Decimal(row["limit_per_head"]) == Decimal("500")
    assert row["checklist"][0] == {"zh": "合规检查并审批", "en": "Compliance checked and approved"}
    assert api("admin").get(BASE).status_code == 200


def test_admin_creates_patches_and_deletes(session, ids):
    c = api("admin")
    r = c.post(
        BASE,
        json={
            "code": "golf_day",
            "name_zh": "高尔夫活动",
            "name_en": "Golf day",
            "layer": "key",
            "hospitality": True,
            "limit_per_head": "800",
            "checklist": [{"zh": "合规审批"}, {"en": "Guest list"}],
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["position"] == 14 and body["version"] == 1 and body["limit_per_head"] == "800.00"
    assert body["checklist"] == [{"zh": "合规审批", "en": ""}, {"zh": "", "en": "Guest list"}]
    sid = body["id"]
    assert c.post(BASE, json={"code": "golf_day", "name_zh": "x", "name_en": "x"}).status_code == 409
    assert c.post(BASE, json={"name_zh": "x", "name_en": "x", "hospitality": True}).status_code == 422
    assert c.post(BASE, json={"name_zh": "x", "name_en": "x", "bogus": 1}).status_code == 422
    r = c.patch(f"{BASE}/{sid}", json={"active": False, "version": 1})
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["version"] == 2
    assert r.json()["name_en"] == "Golf day"  # untouched by the partial edit
    assert c.patch(f"{BASE}/{sid}", json={"name_en": "Stale", "version": 1}).status_code == 409
    assert c.patch(f"{BASE}/{sid}", json={"name_en": None, "version": 2}).status_code == 422
    assert c.patch(f"{BASE}/999999", json={"version": 1}).status_code == 404
    assert c.delete(f"{BASE}/{sid}").status_code == 204
    assert session.get(ContactScenario, sid) is None
    assert c.delete(f"{BASE}/{sid}").status_code == 404


def test_in_use_delete_is_409_and_reorder(session, ids):
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "onsite_meeting")
    c = api("director")
    sid = by_code(session, "onsite_meeting").id
    r = c.delete(f"{BASE}/{sid}")
    assert r.status_code == 409 and "请改为停用" in r.json()["detail"]
    order = [row["id"] for row in c.get(BASE, params={"all": "true"}).json()]
    r = c.put(f"{BASE}/order", json={"ids": list(reversed(order))})
    assert r.status_code == 200 and r.json()[0]["code"] == "hospitality" and r.json()[0]["position"] == 1
    assert c.put(f"{BASE}/order", json={"ids": order[:3]}).status_code == 422


def test_catalogue_writes_need_manage(session, ids):
    c = api("ar1")
    sid = by_code(session, "training").id
    assert c.post(BASE, json={"name_zh": "x", "name_en": "x"}).status_code == 403
    assert c.patch(f"{BASE}/{sid}", json={"active": False, "version": 1}).status_code == 403
    assert c.delete(f"{BASE}/{sid}").status_code == 403
    assert api("finance1").put(f"{BASE}/order", json={"ids": [sid]}).status_code == 403
    session.expire_all()
    assert by_code(session, "training").active


def test_followup_scenario_put_get_and_rate(session, ids):
    f = followup(session, ids["ar1"])
    c = api("ar1")
    url = f"/api/v1/followups/{f.id}/scenario"
    assert c.get(url).status_code == 404  # no scenario yet
    hosp = by_code(session, "hospitality").id
    r = c.put(url, json={"scenario_id": hosp, "checked": [0, 2], "guests": 2, "spent": "999.98"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scenario"]["code"] == "hospitality" and body["checked"] == [0, 2] and body["spent"] == "999.98"
    assert body["quality"] is None and body["suggestions"] == []
    r = c.put(url, json={"scenario_id": hosp, "guests": 2, "spent": "1000.02"})
    assert r.status_code == 422 and "合规上限" in r.json()["detail"]
    assert c.put(url, json={"scenario_id": hosp, "checked": [3]}).status_code == 422  # 3 items: 0–2
    assert c.put(url, json={"scenario_id": hosp, "checked": ["1"]}).status_code == 422  # strict JSON
    assert c.put(url, json={"scenario_id": hosp, "guests": 0}).status_code == 422
    r = c.put(f"{url}/rating", json={"quality": 4, "support_effect": 1, "stage_effect": 0})
    assert r.status_code == 200 and r.json()["quality"] == 4 and r.json()["rated_by"] == ids["ar1"]
    for bad in ({"quality": 6}, {"quality": 3, "support_effect": -3}, {"quality": 3, "stage_effect": 2}, {}):
        assert c.put(f"{url}/rating", json=bad).status_code == 422, bad
    got = c.get(url).json()
    assert (got["checked"], got["spent"], got["quality"], got["support_effect"]) == ([0, 2], "999.98", 4, 1)
    assert c.delete(url).status_code == 204
    session.expire_all()
    assert session.get(FollowUpScenario, f.id) is None
    assert c.delete(url).status_code == 404


def test_a_stale_version_is_409_and_changes_nothing(session, ids):
    f = followup(session, ids["ar1"])
    c = api("ar1")
    url = f"/api/v1/followups/{f.id}/scenario"
    visit = by_code(session, "daily_visit").id
    first = c.put(url, json={"scenario_id": visit, "checked": [0]}).json()
    assert first["version"] == 1
    # A colleague ticks item 1 on version 1; the first writer, still on version 1, then ticks item 2.
    mine = c.put(url, json={"scenario_id": visit, "checked": [0, 1], "version": 1})
    assert mine.status_code == 200 and mine.json()["version"] == 2
    stale = c.put(url, json={"scenario_id": visit, "checked": [0, 2], "version": 1})
    assert stale.status_code == 409, stale.text
    assert c.put(f"{url}/rating", json={"quality": 5, "version": 1}).status_code == 409
    got = c.get(url).json()
    assert (got["checked"], got["quality"], got["version"]) == ([0, 1], None, 2)
    r = c.put(f"{url}/rating", json={"quality": 5, "version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3
    assert c.put(url, json={"scenario_id": visit, "version": 0}).status_code == 422
    assert c.delete(url).status_code == 204
    # The record has gone: writing on the version read before is stale too.
    assert c.put(url, json={"scenario_id": visit, "version": 3}).status_code == 409
    session.expire_all()
    assert session.get(FollowUpScenario, f.id) is None


def test_followup_scenario_scope_and_permissions(session, ids):
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "daily_visit", checked=[1])
    rate(session, ids["ar1"], f.id, 3)
    url = f"/api/v1/followups/{f.id}/scenario"
    body = {"scenario_id": by_code(session, "daily_visit").id, "checked": [0, 1, 2]}
    for user in ("ar2", "finance1"):  # cannot see ar1's customer: 404, nothing changes
        c = api(user)
        assert c.get(url).status_code == 404
        assert c.put(url, json=body).status_code == 404
        assert c.put(f"{url}/rating", json={"quality": 1}).status_code == 404
        assert c.delete(url).status_code == 404
    assert api("director").get(url).json()["checked"] == [1]
    assert api("director").put(url, json=body).status_code == 200  # the manager can edit the customer
    session.expire_all()
    rec = session.scalar(select(FollowUpScenario).where(FollowUpScenario.followup_id == f.id))
    assert rec is not None and rec.checked == [0, 1, 2] and rec.quality == 3
    assert api("ar1").get("/api/v1/followups/999999/scenario").status_code == 404
    assert client().get(url).status_code == 401


def test_openapi_documents_the_endpoints():
    paths = client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/contact-scenarios"]) == {"get", "post"}
    assert set(paths["/contact-scenarios/{scenario_id}"]) == {"patch", "delete"}
    assert set(paths["/followups/{followup_id}/scenario"]) == {"get", "put", "delete"}
    assert set(paths["/followups/{followup_id}/scenario/rating"]) == {"put"}
    schema = paths["/followups/{followup_id}/scenario"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["$ref"].endswith("/FollowUpScenarioRead")
