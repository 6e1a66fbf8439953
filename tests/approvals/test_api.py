"""The JSON API: the inbox, one approval and its actions, and the flow administration."""

from __future__ import annotations

from loam.approvals import service
from tests.approvals.factories import CODE, make_doc, make_flow, step
from tests.helpers import api, scope_of


def _submitted(session, ids, docs, admin, steps=None, amount="1000"):
    make_flow(session, admin, steps or [step("部门", "dept_head"), step("财务", "role", role_code="finance")])
    doc = make_doc(session, docs, ids["ar1"], amount)
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc, comment="请审批")
    session.flush()
    return inst


def test_inbox_tabs_and_counts(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    director = api("director")
    r = director.get("/api/v1/approvals")
    assert r.status_code == 200
    body = r.json()
    assert [i["id"] for i in body["items"]] == [inst.id] and body["total"] == 1
    assert body["items"][0]["current_step_name"] == "部门" and body["items"][0]["submitter_name"] == "李明"
    assert director.get("/api/v1/approvals/counts").json() == {"pending": 1, "done": 0, "submitted": 0, "cc": 0}
    assert director.post(f"/api/v1/approvals/{inst.id}/approve", json={"comment": "同意"}).status_code == 200
    assert director.get("/api/v1/approvals/counts").json()["done"] == 1
    done = director.get("/api/v1/approvals", params={"box": "done"}).json()["items"]
    assert done[0]["task_status"] == "approved" and done[0]["decided_at"]
    ar1 = api("ar1")
    assert [i["id"] for i in ar1.get("/api/v1/approvals", params={"box": "submitted"}).json()["items"]] == [inst.id]
    assert ar1.get("/api/v1/approvals").json()["total"] == 0  # nothing awaits ar1
    assert api("finance1").get("/api/v1/approvals", params={"doc_type": CODE}).json()["total"] == 1
    assert ar1.post(f"/api/v1/approvals/{inst.id}/cc", json={"user_ids": [ids["sr1"]]}).status_code == 200
    assert api("sr1").get("/api/v1/approvals", params={"box": "cc"}).json()["items"][0]["id"] == inst.id


def test_inbox_refuses_unknown_and_bad_parameters(session, ids, docs):
    c = api("ar1")
    assert c.get("/api/v1/approvals", params={"boxx": "pending"}).status_code == 422
    assert c.get("/api/v1/approvals", params={"box": "everything"}).status_code == 422
    assert c.get("/api/v1/approvals", params={"doc_type": "nope"}).status_code == 422
    assert c.get("/api/v1/approvals", params={"status": "approved", "page": 2, "page_size": 200}).status_code == 200


def test_detail_and_actions(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    director = api("director")
    r = director.get(f"/api/v1/approvals/{inst.id}")
    assert r.status_code == 200
    body = r.json()
    assert body["actions"] == ["approve", "reject", "delegate", "cc"]
    assert [s["status"] for s in body["steps"]] == ["active", "waiting"]
    assert body["events"][0]["action"] == "submit" and body["events"][0]["comment"] == "请审批"
    assert api("ar1").get(f"/api/v1/approvals/{inst.id}").json()["actions"] == ["cc", "withdraw"]
    assert director.post(f"/api/v1/approvals/{inst.id}/approve", json={}).json()["current_step"] == 2
    finance = api("finance1")
    r = finance.post(f"/api/v1/approvals/{inst.id}/return", json={"to_step": 1, "comment": "补材料"})
    assert r.status_code == 200 and r.json()["current_step"] == 1
    assert finance.post(f"/api/v1/approvals/{inst.id}/return", json={"to_step": 1}).status_code == 409  # done
    r = director.post(f"/api/v1/approvals/{inst.id}/delegate", json={"user_id": ids["sr1"]})
    assert r.status_code == 200
    sr1 = api("sr1")
    assert sr1.post(f"/api/v1/approvals/{inst.id}/approve", json={"comment": "代批"}).status_code == 200
    r = finance.post(f"/api/v1/approvals/{inst.id}/reject", json={"comment": "不符合"})
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["actions"] == []
    assert docs.states_of(inst.doc_id) == ["in_approval", "rejected"]


def test_withdraw_and_refusals(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    director, ar1 = api("director"), api("ar1")
    assert ar1.post(f"/api/v1/approvals/{inst.id}/approve", json={}).status_code == 403
    assert director.post(f"/api/v1/approvals/{inst.id}/withdraw", json={}).status_code == 403
    assert director.post(f"/api/v1/approvals/{inst.id}/delegate", json={"user_id": ids["director"]}).status_code == 422
    assert director.post(f"/api/v1/approvals/{inst.id}/return", json={"to_step": 0}).status_code == 422
    assert director.post(f"/api/v1/approvals/{inst.id}/approve", json={"comment": "x" * 2001}).status_code == 422
    assert director.post(f"/api/v1/approvals/{inst.id}/approve", json={"extra": 1}).status_code == 422
    r = ar1.post(f"/api/v1/approvals/{inst.id}/withdraw", json={"comment": "撤回修改"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert director.post(f"/api/v1/approvals/{inst.id}/approve", json={}).status_code == 409
    assert ar1.post(f"/api/v1/approvals/{inst.id}/cc", json={"user_ids": [ids["sr1"]]}).status_code == 409


def test_not_visible_is_404(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    ar2 = api("ar2")
    assert ar2.get(f"/api/v1/approvals/{inst.id}").status_code == 404
    assert ar2.post(f"/api/v1/approvals/{inst.id}/approve", json={}).status_code == 404
    assert ar2.post(f"/api/v1/approvals/{inst.id}/withdraw", json={}).status_code == 404
    assert api("ar1").get("/api/v1/approvals/999999999").status_code == 404
    # the document's approvals: for those who may see the document
    assert [i["id"] for i in api("director").get(f"/api/v1/approvals/documents/{CODE}/{inst.doc_id}").json()] == [
        inst.id
    ]
    assert ar2.get(f"/api/v1/approvals/documents/{CODE}/{inst.doc_id}").status_code == 404


def _flow_body(**kw):
    return {"doc_type": CODE, "name": "接口创建", "steps": [step("总监", "role", role_code="director")]} | kw


def test_flow_crud(session, ids, docs):
    c = api("admin")
    types = c.get("/api/v1/approval-document-types").json()
    assert {"code": CODE, "label": "客户", "fields": docs_fields()} in types
    assert {t["code"] for t in types} >= {CODE}
    r = c.post("/api/v1/approval-flows", json=_flow_body(conditions=[{"field": "amount", "op": "ge", "value": "10"}]))
    assert r.status_code == 201, r.text
    flow = r.json()
    assert flow["revision"] == 1 and flow["steps"][0]["role_code"] == "director"
    assert [f["id"] for f in c.get("/api/v1/approval-flows", params={"doc_type": CODE}).json()] == [flow["id"]]
    assert c.get(f"/api/v1/approval-flows/{flow['id']}").json()["name"] == "接口创建"
    update = _flow_body(version=flow["version"], name="改名")
    update.pop("doc_type")
    r = c.put(f"/api/v1/approval-flows/{flow['id']}", json=update)
    assert r.status_code == 200 and r.json()["revision"] == 2 and r.json()["name"] == "改名"
    assert c.put(f"/api/v1/approval-flows/{flow['id']}", json=update).status_code == 409  # stale version
    assert c.delete(f"/api/v1/approval-flows/{flow['id']}").status_code == 204
    assert c.get(f"/api/v1/approval-flows/{flow['id']}").status_code == 404


def docs_fields():
    return {"amount": "decimal", "industry": "str", "employees": "int", "signed_on": "date"}


def test_flow_validation(session, ids, docs):
    c = api("admin")
    bad = [
        _flow_body(doc_type="nope"),
        _flow_body(steps=[]),
        _flow_body(steps=[step("无人", "users")]),
        _flow_body(steps=[step("假角色", "role", role_code="ghost")]),
        _flow_body(conditions=[{"field": "ghost", "op": "eq", "value": "1"}]),
        _flow_body(conditions=[{"field": "amount", "op": "gt", "value": "很多"}]),
        _flow_body(conditions=[{"field": "industry", "op": "gt", "value": "a"}]),
        _flow_body(conditions=[{"field": "signed_on", "op": "in", "value": " , "}]),
        _flow_body(steps=[step("主管", "supervisor", level=11)]),
        _flow_body(steps=[step("", "dept_head")]),
        _flow_body(mode="all"),
    ]
    for body in bad:
        r = c.post("/api/v1/approval-flows", json=body)
        assert r.status_code == 422, (body, r.text)
    assert c.get("/api/v1/approval-flows", params={"doc_type": CODE}).json() == []


def test_flows_need_approvals_manage(session, ids, docs):
    director = api("director")
    assert director.get("/api/v1/approval-flows").status_code == 403
    assert director.post("/api/v1/approval-flows", json=_flow_body()).status_code == 403
    assert director.get("/api/v1/approval-flows/1").status_code == 403
    assert director.get("/api/v1/approval-document-types").status_code == 403
    assert api("admin").get("/api/v1/approval-flows", params={"bogus": "1"}).status_code == 422


def test_the_migration_seeds_editable_default_flows(session, ids):
    flows = {f["doc_type"]: f for f in api("admin").get("/api/v1/approval-flows").json()}
    contract = flows["contract"]["steps"]
    assert [(s["approver_kind"], s["mode"]) for s in contract] == [("dept_head", "any"), ("role", "any")]
    assert contract[1]["role_code"] == "director"
    assert contract[1]["conditions"] == [{"field": "amount", "op": "gt", "value": "1000000"}]
    assert [(s["approver_kind"], s["role_code"]) for s in flows["receivable"]["steps"]] == [("role", "finance")]
    assert [(s["approver_kind"], s["role_code"]) for s in flows["opportunity"]["steps"]] == [("role", "director")]
