"""The JSON API of plans, receipts (allocations, submit, ageing, totals) and invoices."""

from __future__ import annotations

from datetime import timedelta

from loam.receivables import dates
from tests.helpers import api, scope_of
from tests.receivables.factories import make_contract


def test_plans_api_single_batch_recurring_and_the_409_figures(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    ar1 = api("ar1")
    r = ar1.post(
        "/api/v1/receivable-plans",
        json={"contract_id": c.id, "due_on": "2027-01-31", "amount": "300", "milestone": "prepayment"},
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["number"] == 1 and plan["amount"] == "300.00" and plan["milestone"] == "prepayment"
    assert plan["contract_number"] == c.number and plan["owner_id"] == ids["ar1"] and plan["received"] == "0.00"
    rows = [
        {"due_on": "2027-02-28", "amount": "100", "site": "河池站"},
        {"due_on": "2027-03-31", "amount": "100", "site": "宜州站"},
    ]
    r = ar1.post("/api/v1/receivable-plans/batch", json={"contract_id": c.id, "rows": rows})
    assert r.status_code == 201 and [p["number"] for p in r.json()] == [2, 3]
    body = {"contract_id": c.id, "frequency": "quarterly", "first_due": "2027-04-30", "count": 3, "total": "500"}
    r = ar1.post("/api/v1/receivable-plans/recurring", json=body)
    assert r.status_code == 201, r.text
    assert [(p["due_on"], p["amount"]) for p in r.json()] == [
        ("2027-04-30", "166.66"),
        ("2027-07-30", "166.66"),
        ("2027-10-30", "166.68"),
    ]
    r = ar1.post("/api/v1/receivable-plans", json={"contract_id": c.id, "due_on": "2028-01-01", "amount": "0.01"})
    assert r.status_code == 409
    assert r.json()["fields"] == {
        "contract_amount": "1000.00",
        "planned": "1000.00",
        "requested": "0.01",
        "available": "0.00",
    }
    listed = ar1.get("/api/v1/receivable-plans", params={"contract_id": c.id, "sort": "-due_on", "page_size": 2}).json()
    assert listed["total"] >= 2 and [p["number"] for p in listed["items"]] == [6, 5]
    assert ar1.get("/api/v1/receivable-plans", params={"bogus": "1"}).status_code == 422
    # cf_<key> filters on custom fields, as on the other lists (an undefined key filters nothing); "custom" is no
    # query parameter.
    assert ar1.get("/api/v1/receivable-plans", params={"cf_x": "1"}).status_code == 200
    assert ar1.get("/api/v1/receivable-plans", params={"custom": "1"}).status_code == 422
    assert ar1.get("/api/v1/receivable-plans", params={"sort": "password"}).status_code == 422
    assert ar1.get("/api/v1/receivable-plans", params={"status": "late"}).status_code == 422
    assert (
        ar1.post(
            "/api/v1/receivable-plans", json={"contract_id": c.id, "due_on": "2027-01-31", "amount": "1.001"}
        ).status_code
        == 422
    )


def test_plan_update_delete_restore(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    ar1, director = api("ar1"), api("director")
    plan = ar1.post(
        "/api/v1/receivable-plans", json={"contract_id": c.id, "due_on": "2027-01-31", "amount": "300"}
    ).json()
    r = ar1.put(
        f"/api/v1/receivable-plans/{plan['id']}",
        json={"due_on": "2027-02-01", "amount": "400", "version": plan["version"]},
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    stale = ar1.put(
        f"/api/v1/receivable-plans/{plan['id']}", json={"due_on": "2027-02-01", "amount": "1", "version": 1}
    )
    assert stale.status_code == 409
    assert ar1.delete(f"/api/v1/receivable-plans/{plan['id']}").status_code == 403
    assert director.delete(f"/api/v1/receivable-plans/{plan['id']}").status_code == 204
    assert ar1.get(f"/api/v1/receivable-plans/{plan['id']}").status_code == 404
    assert director.post(f"/api/v1/receivable-plans/{plan['id']}/restore").status_code == 200
    assert ar1.get(f"/api/v1/receivable-plans/{plan['id']}/payments").json() == []


def test_receipts_allocations_submit_and_totals(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    ar1 = api("ar1")
    p1 = ar1.post(
        "/api/v1/receivable-plans", json={"contract_id": c.id, "due_on": "2027-01-31", "amount": "600"}
    ).json()
    p2 = ar1.post(
        "/api/v1/receivable-plans", json={"contract_id": c.id, "due_on": "2027-03-31", "amount": "400"}
    ).json()
    r = ar1.post(
        "/api/v1/receivables",
        json={
            "contract_id": c.id,
            "received_on": "2027-01-20",
            "amount": "700",
            "method": "acceptance_bill",
            "payer": "河池电信",
        },
    )
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["status"] == "draft" and receipt["allocated"] == "700.00" and receipt["currency"] == "CNY"
    allocations = ar1.get(f"/api/v1/receivables/{receipt['id']}/allocations").json()
    assert [(a["plan_id"], a["amount"]) for a in allocations] == [(p1["id"], "600.00"), (p2["id"], "100.00")]
    body = {
        "version": receipt["version"],
        "allocations": [{"plan_id": p2["id"], "amount": "400"}, {"plan_id": p1["id"], "amount": "300"}],
    }
    r = ar1.put(f"/api/v1/receivables/{receipt['id']}/allocations", json=body)
    assert r.status_code == 200 and {(a["plan_id"], a["amount"]) for a in r.json()} == {
        (p2["id"], "400.00"),
        (p1["id"], "300.00"),
    }
    over = {"version": 2, "allocations": [{"plan_id": p2["id"], "amount": "401"}]}
    assert ar1.put(f"/api/v1/receivables/{receipt['id']}/allocations", json=over).status_code == 409
    r = ar1.post(f"/api/v1/receivables/{receipt['id']}/submit", json={"comment": "请财务确认"})
    assert r.status_code == 200 and r.json()["status"] == "in_approval"
    assert ar1.post(f"/api/v1/receivables/{receipt['id']}/submit").status_code == 409
    assert (
        ar1.put(
            f"/api/v1/receivables/{receipt['id']}", json={"received_on": "2027-01-20", "amount": "1", "version": 3}
        ).status_code
        == 409
    )
    totals = ar1.get(f"/api/v1/receivables/contracts/{c.id}/totals").json()
    assert totals["received"] == "0.00" and totals["planned"] == "1000.00" and totals["outstanding"] == "1000.00"
    listed = ar1.get("/api/v1/receivables", params={"status": "in_approval", "contract_id": c.id}).json()
    assert [x["id"] for x in listed["items"]] == [receipt["id"]]
    assert api("ar2").get(f"/api/v1/receivables/contracts/{c.id}/totals").status_code == 404


def test_ageing_and_overdue_endpoints(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    ar1 = api("ar1")
    today = dates.today()
    for days, amount in ((10, "100"), (45, "200"), (100, "300")):
        body = {"contract_id": c.id, "due_on": (today - timedelta(days=days)).isoformat(), "amount": amount}
        assert ar1.post("/api/v1/receivable-plans", json=body).status_code == 201
    report = ar1.get("/api/v1/receivables/ageing").json()
    assert [(b["key"], b["count"], b["amount"]) for b in report["buckets"]] == [
        ("0-30", 1, "100.00"),
        ("31-60", 1, "200.00"),
        ("61-90", 0, "0.00"),
        ("90+", 1, "300.00"),
    ]
    assert report["count"] == 3 and report["amount"] == "600.00" and report["as_of"] == today.isoformat()
    past = ar1.get("/api/v1/receivables/ageing", params={"as_of": (today - timedelta(days=50)).isoformat()}).json()
    assert past["count"] == 1
    assert api("ar2").get("/api/v1/receivables/ageing").json()["count"] == 0
    assert ar1.get("/api/v1/receivables/ageing", params={"currency": "rmb"}).status_code == 422
    assert ar1.get("/api/v1/receivables/ageing", params={"nope": "1"}).status_code == 422
    top = ar1.get("/api/v1/receivables/overdue", params={"limit": 2}).json()
    assert [p["amount"] for p in top] == ["300.00", "200.00"] and top[0]["status"] == "overdue"
    overdue = ar1.get("/api/v1/receivable-plans", params={"status": "overdue", "contract_id": c.id}).json()
    assert overdue["total"] == 3


def test_invoices_api(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    ar1 = api("ar1")
    bad = ar1.post("/api/v1/invoices", json={"contract_id": c.id, "title": "抬头", "tax_number": "123", "amount": "10"})
    assert bad.status_code == 422
    r = ar1.post(
        "/api/v1/invoices",
        json={"contract_id": c.id, "title": "抬头", "tax_number": "91450100ma5l8xxx1y", "amount": "10"},
    )
    assert r.status_code == 201 and r.json()["tax_number"] == "91450100MA5L8XXX1Y"
    inv = r.json()
    r = ar1.post(
        f"/api/v1/invoices/{inv['id']}/issue",
        json={"version": 1, "issued_on": "2027-01-05", "invoice_number": "044069"},
    )
    assert r.status_code == 200 and r.json()["status"] == "issued"
    assert (
        ar1.put(
            f"/api/v1/invoices/{inv['id']}", json={"title": "x", "kind": "other", "amount": "1", "version": 2}
        ).status_code
        == 409
    )
    assert ar1.get("/api/v1/invoices", params={"status": "issued", "contract_id": c.id}).json()["total"] == 1
    assert api("director").delete(f"/api/v1/invoices/{inv['id']}").status_code == 204
    assert api("director").post(f"/api/v1/invoices/{inv['id']}/restore").status_code == 200


def test_create_without_permission_is_403(session, ids):
    """sr1 gets a role that sees every contract's receivables but may not record any: 403 (after the 404 check)."""
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import RoleWrite

    c = make_contract(session, ids["ar1"], "1000.00")
    role = org_service.add_role(
        session,
        scope_of(session, ids["admin"]),
        RoleWrite(
            code="recv_viewer",
            name_zh="回款只读",
            name_en="Receivables viewer",
            permissions=["receivables.view"],
            data_scopes={"receivables": 5},
        ),
    )
    org_service.set_user_roles(session, session.get(User, ids["sr1"]), [role.id])
    session.flush()
    viewer = api("sr1")
    assert viewer.get(f"/api/v1/receivables/contracts/{c.id}/totals").status_code == 200
    for path, body in (
        ("/api/v1/receivable-plans", {"contract_id": c.id, "due_on": "2027-01-31", "amount": "1"}),
        ("/api/v1/receivables", {"contract_id": c.id, "received_on": "2027-01-31", "amount": "1"}),
        ("/api/v1/invoices", {"contract_id": c.id, "title": "抬头", "kind": "other", "amount": "1"}),
    ):
        assert viewer.post(path, json=body).status_code == 403, path
    assert viewer.get("/api/v1/receivable-plans", params={"contract_id": c.id}).json()["total"] == 0
