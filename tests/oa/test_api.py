"""The OA JSON API: strict bodies, 422 per field, scope, the status actions, and the type administration."""

from __future__ import annotations

from sqlalchemy.orm import Session

from loam.org import service as org_service
from loam.org.schemas import RoleWrite, UserCreate
from tests import helpers
from tests.oa.factories import LEAVE, make_request

BASE = "/api/v1/oa/requests"


def test_create_read_update_submit_withdraw(session, ids) -> None:
    c = helpers.api("ar1")
    r = c.post(
        BASE,
        json={
            "type": "trip",
            "title": "北京出差",
            "values": {
                "destination": "北京",
                "start": "2027-02-01",
                "end": "2027-02-03",
                "days": 3,
                "estimated_cost": 4500.5,
            },
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "draft" and body["owner_id"] == ids["ar1"]
    assert body["amount"] == "4500.50" and body["days"] == "3.00" and body["values"]["days"] == "3"
    rid = body["id"]
    put = c.put(f"{BASE}/{rid}", json={"title": "北京出差（改）", "values": body["values"], "version": body["version"]})
    assert put.status_code == 200 and put.json()["version"] == body["version"] + 1
    stale = c.put(f"{BASE}/{rid}", json={"title": "旧", "values": body["values"], "version": body["version"]})
    assert stale.status_code == 409
    sub = c.post(f"{BASE}/{rid}/submit", json={"comment": "请审批"})
    assert sub.status_code == 200 and sub.json()["status"] == "in_approval"
    assert c.delete(f"{BASE}/{rid}").status_code == 409
    assert helpers.api("director").post(f"{BASE}/{rid}/withdraw").status_code == 403  # not the submitter
    back = c.post(f"{BASE}/{rid}/withdraw", json={"comment": "改行程"})
    assert back.status_code == 200 and back.json()["status"] == "draft"
    assert c.delete(f"{BASE}/{rid}").status_code == 204
    assert c.get(f"{BASE}/{rid}").status_code == 404
    assert c.post(f"{BASE}/{rid}/restore").json()["id"] == rid


def test_bad_values_are_422_with_one_message_per_field(session, ids) -> None:
    c = helpers.api("ar1")
    r = c.post(BASE, json={"type": "expense", "title": "报销", "values": {"amount": "-5", "category": "飞机"}})
    assert r.status_code == 422
    detail = r.json()["fields"]
    assert set(detail) == {"values.amount", "values.category", "values.expense_date"}
    assert "报销金额" in detail["values.amount"] or "Amount" in detail["values.amount"]
    strict = c.post(BASE, json={"type": "leave", "title": "请假", "values": {**LEAVE, "days": True}})
    assert strict.status_code == 422  # a boolean is not a number
    extra = c.post(BASE, json={"type": "leave", "title": "请假", "values": LEAVE, "owner_id": ids["ar2"]})
    assert extra.status_code == 422  # server-owned fields are not taken from the body
    inactive = c.post(BASE, json={"type": "nosuch", "title": "x", "values": {}})
    assert inactive.status_code == 422


def test_list_filters_and_scope(session, ids) -> None:
    mine = make_request(session, ids["ar1"])
    theirs = make_request(session, ids["ar2"], title="张伟的年假")
    c = helpers.api("ar1")
    listed = {row["id"] for row in c.get(f"{BASE}?page_size=200").json()["items"]}
    assert mine.id in listed and theirs.id not in listed
    assert c.get(f"{BASE}/{theirs.id}").status_code == 404
    d = helpers.api("director")
    assert {mine.id, theirs.id} <= {row["id"] for row in d.get(f"{BASE}?page_size=200&type=leave").json()["items"]}
    assert mine.id not in {row["id"] for row in d.get(f"{BASE}?page_size=200&status=approved").json()["items"]}
    assert mine.id in {row["id"] for row in d.get(f"{BASE}?page_size=200&status=draft").json()["items"]}
    assert mine.id not in {row["id"] for row in d.get(f"{BASE}?mine=true").json()["items"]}
    assert c.get(f"{BASE}?status=bogus").status_code == 422


def _no_oa_user(session: Session, ids: dict[str, int]) -> str:
    role = org_service.add_role(
        session,
        helpers.scope_of(session, ids["admin"]),
        RoleWrite(code="viewer_no_oa", name_zh="只读", name_en="Read only", permissions=["customers.view"]),
    )
    org_service.create_user(
        session,
        UserCreate(
            username="nooa", display_name="无办公", password="loam-demo", department_id=None, role_ids=[role.id]
        ),
    )
    session.flush()
    return "nooa"


def test_filing_needs_oa_request(session, ids) -> None:
    user = _no_oa_user(session, ids)
    r = helpers.api(user).post(BASE, json={"type": "general", "title": "申请", "values": {}})
    assert r.status_code == 403
    assert helpers.api(user).get(BASE).json()["items"] == []


def test_types_read_for_everyone_managed_by_oa_manage(session, ids) -> None:
    c = helpers.api("ar1")
    types = c.get("/api/v1/oa/types").json()
    codes = [t["code"] for t in types]
    assert codes[:6] == ["general", "leave", "trip", "overtime", "expense", "loan"]
    leave = next(t for t in types if t["code"] == "leave")
    assert [f["key"] for f in leave["fields"]] == ["leave_kind", "start", "end", "days"]
    assert "年假" in leave["fields"][0]["choices"]
    new = {
        "code": "seal",
        "name_zh": "用印申请",
        "name_en": "Seal use",
        "fields": [
            {"key": "document", "label_zh": "用印文件", "label_en": "Document", "kind": "text", "required": True}
        ],
    }
    assert c.post("/api/v1/oa/types", json=new).status_code == 403
    admin = helpers.api("admin")
    made = admin.post("/api/v1/oa/types", json=new)
    assert made.status_code == 201, made.text
    assert admin.post("/api/v1/oa/types", json=new).status_code == 409  # the code is taken
    bad = {**new, "code": "seal2", "fields": [{**new["fields"][0], "kind": "select"}]}  # a select without choices
    assert admin.post("/api/v1/oa/types", json=bad).status_code == 422
    dup = {**new, "code": "seal3", "fields": [new["fields"][0], new["fields"][0]]}
    assert admin.post("/api/v1/oa/types", json=dup).status_code == 422
    tid, version = made.json()["id"], made.json()["version"]
    upd = {k: v for k, v in new.items() if k != "code"} | {"active": False, "version": version}
    assert admin.put(f"/api/v1/oa/types/{tid}", json=upd).json()["active"] is False
    assert admin.put(f"/api/v1/oa/types/{tid}", json=upd).status_code == 409  # stale
    assert admin.delete(f"/api/v1/oa/types/{tid}").status_code == 204


def test_a_type_in_use_is_deactivated_never_deleted(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    admin = helpers.api("admin")
    got = admin.get(f"/api/v1/oa/types/{r.type_id}").json()
    assert got["in_use"] is True
    assert admin.delete(f"/api/v1/oa/types/{r.type_id}").status_code == 409
    assert helpers.api("ar1").get(f"{BASE}/{r.id}").json()["type_code"] == "leave"


def test_openapi_documents_the_oa_endpoints() -> None:
    spec = helpers.client().get("/api/v1/openapi.json").json()
    assert {"/oa/requests", "/oa/requests/{request_id}", "/oa/requests/{request_id}/submit", "/oa/types"} <= set(
        spec["paths"]
    )
    create = spec["paths"]["/oa/requests"]["post"]
    assert "requestBody" in create and "422" in create["responses"]
