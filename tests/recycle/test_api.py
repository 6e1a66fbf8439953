from __future__ import annotations

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from tests.helpers import api, client, make_customer


def _deleted(session, owner_id: int, name: str) -> int:
    c = make_customer(session, owner_id, name)
    customer_service.delete_(session, Scope.system(), c.id)
    session.flush()
    return c.id


def test_anonymous_is_401(connection):
    anon = client()
    assert anon.get("/api/v1/recycle").status_code == 401
    assert anon.post("/api/v1/recycle/customer/1/restore").status_code == 401
    assert anon.delete("/api/v1/recycle/customer/1").status_code == 401


def test_list_restore_purge(session, ids):
    cid = _deleted(session, ids["ar1"], "接口回收客户")
    ar1, ar2, director, admin = api("ar1"), api("ar2"), api("director"), api("admin")
    r = ar1.get("/api/v1/recycle", params={"entity": "customer"})
    assert r.status_code == 200
    item = next(i for i in r.json()["items"] if i["id"] == cid)
    assert item["name"] == "接口回收客户" and item["entity"] == "customer" and item["deleted_at"]
    assert cid not in {i["id"] for i in ar2.get("/api/v1/recycle").json()["items"]}
    assert ar2.post(f"/api/v1/recycle/customer/{cid}/restore").status_code == 404
    assert ar1.post(f"/api/v1/recycle/customer/{cid}/restore").status_code == 403
    r = director.post(f"/api/v1/recycle/customer/{cid}/restore")
    assert r.status_code == 200 and r.json()["deleted_at"] is None
    assert director.get(f"/api/v1/customers/{cid}").status_code == 200
    assert director.delete(f"/api/v1/customers/{cid}").status_code == 204
    assert director.delete(f"/api/v1/recycle/customer/{cid}").status_code == 403
    assert admin.delete(f"/api/v1/recycle/customer/{cid}").status_code == 204
    assert admin.delete(f"/api/v1/recycle/customer/{cid}").status_code == 404


def test_unknown_entity_is_422(connection):
    c = api("admin")
    assert c.get("/api/v1/recycle", params={"entity": "planet"}).status_code == 422
    assert c.post("/api/v1/recycle/planet/1/restore").status_code == 422
    assert c.delete("/api/v1/recycle/user/1").status_code == 422
    assert c.get("/api/v1/recycle", params={"entity": "customer", "page": 0}).status_code == 422
