"""OA requests through the services: values checked against the type, status rules, versions, scope, and the
approval round trip through the real engine (the default flow and an amount condition)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from loam.approvals import service as approval_service
from loam.approvals.models import ApprovalStep, ApprovalTask
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.oa import service, types_service
from loam.oa.schemas import RequestCreate, RequestFilters, RequestUpdate
from tests.helpers import scope_of
from tests.oa.factories import LEAVE, expense, finance_flow, make_request


def _pending_tasks(session, request_id: int) -> list[ApprovalTask]:
    instance = approval_service.pending(session, "oa_request", request_id)
    assert instance is not None
    stmt = select(ApprovalTask).where(ApprovalTask.instance_id == instance.id, ApprovalTask.status == "pending")
    return list(session.scalars(stmt))


def test_create_checks_values_and_extracts_days(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    assert r.status == "draft" and r.owner_id == ids["ar1"] and r.type_code == "leave"
    assert r.values == LEAVE and r.days == Decimal("3.00") and r.amount is None
    logged = session.scalars(select(AuditLog).where(AuditLog.entity == "oa_request", AuditLog.entity_id == r.id))
    assert [a.action for a in logged] == ["create"]


def test_money_field_fills_the_amount(session, ids) -> None:
    r = expense(session, ids["ar1"], "8000.5")
    assert r.amount == Decimal("8000.50") and r.values["amount"] == "8000.50" and r.days is None


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({**LEAVE, "leave_kind": "旷工"}, "leave_kind"),  # not one of the choices
        ({k: v for k, v in LEAVE.items() if k != "start"}, "start"),  # required
        ({**LEAVE, "days": "abc"}, "days"),
        ({**LEAVE, "days": "-1"}, "days"),
        ({**LEAVE, "days": "1.234"}, "days"),
        ({**LEAVE, "start": "next monday"}, "start"),
        ({**LEAVE, "end": "2027-01-03T09:00"}, "end"),  # before the start
        ({**LEAVE, "colour": "blue"}, "colour"),  # no such field
    ],
)
def test_bad_values_are_a_422_naming_the_field(session, ids, values, bad) -> None:
    scope = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid) as err:
        service.create(session, scope, RequestCreate(type="leave", title="请假", values=values))
    assert set(err.value.detail) == {f"values.{bad}"}


def test_an_inactive_or_unknown_type_takes_no_new_requests(session, ids) -> None:
    admin = scope_of(session, ids["admin"])
    leave = next(t for t in types_service.list_types(session, admin) if t.code == "leave")
    types_service.set_active(session, admin, leave.id, False)
    scope = scope_of(session, ids["ar1"])
    for code in ("leave", "nosuch"):
        with pytest.raises(Invalid):
            service.create(session, scope, RequestCreate(type=code, title="请假", values=LEAVE))


def test_general_requests_need_only_a_title(session, ids) -> None:
    r = make_request(session, ids["ar1"], "general", {}, title="申请使用大会议室", content="周五下午客户交流")
    assert r.values == {} and r.content == "周五下午客户交流"


def test_stale_version_is_a_409_and_changes_nothing(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    scope = scope_of(session, ids["ar1"])
    service.update(session, scope, r.id, RequestUpdate(title="年假（改）", values=LEAVE, version=r.version))
    with pytest.raises(Conflict):
        service.update(session, scope, r.id, RequestUpdate(title="旧版本", values=LEAVE, version=1))
    assert service.get(session, scope, r.id).title == "年假（改）"


def test_only_the_submitter_changes_it_others_in_scope_get_403_out_of_scope_404(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    data = RequestUpdate(title="改", values=LEAVE, version=r.version)
    with pytest.raises(Forbidden):
        service.update(session, scope_of(session, ids["director"]), r.id, data)
    with pytest.raises(NotFound):
        service.update(session, scope_of(session, ids["ar2"]), r.id, data)
    with pytest.raises(NotFound):
        service.delete_(session, scope_of(session, ids["finance1"]), r.id)
    assert service.get(session, scope_of(session, ids["ar1"]), r.id).title == "年假申请"


def test_lists_obey_the_data_scope(session, ids) -> None:
    mine = make_request(session, ids["ar1"])
    other = make_request(session, ids["ar2"], title="张伟的年假")
    listed = {
        u: {r.id for r in service.list_page(session, scope_of(session, ids[u]), RequestFilters(), 1, 200)[0]}
        for u in ("ar1", "ar2", "director", "finance1")
    }
    assert mine.id in listed["ar1"] and other.id not in listed["ar1"]
    assert other.id in listed["ar2"] and mine.id not in listed["ar2"]
    assert {mine.id, other.id} <= listed["director"]  # both are in his department
    assert not {mine.id, other.id} & listed["finance1"]
    director = scope_of(session, ids["director"])
    only_mine = service.list_page(session, director, RequestFilters(mine=True), 1, 200)[0]
    assert {mine.id, other.id}.isdisjoint({r.id for r in only_mine})
    by_type = service.list_page(session, director, RequestFilters(type="expense"), 1, 200)[0]
    assert mine.id not in {r.id for r in by_type}


def test_leave_round_trip_through_the_default_flow(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    ar1, director = scope_of(session, ids["ar1"]), scope_of(session, ids["director"])
    service.submit(session, ar1, r.id)
    assert r.status == "in_approval" and r.submitted_at is not None
    assert [t.user_id for t in _pending_tasks(session, r.id)] == [ids["director"]]  # head of 广西电信系统部
    with pytest.raises(Conflict):  # locked while in approval
        service.update(session, ar1, r.id, RequestUpdate(title="改", values=LEAVE, version=r.version))
    with pytest.raises(Conflict):
        service.delete_(session, ar1, r.id)
    instance = approval_service.pending(session, "oa_request", r.id)
    approval_service.approve(session, director, instance.id, "同意")
    session.flush()
    assert r.status == "approved" and r.finished_at is not None
    with pytest.raises(Conflict):
        service.update(session, ar1, r.id, RequestUpdate(title="改", values=LEAVE, version=r.version))
    actions = session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "oa_request", AuditLog.entity_id == r.id).order_by(AuditLog.id)
    )
    assert list(actions) == ["create", "submit", "approve"]


def test_rejected_goes_back_for_editing_and_withdrawn_to_draft(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    ar1, director = scope_of(session, ids["ar1"]), scope_of(session, ids["director"])
    service.submit(session, ar1, r.id)
    approval_service.reject(session, director, approval_service.pending(session, "oa_request", r.id).id, "时间冲突")
    session.flush()
    assert r.status == "rejected"
    service.update(session, ar1, r.id, RequestUpdate(title="年假（改期）", values=LEAVE, version=r.version))
    service.submit(session, ar1, r.id)
    assert r.status == "in_approval"
    service.withdraw(session, ar1, r.id, "不请了")
    assert r.status == "draft"
    with pytest.raises(Conflict):
        service.withdraw(session, ar1, r.id)


def test_amount_condition_adds_the_finance_step(session, ids) -> None:
    finance_flow(session, scope_of(session, ids["admin"]))
    ar1, director = scope_of(session, ids["ar1"]), scope_of(session, ids["director"])
    finance1 = scope_of(session, ids["finance1"])
    big, small = expense(session, ids["ar1"], "8000"), expense(session, ids["ar1"], "3000")
    for r in (big, small):
        service.submit(session, ar1, r.id)
        approval_service.approve(session, director, approval_service.pending(session, "oa_request", r.id).id)
        session.flush()
    assert small.status == "approved"  # the finance step was not required
    assert big.status == "in_approval"
    assert [t.user_id for t in _pending_tasks(session, big.id)] == [ids["finance1"]]
    steps = session.scalars(select(ApprovalStep).order_by(ApprovalStep.id))
    assert {s.status for s in steps if s.position == 2} >= {"active", "not_required"}
    # finance1 is out of the OA data scope but, as the approver, may read the request; ar2 may not
    assert service.get(session, finance1, big.id).id == big.id
    with pytest.raises(NotFound):
        service.get(session, scope_of(session, ids["ar2"]), big.id)
    approval_service.approve(session, finance1, approval_service.pending(session, "oa_request", big.id).id)
    session.flush()
    assert big.status == "approved"


def test_submit_checks_the_values_against_the_current_type(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    admin = scope_of(session, ids["admin"])
    from loam.oa.schemas import TypeUpdate

    leave = types_service.get_type(session, admin, r.type_id)
    fields = [
        *leave.fields,
        {
            "key": "handover",
            "label_zh": "工作交接人",
            "label_en": "Handover to",
            "kind": "text",
            "required": True,
            "choices": [],
        },
    ]
    data = TypeUpdate(name_zh=leave.name_zh, name_en=leave.name_en, fields=fields, version=leave.version)
    types_service.update_type(session, admin, leave.id, data)
    with pytest.raises(Invalid) as err:
        service.submit(session, scope_of(session, ids["ar1"]), r.id)
    assert "values.handover" in err.value.detail
    assert r.status == "draft"


def test_recycle_bin_delete_restore_purge(session, ids) -> None:
    from loam.recycle import service as recycle

    r = make_request(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    service.delete_(session, ar1, r.id)
    with pytest.raises(NotFound):
        service.get(session, ar1, r.id)
    assert r.id in {x.id for x in recycle.list_deleted(session, ar1, "oa_request", 1, 200)[0]}
    assert r.id not in {x.id for x in recycle.list_deleted(session, scope_of(session, ids["ar2"]), "oa_request")[0]}
    assert recycle.can_restore(ar1, "oa_request")
    with pytest.raises(Forbidden):  # the director sees it in the bin but only the submitter restores it
        recycle.restore(session, scope_of(session, ids["director"]), "oa_request", r.id)
    recycle.restore(session, ar1, "oa_request", r.id)
    assert service.get(session, ar1, r.id).deleted_at is None
    service.delete_(session, ar1, r.id)
    with pytest.raises(Forbidden):
        recycle.purge(session, ar1, "oa_request", r.id)
    recycle.purge(session, scope_of(session, ids["admin"]), "oa_request", r.id)
    session.flush()
    assert r.id not in {x.id for x in recycle.list_deleted(session, ar1, "oa_request", 1, 200)[0]}
    assert session.get(type(r), r.id) is None
