"""The power-map API: the customer's and the opportunity's map, editing a node, informal links — and who may."""

from __future__ import annotations

from loam.relationships import profiles_repository
from tests.helpers import api, client
from tests.opportunities.factories import make_opportunity
from tests.relationships.powermap_helpers import customer, link, person
from tests.relationships.test_powermap_edit import _viewer


def _setup(session, ids):
    c = customer(session, ids)
    boss = person(session, ids, c.id, "黄局长", level="executive", decision_role="decision_maker", support=2)
    coach = person(session, ids, c.id, "李工", reports_to_id=boss.id, decision_role="evaluator", support=1, coach=True)
    user = person(session, ids, c.id, "王科长", level="staff", reports_to_id=coach.id)
    return c, boss, coach, user


def test_customer_map_shape(session, ids):
    c, boss, coach, user = _setup(session, ids)
    r = api("ar1").get(f"/api/v1/customers/{c.id}/power-map")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["customer_id"], body["opportunity_id"], body["status"]) == (c.id, None, "green")
    assert body["checks"] == {
        "supportive_key_player": True,
        "supportive_decider": True,
        "coach": True,
        "decision_maker": True,
        "approver": False,
    }
    assert [n["id"] for n in body["nodes"]] == [boss.id, coach.id, user.id]  # executives, middle, staff
    u = body["nodes"][2]
    assert (u["support"], u["influence"], u["coach"], u["key_player"], u["linked"], u["profile_version"]) == (
        0,
        "medium",
        False,
        False,
        True,
        None,
    )
    assert sorted((e["kind"], e["source"], e["target"], e["link_id"]) for e in body["edges"]) == sorted(
        [("reports_to", coach.id, boss.id, None), ("reports_to", user.id, coach.id, None)]
    )


def test_opportunity_map_and_overlay_query(session, ids):
    c, boss, _coach, user = _setup(session, ids)
    deal = make_opportunity(session, ids["ar1"], "政务云", customer_id=c.id)
    link(session, ids, deal.id, boss.id, "user")
    link(session, ids, deal.id, user.id, "approver", chain="technical")
    a = api("ar1")
    by_opportunity = a.get(f"/api/v1/opportunities/{deal.id}/power-map").json()
    by_customer = a.get(f"/api/v1/customers/{c.id}/power-map", params={"opportunity_id": deal.id}).json()
    assert by_opportunity == by_customer
    assert by_opportunity["opportunity_id"] == deal.id and by_opportunity["status"] == "amber"
    nodes = {n["id"]: n for n in by_opportunity["nodes"]}
    assert (nodes[boss.id]["decision_role"], nodes[boss.id]["account_role"]) == ("user", "decision_maker")
    assert (nodes[user.id]["decision_role"], nodes[user.id]["chain"]) == ("approver", "technical")
    assert [n["linked"] for n in by_opportunity["nodes"]] == [True, False, True]
    other = make_opportunity(session, ids["ar1"], "别家的商机")
    assert a.get(f"/api/v1/customers/{c.id}/power-map", params={"opportunity_id": other.id}).status_code == 404
    assert a.get(f"/api/v1/customers/{c.id}/power-map", params={"opportunity_id": 0}).status_code == 422


def test_edit_node_through_the_api(session, ids):
    c, boss, _coach, user = _setup(session, ids)
    a = api("ar1")
    url = f"/api/v1/customers/{c.id}/power-map/nodes/{user.id}"
    r = a.patch(url, json={"decision_role": "approver", "support": 2, "influence": "high"})
    assert r.status_code == 200, r.text
    node = {n["id"]: n for n in r.json()["nodes"]}[user.id]
    assert (node["decision_role"], node["support"], node["influence"]) == ("approver", 2, "high")
    assert r.json()["checks"]["approver"] is True
    version = profiles_repository.get(session, user.id).version
    assert a.patch(url, json={"support": 1}).status_code == 409  # the profile exists: version needed
    assert a.patch(url, json={"support": 1, "version": version + 5}).status_code == 409
    assert a.patch(url, json={"support": "1", "version": version}).status_code == 422  # JSON is strict
    assert a.patch(url, json={"support": 3, "version": version}).status_code == 422
    r = a.patch(url, json={"support": -1, "influence": "high", "decision_role": "approver", "version": version})
    assert r.status_code == 200 and {n["id"]: n for n in r.json()["nodes"]}[user.id]["support"] == -1
    r = a.patch(
        f"/api/v1/customers/{c.id}/power-map/nodes/{boss.id}",
        json={"decision_role": "decision_maker", "support": 2, "set_reports_to": True, "reports_to_id": user.id,
              "version": profiles_repository.get(session, boss.id).version},
    )  # fmt: skip
    assert r.status_code == 422 and "reports_to_id" in r.json()["fields"]  # user → coach → boss → user: a circle


