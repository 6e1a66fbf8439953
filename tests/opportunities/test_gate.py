"""The major-opportunity gate (立项): threshold, gate stage, required inputs, the project approval, the lock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loam.approvals import service as approval_service
from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.opportunities import details, gate, pipelines, service, team
from loam.opportunities.models import DEFAULT_GATE_AMOUNT
from loam.opportunities.pipeline_schemas import GateSettingsWrite, PipelineWrite
from loam.opportunities.schemas import (
    CompetitorWrite,
    ContactLinkWrite,
    GateInputsWrite,
    GateSubmit,
    OpportunityUpdate,
    TeamMemberWrite,
)
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of
from tests.opportunities.factories import default_stages, make_opportunity, reason
from tests.products.factories import line, make_product

BIG = Decimal("6000000.00")


def big_opportunity(session, ids, name="自治区政务云二期", amount=BIG, **fields):
    return make_opportunity(session, ids["ar1"], name, amount=amount, **fields)


def ready_opportunity(session, ids, name="自治区政务云二期", amount=BIG, with_approver=True):
    """A big opportunity with every input of the gate met (without the approver, the power map is not)."""
    product = make_product(session, ids["admin"], code=f"G-{name[-2:]}-{amount}", name="核心路由器")
    o = big_opportunity(session, ids, name, amount=amount, expected_close="2027-06-30", lines=[line(product.id, "2")])
    ar1 = scope_of(session, ids["ar1"])
    contact = make_contact(session, ids["ar1"], o.customer_id, "黄处长")
    details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=contact.id, role="decision_maker"))
    if with_approver:  # the power map names an approver too
        approver = make_contact(session, ids["ar1"], o.customer_id, "周局长")
        details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=approver.id, role="approver"))
    details.add_competitor(session, ar1, o.id, CompetitorWrite(name="中兴通讯"))
    session.flush()
    return o


def _update(o, **changes):
    fields = {k: getattr(o, k) for k in OpportunityUpdate.model_fields if k not in ("custom", "lines", "version")}
    return OpportunityUpdate(**(fields | {"version": o.version} | changes))


def _approve(session, ids, o):
    instance = approval_service.pending(session, "opportunity", o.id)
    assert instance is not None
    approval_service.approve(session, scope_of(session, ids["director"]), instance.id, "同意立项")
    session.flush()
    return instance


def test_defaults_threshold_and_gate_stage(session, ids):
    st = default_stages(session)
    pipeline = pipelines.get_pipeline(session, st["Qualify"].pipeline_id)
    assert pipeline.gate_amount == DEFAULT_GATE_AMOUNT == Decimal("5000000.00")
    assert pipeline.gate_stage_id == st["Needs analysis"].id
    small = make_opportunity(session, ids["ar1"], "小单", amount=Decimal("4999999.99"))
    assert not gate.state(session, small).required
    exactly = big_opportunity(session, ids, "刚好五百万", amount=Decimal("5000000.00"))
    assert gate.state(session, exactly).required and exactly.gate_status == "none"


def test_a_big_opportunity_may_not_pass_the_gate_stage_until_approved(session, ids):
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    o = big_opportunity(session, ids)
    service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id)  # up to the gate stage is free
    for target in ("Proposal / quote", "Negotiation"):
        with pytest.raises(Conflict) as err:
            service.move_to_stage(session, ar1, o.id, st[target].id)
        assert err.value.detail["gate_status"] == "none"
        assert err.value.detail["gate"] == ["expected_close", "decision_maker", "competition", "products", "power_map"]
        assert "5,000,000.00 CNY" in err.value.message and "需求分析" in err.value.message
        assert _("the project approval has not been submitted") in err.value.message
    with pytest.raises(Conflict):
        service.move_to_stage(session, ar1, o.id, st["Won"].id, note="签了")  # won is past the gate too
    assert o.stage_id == st["Needs analysis"].id
    small = make_opportunity(session, ids["ar1"], "小单")
    service.move_to_stage(session, ar1, small.id, st["Negotiation"].id)
    assert small.stage_id == st["Negotiation"].id


def test_lost_and_invalid_are_always_allowed(session, ids):
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    lost = big_opportunity(session, ids, "输掉的大单")
    service.move_to_stage(session, ar1, lost.id, st["Lost"].id, lost_reason_id=reason(session, "lost"))
    invalid = big_opportunity(session, ids, "无效的大单")
    service.move_to_stage(session, ar1, invalid.id, st["Invalid"].id, lost_reason_id=reason(session, "invalid"))
    assert (lost.status, invalid.status) == ("lost", "invalid")


def test_starting_past_the_gate_is_refused_and_the_system_move_is_not_gated(session, ids):
    st = default_stages(session)
    with pytest.raises(Conflict):
        big_opportunity(session, ids, "直接谈判", stage_id=st["Negotiation"].id)
    o = big_opportunity(session, ids, "合同已批")
    service.mark_won_by_contract(session, Scope.system(), o.id, "HT-202612-00001")
    assert o.status == "won"


def test_required_inputs_and_submit_refused_while_missing(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    o = big_opportunity(session, ids)
    st = gate.state(session, o)
    assert [(r.key, ok) for r, ok in st.inputs] == [
        ("amount", True),
        ("expected_close", False),
        ("decision_maker", False),
        ("competition", False),
        ("products", False),
        ("power_map", False),
    ]
    with pytest.raises(Conflict) as err:
        gate.submit(session, ar1, o.id)
    assert err.value.detail == {"gate": ["expected_close", "decision_maker", "competition", "products", "power_map"]}
    assert approval_service.pending(session, "opportunity", o.id) is None and o.gate_status == "none"
    contact = make_contact(session, ids["ar1"], o.customer_id, "黄处长")
    details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=contact.id, role="evaluator"))
    assert not {r.key: ok for r, ok in gate.evaluate(session, o)}["decision_maker"]
    details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=contact.id, role="decision_maker"))
    gate.set_inputs(session, ar1, o.id, GateInputsWrite(no_competitor=True))  # the explicit tick counts
    assert o.no_competitor and {r.key: ok for r, ok in gate.evaluate(session, o)}["competition"]
    assert [h.changes for h in audit.history(session, "opportunity", o.id) if "no_competitor" in h.changes]
    with pytest.raises(Conflict) as err:
        gate.submit(session, ar1, o.id)
    assert err.value.detail == {"gate": ["expected_close", "products", "power_map"]}
    ready = ready_opportunity(session, ids, "齐全的大单")
    assert gate.state(session, ready).ready and gate.state(session, ready).submittable


def test_a_registered_requirement_joins_the_gate(session, ids):
    def site_survey(_session, opportunity):
        return "现场勘查" in (opportunity.remark or "")

    gate.register_requirement("site_survey", "A site survey is recorded", site_survey)
    try:
        ar1 = scope_of(session, ids["ar1"])
        o = ready_opportunity(session, ids)
        st = gate.state(session, o)
        assert [r.key for r, _ok in st.inputs][-1] == "site_survey" and not st.ready
        with pytest.raises(Conflict) as err:
            gate.submit(session, ar1, o.id)
        assert err.value.detail == {"gate": ["site_survey"]}
        o = service.update(session, ar1, o.id, _update(o, remark="现场勘查已完成"))
        gate.submit(session, ar1, o.id, GateSubmit(comment="请审批"))
        assert o.gate_status == "pending"
    finally:
        gate.unregister_requirement("site_survey")
    assert "site_survey" not in [r.key for r in gate.requirements()]
    assert "power_map" in [r.key for r in gate.requirements()]  # registered by loam.relationships.powermap


def test_approve_through_the_approvals_service_then_the_move_passes(session, ids):
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    o = ready_opportunity(session, ids)
    read = gate.as_dict(session, ar1, gate.submit(session, ar1, o.id, GateSubmit(comment="请审批")))
    assert read["status"] == "pending" and read["locked"] and not read["can_submit"] and read["approval_id"]
    with pytest.raises(Conflict) as err:
        service.move_to_stage(session, ar1, o.id, st["Proposal / quote"].id)
    assert err.value.detail["gate_status"] == "pending"
    with pytest.raises(Conflict):
        gate.submit(session, ar1, o.id)  # already in approval
    instance = _approve(session, ids, o)
    assert instance.status == "approved" and o.gate_status == "approved" and o.gate_decided_at is not None
    actions = [(h.action, h.changes.get("gate_status")) for h in audit.history(session, "opportunity", o.id)]
    assert ("gate", ["pending", "approved"]) in actions and ("gate", ["none", "pending"]) in actions
    service.move_to_stage(session, ar1, o.id, st["Proposal / quote"].id)
    assert o.stage_id == st["Proposal / quote"].id
    with pytest.raises(Conflict):
        gate.submit(session, ar1, o.id)  # approved already
    o = service.update(session, ar1, o.id, _update(o, amount=Decimal("7000000.00")))  # unlocked again
    assert o.amount == Decimal("7000000.00")


def test_reject_keeps_blocking_and_the_approval_may_be_resubmitted(session, ids):
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    o = ready_opportunity(session, ids)
    gate.submit(session, ar1, o.id)
    instance = approval_service.pending(session, "opportunity", o.id)
    approval_service.reject(session, scope_of(session, ids["director"]), instance.id, "预算未落实")
    session.flush()
    assert o.gate_status == "rejected" and o.gate_decided_at is not None
    with pytest.raises(Conflict) as err:
        service.move_to_stage(session, ar1, o.id, st["Negotiation"].id)
    assert err.value.detail == {"gate": [], "gate_status": "rejected"}
    assert _("the project approval was rejected") in err.value.message
    gate.submit(session, ar1, o.id)
    assert o.gate_status == "pending" and o.gate_decided_at is None
    approval_service.withdraw(session, ar1, approval_service.pending(session, "opportunity", o.id).id, "再完善")
    session.flush()
    assert o.gate_status == "none" and not gate.is_locked(session, o.id)


def test_locked_while_in_approval(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    o = ready_opportunity(session, ids)
    gate.submit(session, ar1, o.id)
    other = make_customer(session, ids["ar1"], "另一个客户")
    for change in ({"amount": Decimal("9000000.00")}, {"currency": "USD"}, {"customer_id": other.id}):
        with pytest.raises(Conflict) as err:
            service.update(session, ar1, o.id, _update(o, **change))
        assert list(err.value.detail) == list(change)
    o = service.update(session, ar1, o.id, _update(o, name="自治区政务云二期（改名）"))  # other fields stay editable
    assert o.name.endswith("（改名）") and o.amount == BIG
    with pytest.raises(Conflict):
        service.delete_(session, scope_of(session, ids["director"]), o.id)
    assert o.deleted_at is None


def test_submit_needs_write_access(session, ids):
    o = ready_opportunity(session, ids)
    for outsider in ("ar2", "finance1"):
        with pytest.raises(NotFound):
            gate.submit(session, scope_of(session, ids[outsider]), o.id)
        with pytest.raises(NotFound):
            gate.read(session, scope_of(session, ids[outsider]), o.id)
    team.add(session, scope_of(session, ids["ar1"]), o.id, TeamMemberWrite(user_id=ids["sr1"], access="read"))
    sr1 = scope_of(session, ids["sr1"])
    assert not gate.as_dict(session, sr1, gate.read(session, sr1, o.id))["can_submit"]
    with pytest.raises(Forbidden):
        gate.submit(session, sr1, o.id)
    with pytest.raises(Forbidden):
        gate.set_inputs(session, sr1, o.id, GateInputsWrite(no_competitor=True))
    gate.submit(session, scope_of(session, ids["director"]), o.id)  # the owner's manager may
    assert o.gate_status == "pending"


def test_submit_only_when_needed_and_open(session, ids):
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    small = ready_opportunity(session, ids, "不需要立项", amount=Decimal("1000000.00"))
    with pytest.raises(Conflict):
        gate.submit(session, ar1, small.id)
    lost = ready_opportunity(session, ids, "已输的大单")
    service.move_to_stage(session, ar1, lost.id, st["Lost"].id, lost_reason_id=reason(session))
    with pytest.raises(Conflict):
        gate.submit(session, ar1, lost.id)


def test_pipeline_gate_settings(session, ids):
    st = default_stages(session)
    pipeline = pipelines.get_pipeline(session, st["Qualify"].pipeline_id)
    data = GateSettingsWrite(gate_amount="1000000", gate_stage_id=st["Proposal / quote"].id, version=pipeline.version)
    with pytest.raises(Forbidden):
        gate.update_settings(session, scope_of(session, ids["ar1"]), pipeline.id, data)
    director = scope_of(session, ids["director"])
    gate.update_settings(session, director, pipeline.id, data)
    assert (pipeline.gate_amount, pipeline.gate_stage_id) == (Decimal("1000000.00"), st["Proposal / quote"].id)
    assert next(h.action for h in audit.history(session, "pipeline", pipeline.id)) == "gate"
    with pytest.raises(Conflict):
        gate.update_settings(session, director, pipeline.id, data)  # stale version
    for bad in (st["Won"].id, st["Lost"].id):
        with pytest.raises(Invalid):
            gate.update_settings(
                session,
                director,
                pipeline.id,
                data.model_copy(update={"gate_stage_id": bad, "version": pipeline.version}),
            )
    ar1 = scope_of(session, ids["ar1"])
    o = make_opportunity(session, ids["ar1"], "一百五十万", amount=Decimal("1500000.00"))
    service.move_to_stage(session, ar1, o.id, st["Proposal / quote"].id)  # the gate stage moved later
    with pytest.raises(Conflict):
        service.move_to_stage(session, ar1, o.id, st["Negotiation"].id)
    gate.update_settings(
        session,
        director,
        pipeline.id,
        GateSettingsWrite(gate_amount="1000000", gate_stage_id=None, version=pipeline.version),
    )
    service.move_to_stage(session, ar1, o.id, st["Negotiation"].id)  # no gate stage: no gate
    assert o.stage_id == st["Negotiation"].id


def test_a_new_pipeline_gates_at_needs_analysis_and_a_deleted_gate_stage_moves_the_gate(session, ids):
    system = Scope.system()
    created = pipelines.create_pipeline(session, system, PipelineWrite(name_zh="行业项目", name_en="Industry"))
    stages = {s.name_en: s for s in pipelines.stages_of(session, created.id)}
    assert created.gate_stage_id == stages["Needs analysis"].id and created.gate_amount == DEFAULT_GATE_AMOUNT
    assert pipelines.remove_stage(session, system, stages["Needs analysis"].id) == "deleted"
    assert created.gate_stage_id == stages["Qualify"].id  # the same stages stay behind the gate
    assert pipelines.remove_stage(session, system, stages["Proposal / quote"].id) == "deleted"
    assert created.gate_stage_id == stages["Qualify"].id
