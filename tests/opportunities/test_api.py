from __future__ import annotations

from decimal import Decimal

from tests.contacts.factories import make_contact
from tests.helpers import api, make_customer
from tests.opportunities.factories import default_stages, make_opportunity, reason, set_stage


def test_crud_and_detail_shape(session, ids):
    customer = make_customer(session, ids["ar1"], "接口客户")
    c = api("ar1")
    r = c.post(
        "/api/v1/opportunities",
        json={"name": "接口商机", "customer_id": customer.id, "amount": "1234.50", "expected_close": "2027-06-30"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["amount"] == "1234.50" and body["status"] == "open" and body["probability"] == 10
    assert body["lines"] == [] and body["computed_probability"] is None and body["owner_id"] == ids["ar1"]
    oid = body["id"]
    r = c.put(f"/api/v1/opportunities/{oid}", json={"name": "改", "customer_id": customer.id, "version": 99})
    assert r.status_code == 409
    r = c.put(f"/api/v1/opportunities/{oid}", json={"name": "改", "customer_id": customer.id, "version": 1})
    assert r.status_code == 200 and r.json()["name"] == "改" and r.json()["amount"] == "0.00"
    assert (
        c.post("/api/v1/opportunities", json={"name": "x", "customer_id": customer.id, "owner_id": 1}).status_code
        == 422
    )
    assert (
        c.post("/api/v1/opportunities", json={"name": "x", "customer_id": customer.id, "amount": "-1"}).status_code
        == 422
    )
    assert c.get(f"/api/v1/opportunities/{oid}").json()["name"] == "改"
    assert api("ar2").get(f"/api/v1/opportunities/{oid}").status_code == 404
    assert c.delete(f"/api/v1/opportunities/{oid}").status_code == 403  # AR may not delete
    admin = api("admin")
    assert admin.delete(f"/api/v1/opportunities/{oid}").status_code == 204
    assert admin.get(f"/api/v1/opportunities/{oid}").status_code == 404
    assert admin.post(f"/api/v1/opportunities/{oid}/restore").status_code == 200


def test_list_filters_sorting_and_unknown_params(session, ids):
    st = default_stages(session)
    customer = make_customer(session, ids["ar1"], "过滤客户")
    small = make_opportunity(session, ids["ar1"], "小单", customer_id=customer.id, amount=Decimal("10.00"))
    big = make_opportunity(
        session, ids["ar1"], "大单", customer_id=customer.id, amount=Decimal("900.00"), expected_close="2027-02-01"
    )
    c = api("ar1")
    base = f"/api/v1/opportunities?customer_id={customer.id}"
    assert [o["id"] for o in c.get(base + "&sort=-amount").json()["items"]] == [big.id, small.id]
    assert [o["id"] for o in c.get(base + "&amount_min=100").json()["items"]] == [big.id]
    assert [o["id"] for o in c.get(base + "&close_from=2027-01-01&close_to=2027-03-01").json()["items"]] == [big.id]
    assert [o["id"] for o in c.get(base + "&q=小").json()["items"]] == [small.id]
    assert c.get(base + f"&stage_id={st['Needs analysis'].id}").json()["total"] == 0
    assert c.get(base + "&status=open&mine=true").json()["total"] == 2
    assert c.get(base + "&colour=red").status_code == 422
    assert c.get(base + "&sort=password").status_code == 422
    assert c.get(base + "&status=maybe").status_code == 422


def test_move_endpoint_messages(session, ids):
    st = default_stages(session)
    set_stage(session, st["Needs analysis"], required_fields=["contacts"], checklist=["需求调研完成"])
    o = make_opportunity(session, ids["ar1"])
    c = api("ar1")
    url = f"/api/v1/opportunities/{o.id}/move"
    r = c.post(url, json={"stage_id": st["Needs analysis"].id})
    assert r.status_code == 409
    assert r.json()["fields"] == {"fields": ["contacts"], "checklist": ["需求调研完成"]}
    assert "需求分析" in r.json()["detail"]
    boss = make_contact(session, ids["ar1"], o.customer_id, "黄主任")
    assert (
        c.post(f"/api/v1/opportunities/{o.id}/contacts", json={"contact_id": boss.id, "role": "user"}).status_code
        == 201
    )
    r = c.post(url, json={"stage_id": st["Needs analysis"].id, "checklist": ["需求调研完成"], "version": o.version})
    assert r.status_code == 200 and r.json()["probability"] == 25
    r = c.post(url, json={"stage_id": st["Lost"].id})
    assert r.status_code == 422 and "lost_reason_id" in r.json()["fields"]
    r = c.post(url, json={"stage_id": st["Lost"].id, "lost_reason_id": reason(session), "note": "预算砍了"})
    assert r.status_code == 200 and r.json()["status"] == "lost" and r.json()["closed_at"]
    history = c.get(f"/api/v1/opportunities/{o.id}/stage-history").json()
    assert [h["to_stage_id"] for h in history] == [st["Qualify"].id, st["Needs analysis"].id, st["Lost"].id]
    assert history[1]["duration_seconds"] is not None
    assert api("ar2").post(url, json={"stage_id": st["Won"].id, "note": "x"}).status_code == 404
    moves = c.get(f"/api/v1/opportunities/stage-moves?opportunity_id={o.id}").json()
    assert len(moves) == 3
    since = c.get(f"/api/v1/opportunities/stage-moves?opportunity_id={o.id}&since=2000-01-01T00:00:00").json()
    assert len(since) == 3
    # A number is not an epoch, whatever its spelling (schemathesis sent "8.9e-207"): 422, not everything since 1970.
    for number in ("1700000000", "8.923195122545642e-207", " 12.5 ", "true"):
        r = c.get("/api/v1/opportunities/stage-moves", params={"until": number})
        assert r.status_code == 422, number


def test_transfer_batch_team_competitors(session, ids):
    a = make_opportunity(session, ids["ar1"], "甲")
    b = make_opportunity(session, ids["ar2"], "乙")
    c = api("ar1")
    r = c.post(f"/api/v1/opportunities/{a.id}/team", json={"user_id": ids["sr1"], "access": "write", "role": "SR"})
    assert r.status_code == 201 and r.json()["role"] == "SR"
    assert c.post(f"/api/v1/opportunities/{a.id}/team", json={"user_id": ids["fr1"], "role": "XX"}).status_code == 422
    assert [m["user_id"] for m in c.get(f"/api/v1/opportunities/{a.id}/team").json()] == [ids["sr1"]]
    sr1 = api("sr1")
    assert sr1.get(f"/api/v1/opportunities/{a.id}").status_code == 200
    r = sr1.post(f"/api/v1/opportunities/{a.id}/competitors", json={"name": "友商", "quoted_price": "99.90"})
    assert r.status_code == 201 and r.json()["quoted_price"] == "99.90"
    cid = r.json()["id"]
    r = c.put(f"/api/v1/opportunities/{a.id}/competitors/{cid}", json={"name": "友商", "status": "won"})
    assert r.status_code == 200 and r.json()["status"] == "won"
    assert c.delete(f"/api/v1/opportunities/{a.id}/competitors/{cid}").status_code == 204
    assert c.delete(f"/api/v1/opportunities/{a.id}/team/{ids['sr1']}").status_code == 204
    assert sr1.get(f"/api/v1/opportunities/{a.id}").status_code == 404
    r = c.post("/api/v1/opportunities/batch", json={"ids": [a.id, b.id], "action": "transfer", "owner_id": ids["fr1"]})
    assert r.status_code == 200
    assert r.json()["done"] == 1 and [x["status"] for x in r.json()["results"]] == [None, 404]
    assert c.post("/api/v1/opportunities/batch", json={"ids": [a.id], "action": "move"}).status_code == 422
    r = api("fr1").post(
        f"/api/v1/opportunities/{a.id}/transfer", json={"owner_id": ids["ar1"], "keep_as_member": False}
    )
    assert r.status_code == 200 and r.json()["owner_id"] == ids["ar1"]


def test_pipelines_and_reasons_api(session, ids):
    c = api("admin")
    r = c.post("/api/v1/pipelines", json={"name_zh": "项目型", "name_en": "Project"})
    assert r.status_code == 201 and len(r.json()["stages"]) == 7
    pid = r.json()["id"]
    stages = r.json()["stages"]
    assert api("ar1").post("/api/v1/pipelines", json={"name_zh": "x", "name_en": "x"}).status_code == 403
    listed = api("ar1").get("/api/v1/pipelines").json()
    assert pid in [p["id"] for p in listed]
    r = c.post(
        f"/api/v1/pipelines/{pid}/stages",
        json={"name_zh": "技术交流", "name_en": "Tech exchange", "probability": 15, "checklist": ["交流纪要"]},
    )
    assert r.status_code == 201 and r.json()["position"] == 4
    new_id = r.json()["id"]
    r = c.put(
        f"/api/v1/pipelines/{pid}/stages/{new_id}",
        json={"name_zh": "技术交流", "name_en": "Tech talk", "probability": 20, "required_fields": ["amount"]},
    )
    assert r.status_code == 200 and r.json()["required_fields"] == ["amount"]
    bad = c.put(
        f"/api/v1/pipelines/{pid}/stages/{new_id}",
        json={"name_zh": "x", "name_en": "x", "probability": 101},
    )
    assert bad.status_code == 422
    assert c.delete(f"/api/v1/pipelines/{pid}/stages/{new_id}").json() == {"result": "deleted"}
    won = next(s for s in stages if s["kind"] == "won")
    assert c.delete(f"/api/v1/pipelines/{pid}/stages/{won['id']}").status_code == 422
    order = [s["id"] for s in reversed(stages)]
    r = c.put(f"/api/v1/pipelines/{pid}/stages/order", json={"stage_ids": order})
    assert r.status_code == 200 and [s["id"] for s in r.json()] == order
    reasons = c.get("/api/v1/lost-reasons?kind=invalid").json()
    assert reasons and all(x["kind"] == "invalid" for x in reasons)
    r = c.post("/api/v1/lost-reasons", json={"kind": "lost", "name_zh": "交期", "name_en": "Lead time"})
    assert r.status_code == 201
    assert (
        c.put(
            f"/api/v1/lost-reasons/{r.json()['id']}",
            json={"kind": "lost", "name_zh": "交期", "name_en": "Lead time", "active": False},
        ).json()["active"]
        is False
    )
    assert c.delete(f"/api/v1/pipelines/{pid}").status_code == 204


def test_openapi_documents_the_endpoints():
    from tests.helpers import client

    paths = client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/opportunities",
        "/opportunities/{opportunity_id}/move",
        "/opportunities/batch",
        "/opportunities/{opportunity_id}/team",
        "/pipelines/{pipeline_id}/stages",
        "/lost-reasons",
        "/saved-views",
    ):
        assert path in paths, path
