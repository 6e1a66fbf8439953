"""The executive pool API: /exec-pairings, /exec-pairings/{id}, /exec-pairings/{id}/meetings, /exec-meetings/{id}."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import api
from tests.relationships import network_factories as f

T = f.TODAY


def _boss(session, ids):
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "总经理办公室", level="executive")
    session.flush()
    return c, boss


def test_pairing_and_meeting_flow(session, ids):
    c, boss = _boss(session, ids)
    ar1 = api("ar1")
    r = ar1.post("/api/v1/exec-pairings", json={"contact_id": boss.id, "user_id": ids["director"], "expected_days": 60})
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["customer_id"], p["expected_days"], p["due"], p["since"], p["meetings"]) == (
        c.id,
        60,
        False,
        T.isoformat(),
        [],
    )
    assert (
        ar1.post("/api/v1/exec-pairings", json={"contact_id": boss.id, "user_id": ids["director"]}).status_code == 409
    )
    planned = (T + timedelta(days=20)).isoformat()
    r = ar1.post(f"/api/v1/exec-pairings/{p['id']}/meetings", json={"planned_on": planned, "summary": "季度会晤"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["status"], m["held_on"]) == ("planned", None)
    assert (
        ar1.post(
            f"/api/v1/exec-pairings/{p['id']}/meetings", json={"planned_on": planned, "status": "held"}
        ).status_code
        == 422
    )
    # Due on day 61 after pairing …
    listed = ar1.get("/api/v1/exec-pairings", params={"due": "true", "as_of": (T + timedelta(days=61)).isoformat()})
    assert [x["id"] for x in listed.json()["items"]] == [p["id"]]
    # … until the meeting is held (on day 21): then due only after day 81.
    held = (T + timedelta(days=21)).isoformat()
    r = ar1.patch(f"/api/v1/exec-meetings/{m['id']}", json={"status": "held", "held_on": held, "version": m["version"]})
    assert r.status_code == 200, r.text
    assert (
        ar1.patch(f"/api/v1/exec-meetings/{m['id']}", json={"summary": "x", "version": m["version"]}).status_code == 409
    )
    detail = ar1.get(f"/api/v1/exec-pairings/{p['id']}", params={"as_of": (T + timedelta(days=81)).isoformat()}).json()
    assert (detail["last_held_on"], detail["due"], [x["status"] for x in detail["meetings"]]) == (held, False, ["held"])
    detail = ar1.get(f"/api/v1/exec-pairings/{p['id']}", params={"as_of": (T + timedelta(days=82)).isoformat()}).json()
    assert detail["due"] is True
    r = ar1.patch(f"/api/v1/exec-pairings/{p['id']}", json={"remark": "董事长亲自对接", "version": detail["version"]})
    assert (r.status_code, r.json()["remark"], r.json()["expected_days"]) == (200, "董事长亲自对接", 60)
    assert ar1.get("/api/v1/exec-pairings", params={"customer_id": c.id, "duee": 1}).status_code == 422
    assert ar1.delete(f"/api/v1/exec-pairings/{p['id']}").status_code == 204
    assert ar1.get(f"/api/v1/exec-pairings/{p['id']}").status_code == 404
    assert ar1.get(f"/api/v1/exec-meetings/{m['id']}").status_code == 404


def test_bad_input(session, ids):
    _c, boss = _boss(session, ids)
    ar1 = api("ar1")
    for body in (
        {"contact_id": boss.id, "user_id": ids["director"], "expected_days": 0},
        {"contact_id": boss.id, "user_id": ids["director"], "expected_days": "30"},
        {"contact_id": boss.id, "user_id": 2_000_000},
        {"contact_id": boss.id},
    ):
        assert ar1.post("/api/v1/exec-pairings", json=body).status_code == 422, body
    assert ar1.get("/api/v1/exec-pairings").json()["total"] == 0


def test_out_of_scope_is_404(session, ids):
    _c, boss = _boss(session, ids)
    p = f.pairing(session, ids["ar1"], boss.id, ids["director"])
    m = f.meeting(session, ids["ar1"], p.id, T)
    ar2 = api("ar2")
    assert ar2.get(f"/api/v1/exec-pairings/{p.id}").status_code == 404
    assert ar2.patch(f"/api/v1/exec-pairings/{p.id}", json={"remark": "x", "version": p.version}).status_code == 404
    assert ar2.delete(f"/api/v1/exec-pairings/{p.id}").status_code == 404
    assert ar2.post(f"/api/v1/exec-pairings/{p.id}/meetings", json={"planned_on": T.isoformat()}).status_code == 404
    assert ar2.get(f"/api/v1/exec-meetings/{m.id}").status_code == 404
    assert ar2.patch(f"/api/v1/exec-meetings/{m.id}", json={"summary": "x", "version": m.version}).status_code == 404
    assert ar2.post("/api/v1/exec-pairings", json={"contact_id": boss.id, "user_id": ids["ar2"]}).status_code == 404
    assert ar2.get("/api/v1/exec-pairings").json()["total"] == 0
    assert api("director").get("/api/v1/exec-pairings").json()["total"] == 1
