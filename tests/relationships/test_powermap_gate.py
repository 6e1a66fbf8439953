"""The power map as a required input of the major-opportunity gate (项目立项没有权力地图不予通过): the opportunity's
map (overlay roles, else account roles) must name a decision maker and an approver."""

from __future__ import annotations

import subprocess
import sys

import pytest

from loam.approvals import service as approval_service
from loam.errors import Conflict
from loam.opportunities import gate
from loam.relationships import powermap
from tests.helpers import api, scope_of
from tests.opportunities.test_gate import ready_opportunity
from tests.relationships.powermap_helpers import link, person, set_profile


@pytest.fixture(autouse=True)
def _registered():
    powermap.register_gate_requirement()  # another test may have replaced the key with a stand-in


def test_the_requirement_is_registered_wherever_the_gate_is_evaluated():
    """A fresh interpreter that imports only the gate (as a job or the CLI would) sees the power-map input."""
    code = "from loam.opportunities import gate; print(','.join(r.key for r in gate.requirements()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.split(",") == ["amount", "expected_close", "decision_maker", "competition", "products", "power_map"]
    req = {r.key: r for r in gate.requirements()}["power_map"]
    assert req.label == "A power map naming a decision maker and an approver" and req.check is powermap.names_deciders


def test_submit_without_a_power_map_is_refused_then_passes(session, ids):
    o = ready_opportunity(
        session, ids, "权力地图立项", with_approver=False
    )  # every built-in input met; 黄处长 is the deal's decision maker
    st = gate.state(session, o)
    assert [(r.key, ok) for r, ok in st.inputs if not ok] == [("power_map", False)]
    c = api("ar1")
    r = c.post(f"/api/v1/opportunities/{o.id}/gate/submit", headers={"Accept-Language": "en"})
    assert r.status_code == 409, r.text
    assert r.json()["fields"] == {"gate": ["power_map"]}
    assert "A power map naming a decision maker and an approver" in r.json()["detail"]
    assert approval_service.pending(session, "opportunity", o.id) is None and o.gate_status == "none"

    # an approver on the account map, opposed to us: the gate asks that the map names them, not that they support us
    approver = person(session, ids, o.customer_id, "周局长", level="executive", decision_role="approver", support=-2)
    assert powermap.names_deciders(session, o)
    assert powermap.status(session, o.customer_id, o.id) == "red"
    r = c.post(f"/api/v1/opportunities/{o.id}/gate/submit", json={"comment": "请审批"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending"
    assert {i["key"]: i["ok"] for i in r.json()["inputs"]}["power_map"] is True
    assert approver.id


def test_overlay_roles_win_over_account_roles_for_the_gate(session, ids):
    o = ready_opportunity(session, ids, "覆盖角色立项", with_approver=False)
    boss = person(session, ids, o.customer_id, "周局长", decision_role="approver", support=1)
    assert powermap.names_deciders(session, o)
    link(session, ids, o.id, boss.id, "evaluator")  # in this deal the account's approver only evaluates
    assert not powermap.names_deciders(session, o)
    with pytest.raises(Conflict) as err:
        gate.submit(session, scope_of(session, ids["ar1"]), o.id)
    assert err.value.detail == {"gate": ["power_map"]}
    link(session, ids, o.id, boss.id, None)  # linked without a deal role: the account role counts again
    assert powermap.names_deciders(session, o)


def test_a_departed_approver_does_not_count(session, ids):
    from datetime import date

    from loam.relationships import profiles

    o = ready_opportunity(session, ids, "离职审批人", with_approver=False)
    boss = person(session, ids, o.customer_id, "周局长", decision_role="approver")
    assert powermap.names_deciders(session, o)
    profiles.mark_departed(session, scope_of(session, ids["ar1"]), boss.id, date(2026, 12, 1))
    assert not powermap.names_deciders(session, o)
    other = person(session, ids, o.customer_id, "吴处长")
    set_profile(session, ids, other.id, decision_role="approver")
    assert powermap.names_deciders(session, o)
