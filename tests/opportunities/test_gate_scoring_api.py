"""API of the major-opportunity gate (立项) and of the learned win probability, with their access rules."""

from __future__ import annotations

from decimal import Decimal

from loam.approvals import service as approval_service
from loam.opportunities import pipelines
from tests.helpers import api, client, scope_of
from tests.opportunities.factories import default_stages, make_opportunity
from tests.opportunities.test_gate import big_opportunity, ready_opportunity
from tests.opportunities.test_scoring import configure, data_set


def test_gate_read_tick_submit_and_the_refused_move(session, ids):
    st = default_stages(session)
    o = big_opportunity(session, ids)
    c = api("ar1")
    r = c.get(f"/api/v1/opportunities/{o.id}/gate")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["required"], body["status"], body["gate_amount"], body["currency"]) == (
        True,
        "none",
        "5000000.00",
        "CNY",
    )
    assert body["gate_stage_id"] == st["Needs analysis"].id and body["gate_stage_name"] == "需求分析"
    assert [(i["key"], i["ok"]) for i in body["inputs"]][:2] == [("amount", True), ("expected_close", False)]
    assert not body["ready"] and not body["can_submit"] and body["approval_id"] is None
    r = c.post(f"/api/v1/opportunities/{o.id}/move", json={"stage_id": st["Proposal / quote"].id})
    assert r.status_code == 409 and "5,000,000.00 CNY" in r.json()["detail"]
    assert r.json()["fields"]["gate"] == ["expected_close", "decision_maker", "competition", "products", "power_map"]
    r = c.post(f"/api/v1/opportunities/{o.id}/gate/submit")
    assert r.status_code == 409 and r.json()["fields"]["gate"][0] == "expected_close"
    r = c.put(f"/api/v1/opportunities/{o.id}/gate", json={"no_competitor": True})
    assert r.status_code == 200 and r.json()["no_competitor"] is True
    assert {i["key"]: i["ok"] for i in r.json()["inputs"]}["competition"] is True
    assert c.put(f"/api/v1/opportunities/{o.id}/gate", json={"no_competitor": "yes"}).status_code == 422
    ready = ready_opportunity(session, ids, "接口立项")
    r = c.post(f"/api/v1/opportunities/{ready.id}/gate/submit", json={"comment": "请审批"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending" and r.json()["locked"] and r.json()["approval_id"]
    assert approval_service.pending(session, "opportunity", ready.id).id == r.json()["approval_id"]
    current = c.get(f"/api/v1/opportunities/{ready.id}").json()
    edit = {"name": "改个名字", "customer_id": current["customer_id"], "amount": current["amount"]}
    r = c.put(f"/api/v1/opportunities/{ready.id}", json=edit | {"amount": "1.00", "version": current["version"]})
    assert r.status_code == 409 and "amount" in r.json()["fields"]
    r = c.put(f"/api/v1/opportunities/{ready.id}", json=edit | {"version": current["version"]})
    assert r.status_code == 200 and r.json()["amount"] == "6000000.00"  # other fields stay editable
    approval_id = c.get(f"/api/v1/opportunities/{ready.id}/gate").json()["approval_id"]
    r = api("director").post(f"/api/v1/approvals/{approval_id}/approve", json={"comment": "同意"})
    assert r.status_code == 200, r.text
    assert c.get(f"/api/v1/opportunities/{ready.id}/gate").json()["status"] == "approved"
    r = c.post(f"/api/v1/opportunities/{ready.id}/move", json={"stage_id": st["Proposal / quote"].id})
    assert r.status_code == 200 and r.json()["stage_id"] == st["Proposal / quote"].id


def test_gate_access(session, ids):
    o = ready_opportunity(session, ids, "权限立项")
    assert client().get(f"/api/v1/opportunities/{o.id}/gate").status_code == 401
    for outsider in ("ar2", "finance1"):
        c = api(outsider)
        assert c.get(f"/api/v1/opportunities/{o.id}/gate").status_code == 404
        assert c.post(f"/api/v1/opportunities/{o.id}/gate/submit").status_code == 404
        assert c.put(f"/api/v1/opportunities/{o.id}/gate", json={"no_competitor": True}).status_code == 404
    from loam.opportunities import team
    from loam.opportunities.schemas import TeamMemberWrite

    team.add(session, scope_of(session, ids["ar1"]), o.id, TeamMemberWrite(user_id=ids["sr1"], access="read"))
    session.flush()
    reader = api("sr1")
    assert reader.get(f"/api/v1/opportunities/{o.id}/gate").json()["can_submit"] is False
    assert reader.post(f"/api/v1/opportunities/{o.id}/gate/submit").status_code == 403
    assert api("ar1").get(f"/api/v1/opportunities/{o.id}/gate").json()["can_submit"] is True
    assert api("ar1").get("/api/v1/opportunities/999999/gate").status_code == 404


def test_pipeline_gate_settings_through_the_pipeline_api(session, ids):
    st = default_stages(session)
    pipeline = pipelines.get_pipeline(session, st["Qualify"].pipeline_id)
    url = f"/api/v1/pipelines/{pipeline.id}/gate"
    body = {"gate_amount": "2000000", "gate_stage_id": st["Proposal / quote"].id, "version": pipeline.version}
    assert api("ar1").put(url, json=body).status_code == 403
    c = api("director")
    got = c.get(f"/api/v1/pipelines/{pipeline.id}").json()
    assert (got["gate_amount"], got["gate_stage_id"]) == ("5000000.00", st["Needs analysis"].id)
    r = c.put(url, json=body)
    assert r.status_code == 200, r.text
    assert (r.json()["gate_amount"], r.json()["gate_stage_id"], r.json()["version"]) == (
        "2000000.00", st["Proposal / quote"].id, pipeline.version + 1,
    )  # fmt: skip
    assert c.put(url, json=body).status_code == 409  # stale
    bad = body | {"gate_stage_id": st["Won"].id, "version": r.json()["version"]}
    assert c.put(url, json=bad).status_code == 422
    assert c.put(url, json=body | {"gate_amount": "-5", "version": r.json()["version"]}).status_code == 422
    assert c.put(url, json=body | {"extra": 1, "version": r.json()["version"]}).status_code == 422
    assert c.put("/api/v1/pipelines/999999/gate", json=body).status_code == 404


def test_scoring_model_api(session, ids):
    c = api("director")
    r = c.get("/api/v1/opportunities/scoring")
    assert r.status_code == 200 and r.json()["status"] == "never" and r.json()["min_closed"] == 20
    assert r.json()["amount_bands"] == ["100000.00", "1000000.00", "10000000.00"]
    assert [f["key"] for f in r.json()["available"]][-1] == "stages"
    assert api("finance1").get("/api/v1/opportunities/scoring").status_code == 200  # readable by viewers
    assert client().get("/api/v1/opportunities/scoring").status_code == 401
    body = {"features": ["source", "stages"], "amount_bands": [], "min_closed": 4, "version": r.json()["version"]}
    assert api("ar1").put("/api/v1/opportunities/scoring", json=body).status_code == 403
    assert c.put("/api/v1/opportunities/scoring", json=body | {"features": ["nope"]}).status_code == 422
    assert c.put("/api/v1/opportunities/scoring", json=body | {"min_closed": 1}).status_code == 422
    r = c.put("/api/v1/opportunities/scoring", json=body)
    assert r.status_code == 200 and r.json()["features"] == ["source", "stages"] and r.json()["version"] == 2
    assert c.put("/api/v1/opportunities/scoring", json=body).status_code == 409
    opp = data_set(session, ids)
    assert api("ar1").post("/api/v1/opportunities/scoring/run").status_code == 403
    r = c.post("/api/v1/opportunities/scoring/run")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["closed_count"], r.json()["scored_count"]) == ("ok", 6, 4)
    r = api("ar1").get(f"/api/v1/opportunities/{opp['A'].id}/probability")
    assert r.status_code == 200 and r.json()["computed_probability"] == 67
    first = r.json()["factors"][0]
    assert (first["feature"], first["value"], first["won"], first["lost"], first["ratio"]) == (
        "source",
        "referral",
        2,
        1,
        1.5,
    )
    assert first["feature_label"] and first["value_label"]
    assert api("ar1").get(f"/api/v1/opportunities/{opp['A'].id}").json()["computed_probability"] == 67
    assert api("ar2").get(f"/api/v1/opportunities/{opp['A'].id}/probability").status_code == 404


def test_probability_note_when_nothing_is_computed(session, ids):
    configure(session, ids, ["source"], min_closed=30)
    o = make_opportunity(session, ids["ar1"], "没有分数", amount=Decimal("10.00"))
    api("director").post("/api/v1/opportunities/scoring/run")
    r = api("ar1").get(f"/api/v1/opportunities/{o.id}/probability")
    assert r.status_code == 200 and r.json()["computed_probability"] is None and r.json()["factors"] == []
    assert "30" in r.json()["note"]
