"""The approval engine through its service: submit, steps, 会签/或签, empty steps, outcomes, lock, snapshots."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loam.approvals import flows, service
from loam.approvals.models import ApprovalInstance
from loam.approvals.schemas import FlowUpdate
from loam.errors import Conflict, Invalid, NotFound
from loam.kit.models import AuditLog
from tests.approvals.factories import CODE, make_doc, make_flow, notes, step
from tests.helpers import scope_of

DIRECTOR_OVER_1M = step(
    "销售总监审批", "role", role_code="director", conditions=[{"field": "amount", "op": "gt", "value": "1000000"}]
)


def _steps(session, inst):
    return [(s.position, s.status) for s in service.steps(session, inst)]


def _tasks(session, inst):
    return [(t.user_id, t.status) for t in service.tasks(session, inst)]


def test_no_active_flow_approves_at_once(session, ids, docs):
    doc = make_doc(session, docs, ids["ar1"])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc, comment="请批")
    assert inst.status == "approved" and inst.flow_id is None and inst.finished_at is not None
    assert docs.states_of(doc) == ["in_approval", "approved"]
    events = [e["action"] for e in _events(session, ids, inst)]
    assert events == ["submit", "auto_approve", "approved"]
    assert not service.is_locked(session, CODE, doc)


def _events(session, ids, inst):
    from loam.approvals import reads

    return reads.detail(session, scope_of(session, ids["admin"]), inst)["events"]


def test_step_conditions_decide_which_steps_apply(session, ids, docs, admin):
    make_flow(session, admin, [step("部门负责人审批", "dept_head"), DIRECTOR_OVER_1M])
    ar1 = scope_of(session, ids["ar1"])
    small = service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"], "1000000"))
    big = service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"], "1000000.01", name="大单客户"))
    assert _steps(session, small) == [(1, "active"), (2, "not_required")]
    assert _steps(session, big) == [(1, "active"), (2, "waiting")]
    director = scope_of(session, ids["director"])
    service.approve(session, director, small.id, "同意")
    assert small.status == "approved" and docs.states_of(small.doc_id)[-1] == "approved"
    service.approve(session, director, big.id)
    assert big.status == "pending" and _steps(session, big) == [(1, "approved"), (2, "active")]
    service.approve(session, director, big.id)
    assert big.status == "approved"


def test_flow_conditions_and_priority_pick_the_flow(session, ids, docs, admin):
    over = [{"field": "amount", "op": "ge", "value": "500000"}]
    make_flow(session, admin, [step("财务", "role", role_code="finance")], name="大额", priority=10, conditions=over)
    make_flow(session, admin, [step("部门", "dept_head")], name="普通", priority=20)
    make_flow(session, admin, [step("停用", "role", role_code="admin")], name="停用", priority=1, active=False)
    ar1 = scope_of(session, ids["ar1"])
    big = service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"], "500000"))
    small = service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"], "499999.99", name="小额"))
    assert big.flow_name == "大额" and _tasks(session, big) == [(ids["finance1"], "pending")]
    assert small.flow_name == "普通" and _tasks(session, small) == [(ids["director"], "pending")]


@pytest.mark.parametrize(
    ("kind", "op", "value", "actual", "expected"),
    [
        ("decimal", "eq", "1,000", "1000.00", True),
        ("decimal", "ne", "1000", "1000", False),
        ("decimal", "gt", "1000", "1000.01", True),
        ("decimal", "ge", "1000", "1000", True),
        ("decimal", "lt", "1000", "1000", False),
        ("decimal", "le", "1000", "999", True),
        ("int", "in", "1, 2，3", 3, True),
        ("int", "in", "1,2", 3, False),
        ("str", "eq", "telecom", "telecom", True),
        ("str", "in", "telecom, finance", "energy", False),
        ("date", "lt", "2027-01-01", "2026-12-31", True),
        ("date", "ge", "2027-01-01", "2026-12-31", False),
        ("decimal", "gt", "0", None, False),
        ("decimal", "ne", "0", None, True),
        ("decimal", "gt", "0", "not a number", False),
    ],
)
def test_condition_operators(kind, op, value, actual, expected):
    cond = {"field": "f", "op": op, "value": value}
    assert flows.holds(cond, {"f": actual}, {"f": kind}) is expected


def test_all_must_approve_in_countersign_mode(session, ids, docs, admin):
    make_flow(session, admin, [step("会签", "users", user_ids=[ids["director"], ids["sr1"]], mode="all")])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    service.approve(session, scope_of(session, ids["director"]), inst.id, "我同意")
    assert inst.status == "pending" and _tasks(session, inst) == [
        (ids["director"], "approved"),
        (ids["sr1"], "pending"),
    ]
    service.approve(session, scope_of(session, ids["sr1"]), inst.id)
    assert inst.status == "approved"
    assert docs.states_of(inst.doc_id) == ["in_approval", "approved"]


def test_first_decision_counts_in_or_mode(session, ids, docs, admin):
    make_flow(session, admin, [step("或签", "users", user_ids=[ids["director"], ids["sr1"]], mode="any")])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    service.approve(session, scope_of(session, ids["sr1"]), inst.id)
    assert inst.status == "approved"
    assert _tasks(session, inst) == [(ids["director"], "cancelled"), (ids["sr1"], "approved")]
    with pytest.raises(Conflict):  # the other approver comes too late
        service.approve(session, scope_of(session, ids["director"]), inst.id)


def test_a_step_with_nobody_is_skipped_or_sent_to_the_administrators(session, ids, docs, admin):
    make_flow(
        session,
        admin,
        [
            step("三级主管", "supervisor", level=3, when_empty="skip"),
            step("二级主管", "supervisor", level=2, when_empty="admin"),
        ],
    )
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    assert _steps(session, inst) == [(1, "skipped"), (2, "active")]
    tasks = service.tasks(session, inst)
    assert [(t.user_id, t.reason) for t in tasks] == [(ids["admin"], "admin")]
    assert [e["action"] for e in _events(session, ids, inst)] == ["submit", "skip", "escalate"]
    assert len(notes(session, ids["admin"], "approval_pending")) == 1
    service.approve(session, admin, inst.id)
    assert inst.status == "approved"


def test_every_step_empty_and_skipped_approves(session, ids, docs, admin):
    make_flow(session, admin, [step("无人", "role", role_code="finance", when_empty="skip")])
    from loam.org import service as org_service

    org_service.deactivate_user(session, admin, ids["finance1"])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    assert inst.status == "approved" and _steps(session, inst) == [(1, "skipped")]


def test_reject_ends_the_approval_and_sends_the_document_back(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head"), DIRECTOR_OVER_1M])
    doc = make_doc(session, docs, ids["ar1"], "2000000")
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc)
    service.reject(session, scope_of(session, ids["director"]), inst.id, "价格太低")
    assert inst.status == "rejected" and _steps(session, inst) == [(1, "rejected"), (2, "waiting")]
    assert docs.states_of(doc) == ["in_approval", "rejected"]
    rejected = notes(session, ids["ar1"], "approval_rejected")
    assert len(rejected) == 1 and rejected[0].params["comment"] == "价格太低"
    assert not service.is_locked(session, CODE, doc)
    again = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc)  # a rejected document can resubmit
    assert again.id != inst.id and again.status == "pending"


def test_send_back_reruns_the_earlier_step(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head"), step("财务", "role", role_code="finance")])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    director, finance = scope_of(session, ids["director"]), scope_of(session, ids["finance1"])
    with pytest.raises(Invalid):  # nothing earlier to go back to
        service.send_back(session, director, inst.id, 1)
    service.approve(session, director, inst.id)
    with pytest.raises(Invalid):
        service.send_back(session, finance, inst.id, 2)
    service.send_back(session, finance, inst.id, 1, "请补充材料")
    assert inst.status == "pending" and inst.current_step == 1
    assert _steps(session, inst) == [(1, "active"), (2, "waiting")]
    assert len(notes(session, ids["director"], "approval_pending")) == 2
    assert notes(session, ids["ar1"], "approval_returned")[0].params["comment"] == "请补充材料"
    service.approve(session, director, inst.id)
    service.approve(session, finance, inst.id)
    assert inst.status == "approved"
    actions = [e["action"] for e in _events(session, ids, inst)]
    assert actions.count("return") == 1 and actions[-1] == "approved"


def test_withdraw_by_the_submitter_only(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head")])
    doc = make_doc(session, docs, ids["ar1"])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc)
    from loam.errors import Forbidden

    with pytest.raises(Forbidden):
        service.withdraw(session, scope_of(session, ids["director"]), inst.id)
    service.withdraw(session, scope_of(session, ids["ar1"]), inst.id, "改一下金额")
    assert inst.status == "withdrawn" and docs.states_of(doc) == ["in_approval", "withdrawn"]
    assert _tasks(session, inst) == [(ids["director"], "cancelled")]
    assert notes(session, ids["director"], "approval_withdrawn")[0].params["user"] == "李明"
    with pytest.raises(Conflict):
        service.withdraw(session, scope_of(session, ids["ar1"]), inst.id)


def test_delegate_hands_the_task_over(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head")])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    director = scope_of(session, ids["director"])
    with pytest.raises(Invalid):
        service.delegate(session, director, inst.id, ids["director"])
    service.delegate(session, director, inst.id, ids["sr1"], "我出差，请陈静审批")
    assert _tasks(session, inst) == [(ids["director"], "delegated"), (ids["sr1"], "pending")]
    assert notes(session, ids["sr1"], "approval_delegated")[0].params["user"] == "王建国"
    with pytest.raises(Conflict):  # the director's part is done
        service.approve(session, director, inst.id)
    service.approve(session, scope_of(session, ids["sr1"]), inst.id)
    assert inst.status == "approved"


def test_copied_users_are_told_and_may_read(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head")])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    finance = scope_of(session, ids["finance1"])
    with pytest.raises(NotFound):  # finance1 cannot see ar1's customer and takes no part yet
        service.get(session, finance, inst.id)
    assert service.add_cc(session, scope_of(session, ids["ar1"]), inst.id, [ids["finance1"], ids["finance1"]]) == [
        ids["finance1"]
    ]
    assert service.add_cc(session, scope_of(session, ids["director"]), inst.id, [ids["finance1"]]) == []
    assert service.get(session, finance, inst.id).id == inst.id
    assert len(notes(session, ids["finance1"], "approval_cc")) == 1
    service.approve(session, scope_of(session, ids["director"]), inst.id)
    assert len(notes(session, ids["finance1"], "approval_approved")) == 1
    assert len(notes(session, ids["ar1"], "approval_approved")) == 1


def test_the_document_is_locked_while_pending(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head")])
    doc = make_doc(session, docs, ids["ar1"])
    assert service.pending(session, CODE, doc) is None
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc)
    assert service.is_locked(session, CODE, doc) and service.pending(session, CODE, doc).id == inst.id
    with pytest.raises(Conflict):
        service.submit(session, scope_of(session, ids["ar1"]), CODE, doc)
    service.approve(session, scope_of(session, ids["director"]), inst.id)
    assert not service.is_locked(session, CODE, doc)


def test_chosen_approvers_are_required_and_used(session, ids, docs, admin):
    make_flow(session, admin, [step("指定审批人", "chosen")])
    doc = make_doc(session, docs, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    assert service.chooser_steps(session, CODE, doc) == [{"position": 1, "name": "指定审批人"}]
    with pytest.raises(Invalid):
        service.submit(session, ar1, CODE, doc)
    assert docs.changes == []  # nothing was written
    inst = service.submit(session, ar1, CODE, doc, {1: [ids["fr1"]]})
    assert _tasks(session, inst) == [(ids["fr1"], "pending")]


def test_editing_or_deleting_a_flow_never_changes_running_approvals(session, ids, docs, admin):
    flow = make_flow(session, admin, [step("部门", "dept_head"), step("财务", "role", role_code="finance")])
    ar1 = scope_of(session, ids["ar1"])
    running = service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"]))
    data = FlowUpdate.model_validate(
        {"name": "改过的", "steps": [step("总监", "role", role_code="director")], "version": flow.version}
    )
    flows.update_flow(session, admin, flow.id, data)
    assert flow.revision == 2
    service.approve(session, scope_of(session, ids["director"]), running.id)
    assert running.current_step == 2 and _tasks(session, running)[-1] == (ids["finance1"], "pending")
    assert running.flow_revision == 1 and len(running.flow_snapshot["steps"]) == 2
    fresh = service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"], name="新客户"))
    assert fresh.flow_revision == 2 and fresh.flow_name == "改过的" and len(service.steps(session, fresh)) == 1
    flows.delete_flow(session, admin, flow.id)
    session.flush()
    session.refresh(running)
    assert running.flow_id is None and running.status == "pending"
    service.approve(session, scope_of(session, ids["finance1"]), running.id)
    assert running.status == "approved"


def test_state_changes_are_audited_and_notified(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head")])
    doc = make_doc(session, docs, ids["ar1"])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc, comment="请批")
    service.approve(session, scope_of(session, ids["director"]), inst.id, "同意")
    session.flush()
    rows = session.scalars(select(AuditLog).where(AuditLog.entity == "approval", AuditLog.entity_id == inst.id))
    assert [(r.action, r.user_id) for r in rows] == [
        ("submit", ids["ar1"]),
        ("approve", ids["director"]),
        ("approved", ids["director"]),
    ]
    domain = session.scalars(
        select(AuditLog.note).where(
            AuditLog.entity == "customer", AuditLog.entity_id == doc, AuditLog.action == "status"
        )
    )
    assert list(domain) == ["in_approval", "approved"]
    pending = notes(session, ids["director"], "approval_pending")
    assert len(pending) == 1 and pending[0].entity_id == inst.id and "审批测试客户" in pending[0].params["document"]
    assert session.get(ApprovalInstance, inst.id).version >= 2


def test_unknown_type_missing_document_and_long_comment_are_refused(session, ids, docs):
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid):
        service.submit(session, ar1, "nope", 1)
    with pytest.raises(NotFound):
        service.submit(session, ar1, CODE, 2_000_000_000)
    with pytest.raises(Invalid):
        service.submit(session, ar1, CODE, make_doc(session, docs, ids["ar1"]), comment="长" * 2001)
