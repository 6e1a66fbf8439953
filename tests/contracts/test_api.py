"""The contracts API: CRUD, filters, status endpoints, documents, prints, templates and settings."""

from __future__ import annotations

from tests.contracts.factories import docx_bytes, docx_text
from tests.helpers import api, make_customer


def _customer(session, ids, owner: str = "ar1") -> int:
    cid = make_customer(session, ids[owner], "接口测试客户").id
    session.commit()
    return cid


def _no_flows(session) -> None:
    from loam.approvals.models import ApprovalFlow

    for flow in session.query(ApprovalFlow).filter(ApprovalFlow.doc_type == "contract"):
        flow.active = False
    session.commit()


def test_crud_and_optimistic_locking(session, ids, connection) -> None:
    cid = _customer(session, ids)
    c = api("ar1")
    r = c.post(
        "/api/v1/contracts", json={"name": "接口合同", "customer_id": cid, "amount": "1200.50", "end_on": "2027-06-30"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "draft" and body["number"].startswith("HT-") and body["amount"] == "1200.50"
    assert body["lines"] == [] and body["owner_id"] == ids["ar1"]
    kid = body["id"]
    put = {"name": "改名", "customer_id": cid, "amount": "10", "version": body["version"]}
    r = c.put(f"/api/v1/contracts/{kid}", json=put)
    assert r.status_code == 200 and r.json()["name"] == "改名"
    assert c.put(f"/api/v1/contracts/{kid}", json=put).status_code == 409
    assert c.get(f"/api/v1/contracts/{kid}").json()["name"] == "改名"
    assert c.delete(f"/api/v1/contracts/{kid}").status_code == 403  # ar has no contracts.delete
    d = api("director")
    assert d.delete(f"/api/v1/contracts/{kid}").status_code == 204
    assert c.get(f"/api/v1/contracts/{kid}").status_code == 404
    assert d.post(f"/api/v1/contracts/{kid}/restore").status_code == 200


def test_bad_input_is_422_and_server_fields_are_refused(session, ids, connection) -> None:
    cid = _customer(session, ids)
    c = api("ar1")
    before = c.get("/api/v1/contracts").json()["total"]
    for payload in (
        {"name": "x", "customer_id": cid, "number": "HT-1"},
        {"name": "x", "customer_id": cid, "owner_id": 1},
        {"name": "x", "customer_id": cid, "status": "approved"},
        {"name": "x", "customer_id": cid, "amount": "-1"},
        {"name": "x", "customer_id": cid, "amount": "1.234"},
        {"name": "x", "customer_id": cid, "currency": "RMB1"},
        {"name": "x", "customer_id": cid, "start_on": "2027-01-02", "end_on": "2027-01-01"},
        {"name": "x", "customer_id": cid, "signed_on": "02/01/2027"},
        {"name": "x", "customer_id": 99999999},
        {"name": "x"},
        {"name": "x", "customer_id": cid, "lines": [{"product_id": 99999999, "quantity": "1"}]},
    ):
        assert c.post("/api/v1/contracts", json=payload).status_code == 422, payload
    assert c.get("/api/v1/contracts").json()["total"] == before
    assert c.get("/api/v1/contracts", params={"sort": "password"}).status_code == 422
    assert c.get("/api/v1/contracts", params={"stauts": "draft"}).status_code == 422
    assert c.get("/api/v1/contracts", params={"status": "nope"}).status_code == 422
    assert c.get("/api/v1/contracts", params={"status": "draft", "cf_x": "1", "expiring_within": 30}).status_code == 200


def test_submit_void_and_lock_through_the_api(session, ids, connection) -> None:
    cid = _customer(session, ids)
    c = api("ar1")
    kid = c.post("/api/v1/contracts", json={"name": "审批合同", "customer_id": cid}).json()["id"]
    r = c.post(f"/api/v1/contracts/{kid}/submit", json={"comment": "请审批"})
    assert r.status_code == 200 and r.json()["status"] == "in_approval"  # the seeded flow applies
    body = c.get(f"/api/v1/contracts/{kid}").json()
    r = c.put(f"/api/v1/contracts/{kid}", json={"name": "改", "customer_id": cid, "version": body["version"]})
    assert r.status_code == 409
    assert c.post(f"/api/v1/contracts/{kid}/submit").status_code == 409
    assert api("director").post(f"/api/v1/contracts/{kid}/void", json={"reason": "x"}).status_code == 409
    _no_flows(session)
    k2 = c.post("/api/v1/contracts", json={"name": "直接通过", "customer_id": cid}).json()["id"]
    assert c.post(f"/api/v1/contracts/{k2}/submit").json()["status"] == "approved"
    assert c.post(f"/api/v1/contracts/{k2}/void", json={"reason": "作废"}).status_code == 403
    assert api("director").post(f"/api/v1/contracts/{k2}/void", json={"reason": ""}).status_code == 422
    r = api("director").post(f"/api/v1/contracts/{k2}/void", json={"reason": "客户取消"})
    assert r.status_code == 200 and r.json()["status"] == "void" and r.json()["void_reason"] == "客户取消"


def test_lines_in_bodies(session, ids, connection) -> None:
    from tests.products.factories import make_product

    pid = make_product(session, ids["admin"], "API-P1", price="50.00").id
    cid = _customer(session, ids)
    c = api("ar1")
    r = c.post(
        "/api/v1/contracts",
        json={
            "name": "带产品",
            "customer_id": cid,
            "lines": [{"product_id": pid, "quantity": "3", "discount_pct": "10"}],
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["amount"] == "135.00" and body["lines"][0]["subtotal"] == "135.00"


def test_members_endpoints(session, ids, connection) -> None:
    cid = _customer(session, ids)
    c = api("ar1")
    kid = c.post("/api/v1/contracts", json={"name": "团队合同", "customer_id": cid}).json()["id"]
    assert api("ar2").get(f"/api/v1/contracts/{kid}").status_code == 404
    r = c.post(f"/api/v1/contracts/{kid}/members", json={"user_id": ids["ar2"], "access": "read"})
    assert r.status_code == 201
    assert [m["user_id"] for m in c.get(f"/api/v1/contracts/{kid}/members").json()] == [ids["ar2"]]
    assert api("ar2").get(f"/api/v1/contracts/{kid}").status_code == 200
    assert kid in {x["id"] for x in api("ar2").get("/api/v1/contracts").json()["items"]}
    assert c.delete(f"/api/v1/contracts/{kid}/members/{ids['ar2']}").status_code == 204
    assert api("ar2").get(f"/api/v1/contracts/{kid}").status_code == 404


def test_templates_documents_and_prints(session, ids, connection) -> None:
    cid = _customer(session, ids)
    admin = api("admin")
    r = admin.post(
        "/api/v1/contract-templates",
        data={"kind": "contract", "name": "接口模板"},
        files={
            "file": ("t.docx", docx_bytes("{{ contract.number }} {{ amount_in_words }}"), "application/octet-stream")
        },
    )
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    bad = admin.post("/api/v1/contract-templates", data={"kind": "contract"}, files={"file": ("t.docx", b"x", "x/y")})
    assert bad.status_code == 422
    ar1 = api("ar1")
    assert (
        ar1.post("/api/v1/contract-templates", data={"kind": "contract"}, files={"file": ("t.docx", b"x")}).status_code
        == 403
    )
    assert tid in {t["id"] for t in ar1.get("/api/v1/contract-templates").json()}
    assert ar1.get(f"/api/v1/contract-templates/{tid}/file").status_code == 403
    assert admin.get(f"/api/v1/contract-templates/{tid}/file").status_code == 200
    kid = ar1.post("/api/v1/contracts", json={"name": "文档合同", "customer_id": cid, "amount": "100"}).json()["id"]
    r = ar1.post(f"/api/v1/contracts/{kid}/documents", json={"template_id": tid})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    number = ar1.get(f"/api/v1/contracts/{kid}").json()["number"]
    assert f"{number} 壹佰元整" in docx_text(r.content)
    prints = ar1.get(f"/api/v1/contracts/{kid}/prints").json()
    assert [(p["template_id"], p["format"], p["user_id"]) for p in prints] == [(tid, "docx", ids["ar1"])]
    assert api("ar2").post(f"/api/v1/contracts/{kid}/documents", json={"template_id": tid}).status_code == 404
    assert admin.post(f"/api/v1/contract-templates/{tid}/deactivate").json()["active"] is False
    assert ar1.post(f"/api/v1/contracts/{kid}/documents", json={"template_id": tid}).status_code == 404


def test_settings_api(session, ids, connection) -> None:
    ar1 = api("ar1")
    conf = ar1.get("/api/v1/contract-settings").json()
    assert conf["number_pattern"] == "HT-{yyyy}{mm}-{seq:05}" and conf["expiry_days"] == 30
    assert {t["code"] for t in conf["types"]} >= {"sales", "framework", "service", "purchase"}
    assert ar1.put("/api/v1/contract-settings", json=conf).status_code == 403
    admin = api("admin")
    assert admin.put("/api/v1/contract-settings", json=conf | {"number_pattern": "HT-{yyyy}"}).status_code == 422
    assert admin.put("/api/v1/contract-settings", json=conf | {"expiry_days": 0}).status_code == 422
    r = admin.put("/api/v1/contract-settings", json=conf | {"number_pattern": "SO-{yyyy}-{seq:04}", "expiry_days": 15})
    assert r.status_code == 200
    cid = _customer(session, ids)
    number = ar1.post("/api/v1/contracts", json={"name": "新格式", "customer_id": cid}).json()["number"]
    assert number.startswith("SO-") and len(number) == len("SO-2026-0001")


def test_custom_fields(session, ids, connection) -> None:
    from loam.kit.customfields import CustomFieldWrite, save_definition

    save_definition(
        session,
        CustomFieldWrite(
            entity="contract", key="project_code", label_zh="项目编码", label_en="Project code", field_type="text"
        ),
    )
    cid = _customer(session, ids)
    c = api("ar1")
    r = c.post(
        "/api/v1/contracts", json={"name": "自定义字段", "customer_id": cid, "custom": {"project_code": "GX-01"}}
    )
    assert r.status_code == 201 and r.json()["custom"] == {"project_code": "GX-01"}
    assert c.post("/api/v1/contracts", json={"name": "x", "customer_id": cid, "custom": {"nope": 1}}).status_code == 422
    found = c.get("/api/v1/contracts", params={"cf_project_code": "GX"}).json()["items"]
    assert [x["id"] for x in found] == [r.json()["id"]]
