"""The key-relationship API: profile and score, partial edits, stage changes, history, competitor preferences,
relationship owners, departures, the customer's key score and rising stars; errors are 404/403/409/422."""

from __future__ import annotations

from loam.authz.scope import Scope
from loam.org import service as org_service
from loam.org.schemas import RoleWrite
from tests import helpers
from tests.org.factories import user
from tests.relationships import profiles_factories as f

EN = {"Accept-Language": "en"}


def _contact(session, ids, name="接口客户", **fields):
    cust = f.customer(session, ids["ar1"], name)
    return cust, f.contact(session, ids["ar1"], cust.id, "孙主任", **fields)


def test_profile_round_trip(session, ids):
    _cust, c = _contact(session, ids, level="executive", dept_name="网络部")
    api = helpers.api("ar1")
    r = api.get(f"/api/v1/contacts/{c.id}/relationship", headers=EN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["saved"], body["version"], body["stage"], body["support"], body["influence"]) == (
        False,
        None,
        1,
        0,
        "medium",
    )
    assert body["stage_name"] == "Acquainted" and body["expected_days_effective"] == 30
    # Default score: neutral support 30·2/4 = 15, nothing else.
    assert body["score"]["score"] == 15 and len(body["score"]["points"]) == 6
    assert "Never touched: no follow-up with them yet" in [p["text"] for p in body["score"]["points"]]

    r = api.patch(f"/api/v1/contacts/{c.id}/relationship", json={"support": 2, "coach": True, "chain": "technical"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["saved"], body["version"], body["support"], body["coach"], body["chain"]) == (
        True,
        1,
        2,
        True,
        "technical",
    )
    # 30 (strong supporter) + 10 (coach) = 40.
    assert body["score"]["score"] == 40
    # Partial: only what is sent changes; a missing or stale version is a 409.
    assert api.patch(f"/api/v1/contacts/{c.id}/relationship", json={"support": 0}).status_code == 409
    assert api.patch(f"/api/v1/contacts/{c.id}/relationship", json={"support": 0, "version": 5}).status_code == 409
    r = api.patch(f"/api/v1/contacts/{c.id}/relationship", json={"influence": "high", "version": 1})
    assert r.status_code == 200 and (r.json()["support"], r.json()["influence"], r.json()["version"]) == (2, "high", 2)
    # Shape errors are 422, never a 500 or a partial write.
    for bad in (
        {"support": 3, "version": 2},
        {"influence": "huge", "version": 2},
        {"stage": 4, "version": 2},
        {"decision_role": "king", "version": 2},
        {"expected_days": 0, "version": 2},
        {"rising_reasons": ["looks"], "version": 2},
        {"support": "1", "version": 2},
    ):
        assert api.patch(f"/api/v1/contacts/{c.id}/relationship", json=bad).status_code == 422, bad
    assert api.get(f"/api/v1/contacts/{c.id}/relationship").json()["version"] == 2


def test_stage_history_competitors_owners(session, ids):
    _cust, c = _contact(session, ids, name="接口客户二")
    api = helpers.api("ar1")
    url = f"/api/v1/contacts/{c.id}/relationship"
    assert api.post(url + "/stage", json={"to_stage": 2}).status_code == 422  # no evidence going up
    assert api.post(url + "/stage", json={"to_stage": 1}).status_code == 409  # already there
    assert api.post(url + "/stage", json={"to_stage": 5, "evidence": "x"}).status_code == 422
    r = api.post(url + "/stage", json={"to_stage": 3, "evidence": "在内部会上为我们说话"})
    assert r.status_code == 200 and r.json()["stage"] == 3
    assert api.post(url + "/stage", json={"to_stage": 2, "version": 1}).status_code == 200
    history = api.get(url + "/history").json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [(3, 2), (1, 3)]
    assert history[1]["evidence"] == "在内部会上为我们说话" and history[0]["changed_by"] == ids["ar1"]

    items = [{"competitor": "竞品甲", "preference": "strong"}, {"competitor": "竞品乙", "preference": "none"}]
    r = api.put(url + "/competitors", json={"items": items})
    assert r.status_code == 200 and r.json()["competitors"] == items[::-1]  # by name: 乙 < 甲
    dup = {"items": [{"competitor": "X", "preference": "none"}, {"competitor": "x", "preference": "leaning"}]}
    assert api.put(url + "/competitors", json=dup).status_code == 422
    assert (
        api.put(url + "/competitors", json={"items": [{"competitor": "Y", "preference": "maybe"}]}).status_code == 422
    )
    assert api.get(url).json()["competitors"] == items[::-1]

    r = api.put(url + "/owners", json={"user_ids": [ids["finance1"], ids["sr1"]]})
    assert r.status_code == 200 and r.json()["owner_ids"] == [ids["finance1"], ids["sr1"]]
    assert api.put(url + "/owners", json={"user_ids": [2_000_000]}).status_code == 422
    assert api.put(url + "/owners", json={"user_ids": [0]}).status_code == 422
    # Two of our people know them now (owners), S2 neutral: 8.333 + 15 + 6.667 = 30.
    assert api.get(url).json()["score"]["score"] == 30


def test_departure_alerts_and_customer_key_score(session, ids):
    cust, boss = _contact(session, ids, name="接口客户三", level="executive", dept_name="总经办")
    staff = f.contact(session, ids["ar1"], cust.id, "小李", level="staff", dept_name="总经办")
    f.profile(session, ids["ar1"], staff.id, support=-2)
    api = helpers.api("ar1")
    key = api.get(f"/api/v1/customers/{cust.id}/relationship/key", headers=EN)
    assert key.status_code == 200, key.text
    body = key.json()
    # 孙主任 15 (medium), 小李 0 (medium): (15·2 + 0·2)/4 = 7.5 → 8.
    assert body["score"]["score"] == 8
    assert [(r["id"], r["score"], r["last_touch"]) for r in body["contacts"]] == [
        (boss.id, 15, None),
        (staff.id, 0, None),
    ]
    r = api.post(f"/api/v1/contacts/{boss.id}/relationship/departure", json={"on": "2025-06-01"})
    assert r.status_code == 200, r.text
    assert r.json()["notified"] == [ids["ar1"]]
    assert r.json()["relationship"]["departed_on"] == "2025-06-01"
    assert api.post(f"/api/v1/contacts/{boss.id}/relationship/departure", json={"on": "soon"}).status_code == 422
    body = api.get(f"/api/v1/customers/{cust.id}/relationship/key").json()
    assert body["score"]["score"] == 0  # only 小李 (0) remains
    assert [r["id"] for r in body["contacts"]] == [staff.id, boss.id]  # the departed one last
    note = helpers.api("ar1").get("/api/v1/notifications").json()["items"][0]
    assert note["kind"] == "relationship_succession"


def test_rising_stars_and_scope(session, ids):
    cust, c = _contact(session, ids, name="接口客户四")
    api = helpers.api("ar1")
    body = {"rising_star": True, "rising_reasons": ["education", "popularity"], "rising_owner_id": ids["sr1"]}
    assert api.patch(f"/api/v1/contacts/{c.id}/relationship", json={"rising_star": True}).status_code == 422
    assert (
        api.patch(f"/api/v1/contacts/{c.id}/relationship", json=body | {"rising_plan": "参加培训"}).status_code == 200
    )
    stars = api.get("/api/v1/rising-stars").json()
    row = next(s for s in stars["items"] if s["id"] == c.id)
    assert row["rising_owner_name"] == "陈静" and row["customer_name"] == "接口客户四"
    assert [p["stage"] for p in row["stages"]] == [1]
    other = helpers.api("ar2")
    assert c.id not in {s["id"] for s in other.get("/api/v1/rising-stars").json()["items"]}
    for path in ("", "/history"):
        assert other.get(f"/api/v1/contacts/{c.id}/relationship{path}").status_code == 404
    assert other.get(f"/api/v1/customers/{cust.id}/relationship/key").status_code == 404
    assert other.post(f"/api/v1/contacts/{c.id}/relationship/departure", json={"on": "2025-01-01"}).status_code == 404
    assert helpers.client().get(f"/api/v1/contacts/{c.id}/relationship").status_code == 401


def test_reading_without_the_update_permission(session, ids):
    role = org_service.add_role(
        session,
        Scope.system(),
        RoleWrite(
            code="rel_reader",
            name_zh="关系只读",
            name_en="Relationship reader",
            permissions=["customers.view", "contacts.view", "relationships.view"],
            data_scopes={"customers": 5, "contacts": 5},
        ),
    )
    reader = user(session, "rel_reader", role_ids=[role.id])
    _cust, c = _contact(session, ids, name="接口客户五")
    session.flush()
    api = helpers.api(reader.username, "pass-word-1")
    url = f"/api/v1/contacts/{c.id}/relationship"
    assert api.get(url).status_code == 200
    assert api.patch(url, json={"support": 1}).status_code == 403
    assert api.post(url + "/stage", json={"to_stage": 2, "evidence": "x"}).status_code == 403
    assert api.put(url + "/owners", json={"user_ids": []}).status_code == 403
    assert api.put(url + "/competitors", json={"items": []}).status_code == 403
    assert api.post(url + "/departure", json={"on": "2025-01-01"}).status_code == 403
    assert api.get(url).json()["saved"] is False
