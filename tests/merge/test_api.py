"""The merge API: candidates, merge, history, undo; access (R28) and error statuses."""

from __future__ import annotations

from loam.kit.models import AuditLog
from loam.merge.models import Merge
from tests.contacts.factories import make_lead
from tests.helpers import api, client, make_customer
from tests.merge.factories import count, customer_pair


def test_anonymous_is_401(connection):
    anon = client()
    assert anon.get("/api/v1/merges/candidates").status_code == 401
    assert anon.get("/api/v1/merges").status_code == 401
    assert anon.post("/api/v1/merges", json={}).status_code == 401
    assert anon.post("/api/v1/merges/1/undo").status_code == 401


def test_ar_without_records_merge_gets_403_and_nothing_is_written(session, ids):
    pair = customer_pair(session, ids)
    ar1 = api("ar1")
    assert ar1.get("/api/v1/merges/candidates", params={"entity": "customer"}).status_code == 403
    assert ar1.get("/api/v1/merges").status_code == 403
    before = count(session, AuditLog)
    body = {"entity": "customer", "survivor_id": pair.survivor.id, "merged_ids": [pair.merged.id]}
    r = ar1.post("/api/v1/merges", json=body)
    assert r.status_code == 403 and r.json()["error"]
    assert count(session, AuditLog) == before and count(session, Merge) == 0
    assert ar1.get(f"/api/v1/customers/{pair.merged.id}").status_code == 200


