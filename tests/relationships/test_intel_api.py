"""The intelligence API: /intel, /intel/{id}, /intel/{id}/sources, /customers/{id}/intel-sources and
/customers/{id}/competitor-timeline — flows, validation, scope (404) and permission (403)."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import api
from tests.relationships import network_factories as f

T = f.TODAY


def _world(session, ids):
    c = f.customer(session, ids["ar1"])
    a = f.contact(session, ids["ar1"], c.id, "周主任", "技术部")
    b = f.contact(session, ids["ar1"], c.id, "吴工", "技术部")
    session.flush()
    return c, a, b


def test_create_patch_source_list_delete(session, ids):
    c, a, b = _world(session, ids)
    ar1 = api("ar1")
    body = {
        "customer_id": c.id,
        "kind": "competitor",
        "competitor": "中兴",
        "content": "中兴报价下调 15%",
        "occurred_on": (T - timedelta(days=2)).isoformat(),
        "confidence": "high",
        "contact_ids": [b.id],
        "sources": [{"contact_id": a.id, "stance": "confirms"}],
    }
    r = ar1.post("/api/v1/intel", json=body)
    assert r.status_code == 201, r.text
    it = r.json()
    assert (it["confirms"], it["verified"], it["conflicting"], it["contact_ids"]) == (1, False, False, [b.id])
    assert it["created_by"] == ids["ar1"] and len(it["sources"]) == 1
    r = ar1.post(f"/api/v1/intel/{it['id']}/sources", json={"user_id": ids["sr1"]})
    assert r.status_code == 201, r.text
    assert (r.json()["confirms"], r.json()["verified"]) == (2, True)
    version = r.json()["version"]
    r = ar1.patch(f"/api/v1/intel/{it['id']}", json={"confidence": "low", "version": version})
    assert r.status_code == 200, r.text
    assert (r.json()["confidence"], r.json()["content"], r.json()["verified"]) == ("low", "中兴报价下调 15%", True)
    assert ar1.patch(f"/api/v1/intel/{it['id']}", json={"content": "旧", "version": version}).status_code == 409
    listed = ar1.get("/api/v1/intel", params={"customer_id": c.id, "verified": "true", "competitor": "中"}).json()
    assert [x["id"] for x in listed["items"]] == [it["id"]] and listed["total"] == 1
    assert ar1.get("/api/v1/intel", params={"customer_id": c.id, "kind": "budget"}).json()["total"] == 0
    window = {"customer_id": c.id, "date_from": T.isoformat()}
    assert ar1.get("/api/v1/intel", params=window).json()["total"] == 0  # it happened two days ago
    timeline = ar1.get(f"/api/v1/customers/{c.id}/competitor-timeline").json()
    assert [(g["competitor"], len(g["items"])) for g in timeline] == [("中兴", 1)]
    assert ar1.delete(f"/api/v1/intel/{it['id']}").status_code == 204
    assert ar1.get(f"/api/v1/intel/{it['id']}").status_code == 404


def test_bad_input_is_422_and_writes_nothing(session, ids):
    c, a, _b = _world(session, ids)
    ar1 = api("ar1")
    base = {"customer_id": c.id, "kind": "budget", "content": "预算", "occurred_on": T.isoformat()}
    for bad in (
        {"kind": "competitor"},  # no competitor named
        {"customer_id": str(c.id)},  # strict JSON: an id is a number
        {"occurred_on": 20270101},  # a date is text
        {"sources": [{"contact_id": a.id, "user_id": ids["ar1"]}]},  # one person per source
        {"sources": [{"contact_id": a.id, "stance": "maybe"}]},
        {"unknown": 1},
        {"content": "  "},
    ):
        r = ar1.post("/api/v1/intel", json=base | bad)
        assert r.status_code == 422, (bad, r.text)
    assert ar1.get("/api/v1/intel", params={"customer_id": c.id}).json()["total"] == 0
    assert ar1.get("/api/v1/intel", params={"customr_id": c.id}).status_code == 422  # a misspelt filter


def test_sources_report_endpoint(session, ids):
    c, a, b = _world(session, ids)
    f.touch(session, ids["ar1"], c.id, [a.id], f.days_ago(5))
    f.item(session, ids["ar1"], c.id, sources=[f.src(a.id), f.src(b.id)])
    r = api("ar1").get(f"/api/v1/customers/{c.id}/intel-sources", params={"as_of": T.isoformat()})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["departments"] == [{"dept_name": "技术部", "contacts": 2, "active": 2, "stale": 1}]
    assert {s["contact_id"]: s["stale"] for s in data["sources"]} == {a.id: False, b.id: True}


def test_out_of_scope_is_404_everywhere(session, ids):
    c, a, _b = _world(session, ids)
    it = f.item(session, ids["ar1"], c.id, sources=[f.src(a.id)])
    ar2 = api("ar2")
    assert ar2.get(f"/api/v1/intel/{it.id}").status_code == 404
    assert ar2.patch(f"/api/v1/intel/{it.id}", json={"content": "x", "version": it.version}).status_code == 404
    assert ar2.post(f"/api/v1/intel/{it.id}/sources", json={"user_id": ids["ar2"]}).status_code == 404
    assert ar2.delete(f"/api/v1/intel/{it.id}").status_code == 404
    assert ar2.get(f"/api/v1/customers/{c.id}/intel-sources").status_code == 404
    assert ar2.get(f"/api/v1/customers/{c.id}/competitor-timeline").status_code == 404
    body = {"customer_id": c.id, "kind": "budget", "content": "x", "occurred_on": T.isoformat()}
    assert ar2.post("/api/v1/intel", json=body).status_code == 404
    assert ar2.get("/api/v1/intel", params={"customer_id": c.id}).json()["total"] == 0
    assert api("ar1").get(f"/api/v1/intel/{it.id}").json()["sources"][0]["contact_id"] == a.id  # unchanged


def test_without_relationships_update_writes_are_403(session, ids):
    """sr1 gets a role that sees every customer and its intel but may not record any."""
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import RoleWrite
    from tests.helpers import scope_of

    c, a, _b = _world(session, ids)
    it = f.item(session, ids["ar1"], c.id)
    role = org_service.add_role(
        session,
        scope_of(session, ids["admin"]),
        RoleWrite(
            code="intel_viewer",
            name_zh="情报只读",
            name_en="Intel viewer",
            permissions=["customers.view", "contacts.view", "relationships.view"],
            data_scopes={"customers": 5, "contacts": 5},
        ),
    )
    org_service.set_user_roles(session, session.get(User, ids["sr1"]), [role.id])
    session.flush()
    viewer = api("sr1")
    assert viewer.get(f"/api/v1/intel/{it.id}").status_code == 200
    body = {"customer_id": c.id, "kind": "budget", "content": "x", "occurred_on": T.isoformat()}
    assert viewer.post("/api/v1/intel", json=body).status_code == 403
    assert viewer.patch(f"/api/v1/intel/{it.id}", json={"content": "x", "version": it.version}).status_code == 403
    assert viewer.post(f"/api/v1/intel/{it.id}/sources", json={"contact_id": a.id}).status_code == 403
    assert viewer.delete(f"/api/v1/intel/{it.id}").status_code == 403
    assert viewer.post("/api/v1/exec-pairings", json={"contact_id": a.id, "user_id": ids["sr1"]}).status_code == 403