def test_links_api(session, ids):
    c, boss, coach, user = _setup(session, ids)
    a = api("ar1")
    r = a.post(
        f"/api/v1/customers/{c.id}/power-map/links",
        json={"from_contact_id": coach.id, "to_contact_id": boss.id, "kind": "influences", "strength": 3},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["kind"], made["strength"], made["from_contact_id"], made["created_by"]) == (
        "influences",
        3,
        coach.id,
        ids["ar1"],
    )
    assert a.get(f"/api/v1/power-links/{made['id']}").json() == made
    body = {"from_contact_id": coach.id, "to_contact_id": boss.id, "kind": "influences"}
    assert a.post(f"/api/v1/customers/{c.id}/power-map/links", json=body).status_code == 409
    body = {"from_contact_id": coach.id, "to_contact_id": coach.id, "kind": "personal"}
    assert a.post(f"/api/v1/customers/{c.id}/power-map/links", json=body).status_code == 422
    body = {"from_contact_id": coach.id, "to_contact_id": user.id, "kind": "friends"}
    assert a.post(f"/api/v1/customers/{c.id}/power-map/links", json=body).status_code == 422
    r = a.patch(f"/api/v1/power-links/{made['id']}", json={"kind": "conflicts", "remark": "竞争上岗"})
    assert r.status_code == 200 and (r.json()["kind"], r.json()["strength"], r.json()["remark"]) == (
        "conflicts",
        3,
        "竞争上岗",
    )
    assert a.patch(f"/api/v1/power-links/{made['id']}", json={"strength": 0}).status_code == 422
    edges = a.get(f"/api/v1/customers/{c.id}/power-map").json()["edges"]
    assert [(e["kind"], e["strength"]) for e in edges if e["link_id"]] == [("conflicts", 3)]
    assert a.delete(f"/api/v1/power-links/{made['id']}").status_code == 204
    assert a.get(f"/api/v1/power-links/{made['id']}").status_code == 404
    assert a.delete(f"/api/v1/power-links/{made['id']}").status_code == 404


def test_access(session, ids):
    c, boss, coach, _user = _setup(session, ids)
    deal = make_opportunity(session, ids["ar1"], "政务云", customer_id=c.id)
    made = api("ar1").post(
        f"/api/v1/customers/{c.id}/power-map/links",
        json={"from_contact_id": coach.id, "to_contact_id": boss.id, "kind": "personal"},
    )
    link_id = made.json()["id"]
    anon = client()
    clients = {user: api(user) for user in ("ar2", "finance1", "director", "admin")}
    for path in (f"/api/v1/customers/{c.id}/power-map", f"/api/v1/opportunities/{deal.id}/power-map"):
        assert anon.get(path).status_code == 401
        for user, expected in (("ar2", 404), ("finance1", 404), ("director", 200), ("admin", 200)):
            assert clients[user].get(path).status_code == expected, (user, path)
    assert anon.get(f"/api/v1/power-links/{link_id}").status_code == 401
    ar2 = clients["ar2"]
    assert ar2.get(f"/api/v1/power-links/{link_id}").status_code == 404
    assert ar2.patch(f"/api/v1/power-links/{link_id}", json={"strength": 1}).status_code == 404
    assert ar2.delete(f"/api/v1/power-links/{link_id}").status_code == 404
    body = {"from_contact_id": boss.id, "to_contact_id": coach.id, "kind": "influences"}
    assert ar2.post(f"/api/v1/customers/{c.id}/power-map/links", json=body).status_code == 404
    assert ar2.patch(f"/api/v1/customers/{c.id}/power-map/nodes/{boss.id}", json={"support": 1}).status_code == 404
    assert api("ar1").get(f"/api/v1/power-links/{link_id}").json()["strength"] == 2  # nothing changed

    _viewer(session, ids)  # sr1: sees everything, may not change relationships
    viewer = api("sr1")
    assert viewer.get(f"/api/v1/customers/{c.id}/power-map").status_code == 200
    assert viewer.get(f"/api/v1/power-links/{link_id}").status_code == 200
    assert viewer.post(f"/api/v1/customers/{c.id}/power-map/links", json=body).status_code == 403
    assert viewer.patch(f"/api/v1/power-links/{link_id}", json={"strength": 1}).status_code == 403
    assert viewer.delete(f"/api/v1/power-links/{link_id}").status_code == 403
    r = viewer.patch(f"/api/v1/customers/{c.id}/power-map/nodes/{boss.id}", json={"support": 1})
    assert r.status_code == 403
    assert api("ar1").get(f"/api/v1/power-links/{link_id}").json()["strength"] == 2


def test_without_relationships_view_is_403(session, ids):
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import RoleWrite
    from tests.helpers import scope_of

    c, _boss, _coach, _user = _setup(session, ids)
    role = org_service.add_role(
        session,
        scope_of(session, ids["admin"]),
        RoleWrite(
            code="cust_only",
            name_zh="只看客户",
            name_en="Customers only",
            permissions=["customers.view", "contacts.view"],
            data_scopes={"customers": 5, "contacts": 5},
        ),
    )
    org_service.set_user_roles(session, session.get(User, ids["fr1"]), [role.id])
    session.flush()
    assert api("fr1").get(f"/api/v1/customers/{c.id}/power-map").status_code == 403
    assert api("fr1").get("/api/v1/customers/999999/power-map").status_code == 404  # scope first