def test_director_finds_merges_lists_and_undoes(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    director = api("director")
    r = director.get("/api/v1/merges/candidates", params={"entity": "customer"})
    assert r.status_code == 200
    group = next(g for g in r.json()["groups"] if {x["id"] for x in g["records"]} == {s.id, m.id})
    assert group["matches"][0]["kind"] == "name"
    body = {"entity": "customer", "survivor_id": s.id, "merged_ids": [m.id], "fields": {"phone": m.id}}
    r = director.post("/api/v1/merges", json=body)
    assert r.status_code == 201, r.text
    merge = r.json()
    assert merge["survivor_id"] == s.id and merge["merged_ids"] == [m.id] and merge["undone_at"] is None
    assert director.get(f"/api/v1/customers/{s.id}").json()["phone"] == "13907710001"
    assert director.get(f"/api/v1/customers/{m.id}").status_code == 404
    assert director.post("/api/v1/merges", json=body).status_code == 404  # stale: already merged away
    listed = director.get("/api/v1/merges").json()
    assert merge["id"] in {x["id"] for x in listed["items"]}
    bin_items = director.get("/api/v1/recycle", params={"entity": "customer"}).json()["items"]
    assert next(i for i in bin_items if i["id"] == m.id)["merged_into"] == s.id
    assert api("ar2").get(f"/api/v1/merges/{merge['id']}").status_code == 404
    r = director.post(f"/api/v1/merges/{merge['id']}/undo")
    assert r.status_code == 200 and r.json()["undone_at"] is not None
    assert director.get(f"/api/v1/customers/{m.id}").status_code == 200
    assert director.get(f"/api/v1/customers/{s.id}").json()["phone"] == "0771-5551234"
    assert director.post(f"/api/v1/merges/{merge['id']}/undo").status_code == 409
    assert director.post("/api/v1/merges/999999/undo").status_code == 404


def test_bad_requests_are_422(session, ids):
    c1 = make_customer(session, ids["ar1"], "四二二甲")
    lead = make_lead(session, ids["ar1"], "四二二乙")
    director = api("director")
    bodies = [
        {"entity": "customer", "survivor_id": c1.id, "merged_ids": [c1.id]},  # into itself
        {"entity": "customer", "survivor_id": c1.id, "merged_ids": [f"lead:{lead.id}"]},  # mixing kinds
        {"entity": "customer", "survivor_id": c1.id, "merged_ids": []},
        {"entity": "invoice", "survivor_id": c1.id, "merged_ids": [2]},
        {"entity": "customer", "survivor_id": c1.id, "merged_ids": [2], "fields": {"phone": 3}},
    ]
    for body in bodies:
        r = director.post("/api/v1/merges", json=body)
        assert r.status_code == 422, (body, r.text)
    assert count(session, Merge) == 0
    assert director.get("/api/v1/merges/candidates", params={"entity": "invoice"}).status_code == 422


def test_out_of_scope_record_is_404(session, ids):
    mine = make_customer(session, ids["ar1"], "范围内客户")
    foreign = make_customer(session, ids["admin"], "范围内客户")
    body = {"entity": "customer", "survivor_id": mine.id, "merged_ids": [foreign.id]}
    assert api("director").post("/api/v1/merges", json=body).status_code == 404
    assert count(session, Merge) == 0


def test_not_duplicates_hides_a_pair_until_the_mark_is_removed(session, ids):
    a = make_customer(session, ids["ar1"], "桂林山水旅游有限公司")
    b = make_customer(session, ids["ar1"], "桂林山水旅游")
    c = make_customer(session, ids["ar2"], "桂林山水旅游股份有限公司")
    director = api("director")

    def group_of(x: int) -> set[int]:
        groups = director.get("/api/v1/merges/candidates", params={"entity": "customer"}).json()["groups"]
        return next(({r["id"] for r in g["records"]} for g in groups if x in {r["id"] for r in g["records"]}), set())

    assert group_of(a.id) == {a.id, b.id, c.id}
    before = count(session, AuditLog)
    assert (
        api("ar1").post("/api/v1/merges/dismissals", json={"entity": "customer", "ids": [a.id, b.id]}).status_code
        == 403
    )
    assert director.post("/api/v1/merges/dismissals", json={"entity": "customer", "ids": [a.id]}).status_code == 422
    assert (
        director.post("/api/v1/merges/dismissals", json={"entity": "customer", "ids": [a.id, 10**9]}).status_code == 404
    )
    assert count(session, AuditLog) == before
    r = director.post("/api/v1/merges/dismissals", json={"entity": "customer", "ids": [a.id, b.id, c.id]})
    assert r.status_code == 201 and r.json()["pairs_added"] == 3
    assert group_of(a.id) == set() and group_of(c.id) == set()
    again = director.post("/api/v1/merges/dismissals", json={"entity": "customer", "ids": [b.id, a.id]})
    assert again.json()["pairs_added"] == 0
    assert count(session, AuditLog) == before + 3  # one "not_duplicate" row per record, none for the repeat
    listed = director.get("/api/v1/merges/dismissals", params={"entity": "customer"}).json()
    assert listed["total"] == 3
    assert api("ar1").get("/api/v1/merges/dismissals").status_code == 403
    pair_ab = next(d for d in listed["items"] if {d["low_id"], d["high_id"]} == {a.id, b.id})
    assert director.delete(f"/api/v1/merges/dismissals/{pair_ab['id']}").status_code == 204
    assert group_of(a.id) == {a.id, b.id}  # a and b pair again; c stays apart from both
    assert director.delete(f"/api/v1/merges/dismissals/{pair_ab['id']}").status_code == 404


def test_a_pair_out_of_scope_is_404(session, ids):
    a = make_customer(session, ids["admin"], "贺州石材有限公司")
    b = make_customer(session, ids["admin"], "贺州石材")
    r = api("admin").post("/api/v1/merges/dismissals", json={"entity": "customer", "ids": [a.id, b.id]})
    assert r.status_code == 201
    row = api("admin").get("/api/v1/merges/dismissals").json()["items"][0]
    director = api("director")  # the admin's customers are outside the director's department
    assert director.delete(f"/api/v1/merges/dismissals/{row['id']}").status_code == 404
    assert row["id"] not in {d["id"] for d in director.get("/api/v1/merges/dismissals").json()["items"]}
