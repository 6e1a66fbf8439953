from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.notifications.models import Notification
from loam.opportunities import batch, details, moves, pipelines, service, team
from loam.opportunities.pipeline_schemas import PipelineWrite
from loam.opportunities.schemas import (
    BatchRequest,
    CompetitorWrite,
    ContactLinkWrite,
    OpportunityCreate,
    OpportunityFilters,
    OpportunityUpdate,
    StageMoveFilters,
    TeamMemberWrite,
    TransferRequest,
)
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of
from tests.opportunities.factories import default_stages, make_opportunity, reason, set_stage


def _ids(items):
    return {x.id for x in items}


def _update(o, **changes):
    fields = {k: getattr(o, k) for k in OpportunityUpdate.model_fields if k not in ("custom", "lines", "version")}
    return OpportunityUpdate(**(fields | {"version": o.version} | changes))


def test_create_defaults_owner_stage_probability_and_entry_move(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"], "南宁政务云")
    assert (o.owner_id, o.department_id, o.created_by) == (ids["ar1"], ids["team1"], ids["ar1"])
    assert (o.stage_id, o.status, o.probability, o.probability_override) == (st["Qualify"].id, "open", 10, None)
    assert o.amount == Decimal("1000000.00") and o.currency == "CNY" and o.computed_probability is None
    moves_ = moves.history(session, o.id)
    assert [(m.from_stage_id, m.to_stage_id, m.user_id) for m in moves_] == [(None, st["Qualify"].id, ids["ar1"])]
    assert [h.action for h in audit.history(session, "opportunity", o.id)] == ["create"]


def test_create_needs_permission_and_a_visible_customer(session, ids):
    mine = make_customer(session, ids["ar1"], "甲客户")
    with pytest.raises(Forbidden):
        service.create(session, scope_of(session, ids["finance1"]), OpportunityCreate(name="x", customer_id=mine.id))
    with pytest.raises(Invalid) as err:
        service.create(session, scope_of(session, ids["ar2"]), OpportunityCreate(name="x", customer_id=mine.id))
    assert "customer_id" in err.value.detail


def test_create_in_a_later_stage_checks_its_requirements(session, ids):
    st = default_stages(session)
    set_stage(session, st["Needs analysis"], required_fields=["expected_close"])
    with pytest.raises(Conflict):
        make_opportunity(session, ids["ar1"], stage_id=st["Needs analysis"].id)
    o = make_opportunity(session, ids["ar1"], stage_id=st["Needs analysis"].id, expected_close="2027-03-31")
    assert o.stage_id == st["Needs analysis"].id and o.probability == 25
    with pytest.raises(Invalid):
        make_opportunity(session, ids["ar1"], stage_id=st["Won"].id)


def test_visibility_owner_scope_and_team(session, ids):
    o = make_opportunity(session, ids["ar1"])
    ar1, ar2, director, fin = (scope_of(session, ids[u]) for u in ("ar1", "ar2", "director", "finance1"))
    assert service.get(session, director, o.id).id == o.id
    for outsider in (ar2, fin):
        with pytest.raises(NotFound):
            service.get(session, outsider, o.id)
        assert o.id not in _ids(service.list_page(session, outsider, OpportunityFilters(), 1, 200)[0])
    team.add(session, ar1, o.id, TeamMemberWrite(user_id=ids["ar2"], access="read", role="SR"))
    ar2 = scope_of(session, ids["ar2"])
    assert service.get(session, ar2, o.id).id == o.id
    assert o.id in _ids(service.list_page(session, ar2, OpportunityFilters(), 1, 200)[0])
    with pytest.raises(Forbidden):
        service.update(session, ar2, o.id, _update(o, name="改名"))
    team.add(session, ar1, o.id, TeamMemberWrite(user_id=ids["ar2"], access="write", role="SR"))
    assert service.update(session, ar2, o.id, _update(o, name="改名")).name == "改名"
    with pytest.raises(Forbidden):  # write members do not own: no transfer, delete or team changes
        service.delete_(session, ar2, o.id)
    assert [m.role for m in team.members(session, ar1, o.id)] == ["SR"]


def test_move_records_stage_move_duration_probability_and_audit(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"])
    o.stage_entered_at = utcnow() - timedelta(hours=2)
    session.flush()
    ar1 = scope_of(session, ids["ar1"])
    service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id)
    assert (o.stage_id, o.probability, o.status) == (st["Needs analysis"].id, 25, "open")
    last = moves.history(session, o.id)[-1]
    assert (last.from_stage_id, last.to_stage_id, last.user_id) == (
        st["Qualify"].id,
        st["Needs analysis"].id,
        ids["ar1"],
    )
    assert 7190 <= last.duration_seconds <= 7300
    rows = audit.history(session, "opportunity", o.id)
    assert rows[0].action == "stage" and rows[0].changes["stage_id"] == [st["Qualify"].id, st["Needs analysis"].id]
    before = len(moves.history(session, o.id))
    service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id)  # same stage: nothing
    assert len(moves.history(session, o.id)) == before


def test_probability_override_and_stage_default(session, ids):
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    o = make_opportunity(session, ids["ar1"], probability_override=33)
    assert (o.probability, o.probability_override) == (33, 33)
    service.move_to_stage(session, ar1, o.id, st["Proposal / quote"].id)
    assert (o.probability, o.probability_override) == (50, None)
    service.move_to_stage(session, ar1, o.id, st["Negotiation"].id, probability=90)
    assert (o.probability, o.probability_override) == (90, 90)
    service.update(session, ar1, o.id, _update(o, probability_override=None))
    assert o.probability == 75


def test_required_fields_block_the_move_until_filled(session, ids):
    st = default_stages(session)
    set_stage(session, st["Needs analysis"], required_fields=["expected_close", "decision_maker", "competitors"])
    o = make_opportunity(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Conflict) as err:
        service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id)
    assert err.value.detail["fields"] == ["expected_close", "decision_maker", "competitors"]
    assert o.stage_id == st["Qualify"].id and len(moves.history(session, o.id)) == 1
    service.update(session, ar1, o.id, _update(o, expected_close="2027-01-31"))
    boss = make_contact(session, ids["ar1"], o.customer_id, "韦总")
    details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=boss.id, role="influencer"))
    with pytest.raises(Conflict) as err:
        service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id)
    assert err.value.detail["fields"] == ["decision_maker", "competitors"]
    details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=boss.id, role="decision_maker"))
    details.add_competitor(session, ar1, o.id, CompetitorWrite(name="友商A", quoted_price=Decimal("950000")))
    assert service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id).stage_id == st["Needs analysis"].id


def test_checklist_must_be_ticked_and_refused_ticks_are_not_kept(session, ids):
    st = default_stages(session)
    set_stage(session, st["Needs analysis"], checklist=["预算已确认", "决策链已识别"], required_fields=["remark"])
    o = make_opportunity(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Conflict) as err:
        service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id, checklist=["预算已确认", "决策链已识别"])
    assert err.value.detail == {"fields": ["remark"], "checklist": []}
    assert (o.checklist_done or {}).get(str(st["Needs analysis"].id)) in (None, [])
    service.update(session, ar1, o.id, _update(o, remark="需求明确"))
    with pytest.raises(Conflict) as err:
        service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id, checklist=["预算已确认", "不存在"])
    assert err.value.detail["checklist"] == ["决策链已识别"]
    service.tick_checklist(session, ar1, o.id, st["Needs analysis"].id, ["决策链已识别", "预算已确认"])
    assert o.checklist_done[str(st["Needs analysis"].id)] == ["预算已确认", "决策链已识别"]
    assert service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id).stage_id == st["Needs analysis"].id


def test_lost_invalid_need_a_listed_reason_won_needs_a_note_and_reopen(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid):
        service.move_to_stage(session, ar1, o.id, st["Lost"].id)
    with pytest.raises(Invalid):  # an "invalid" reason for a lost deal
        service.move_to_stage(session, ar1, o.id, st["Lost"].id, lost_reason_id=reason(session, "invalid"))
    lost = service.move_to_stage(session, ar1, o.id, st["Lost"].id, lost_reason_id=reason(session), note="价格高")
    assert (lost.status, lost.probability, lost.lost_note) == ("lost", 0, "价格高")
    assert lost.closed_at is not None and lost.lost_reason_id == reason(session)
    service.move_to_stage(session, ar1, o.id, st["Negotiation"].id)  # reopen
    assert (o.status, o.closed_at, o.lost_reason_id, o.lost_note, o.probability) == ("open", None, None, None, 75)
    with pytest.raises(Invalid):
        service.move_to_stage(session, ar1, o.id, st["Won"].id)
    won = service.move_to_stage(session, ar1, o.id, st["Won"].id, note="方案领先")
    assert (won.status, won.probability) == ("won", 100) and won.closed_at is not None
    inv = make_opportunity(session, ids["ar1"], "重复的")
    service.move_to_stage(session, ar1, inv.id, st["Invalid"].id, lost_reason_id=reason(session, "invalid"))
    assert inv.status == "invalid"


def test_move_refusals_scope_permission_pipeline_version(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"])
    with pytest.raises(NotFound):
        service.move_to_stage(session, scope_of(session, ids["ar2"]), o.id, st["Needs analysis"].id)
    other = pipelines.create_pipeline(session, Scope.system(), PipelineWrite(name_zh="渠道", name_en="Channel"))
    foreign = pipelines.first_open_stage(session, other.id)
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid):
        service.move_to_stage(session, ar1, o.id, foreign.id)
    with pytest.raises(Conflict):
        service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id, version=o.version + 5)
    assert o.stage_id == st["Qualify"].id


def test_gate_hook_is_called(session, ids, monkeypatch):
    import sys
    import types

    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"], "立项大单", amount=Decimal("50000000"))
    calls = []

    def check(session_, scope, opportunity, current, target):
        calls.append((opportunity.id, current.id, target.id))
        if opportunity.amount > 10_000_000 and current.kind == "open" and current.position >= 1:
            raise Conflict("需要立项审批")

    gate = types.ModuleType("loam.opportunities.gate")
    gate.check = check  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "loam.opportunities.gate", gate)
    ar1 = scope_of(session, ids["ar1"])
    service.move_to_stage(session, ar1, o.id, st["Needs analysis"].id)
    with pytest.raises(Conflict, match="立项"):
        service.move_to_stage(session, ar1, o.id, st["Proposal / quote"].id)
    assert o.stage_id == st["Needs analysis"].id and len(calls) == 2
    service.mark_won_by_contract(session, Scope.system(), o.id, "HT-202612-00001")  # the system skips the gate
    assert o.status == "won"


def test_retired_stages_keep_history(session, ids):
    st = default_stages(session)
    system = Scope.system()
    o = make_opportunity(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    service.move_to_stage(session, ar1, o.id, st["Proposal / quote"].id)
    assert pipelines.remove_stage(session, system, st["Needs analysis"].id) == "deleted"  # never used
    assert pipelines.remove_stage(session, system, st["Proposal / quote"].id) == "retired"
    assert st["Proposal / quote"].retired_at is not None
    other = make_opportunity(session, ids["ar1"], "另一个")
    with pytest.raises(Invalid):
        service.move_to_stage(session, ar1, other.id, st["Proposal / quote"].id)
    service.move_to_stage(session, ar1, o.id, st["Negotiation"].id)  # moving out of a retired stage is fine
    assert [m.to_stage_id for m in moves.history(session, o.id)][-2:] == [
        st["Proposal / quote"].id,
        st["Negotiation"].id,
    ]
    with pytest.raises(Conflict):
        set_stage(session, st["Proposal / quote"], kind="lost")
    with pytest.raises(Invalid):
        pipelines.remove_stage(session, system, st["Won"].id)
    pipelines.restore_stage(session, system, st["Proposal / quote"].id)
    assert st["Proposal / quote"].retired_at is None


def test_transfer_notifies_and_keeps_old_owner(session, ids):
    o = make_opportunity(session, ids["ar1"])
    with pytest.raises(NotFound):
        service.transfer(session, scope_of(session, ids["ar2"]), o.id, TransferRequest(owner_id=ids["ar2"]))
    team.add(session, scope_of(session, ids["ar1"]), o.id, TeamMemberWrite(user_id=ids["sr1"], access="write"))
    with pytest.raises(Forbidden):  # a team member is not the owner
        service.transfer(session, scope_of(session, ids["sr1"]), o.id, TransferRequest(owner_id=ids["sr1"]))
    service.transfer(session, scope_of(session, ids["ar1"]), o.id, TransferRequest(owner_id=ids["ar2"]))
    assert (o.owner_id, o.department_id) == (ids["ar2"], ids["team2"])
    note = session.query(Notification).filter_by(user_id=ids["ar2"], kind="opportunity_assigned").one()
    assert note.entity_id == o.id and note.params["opportunity"] == o.name
    ar1 = scope_of(session, ids["ar1"])
    assert service.get(session, ar1, o.id) and service.can_write(session, ar1, o)


def test_batch_reports_each_record(session, ids):
    st = default_stages(session)
    mine = make_opportunity(session, ids["ar1"], "甲")
    mine2 = make_opportunity(session, ids["ar1"], "乙")
    theirs = make_opportunity(session, ids["ar2"], "丙")
    ar1 = scope_of(session, ids["ar1"])
    req = BatchRequest(ids=[mine.id, theirs.id, mine2.id, 99999999], action="move", stage_id=st["Lost"].id)
    result = batch.run(session, ar1, req)
    assert (result.done, result.failed) == (0, 4)
    assert {r.id: r.status for r in result.results} == {mine.id: 422, theirs.id: 404, mine2.id: 422, 99999999: 404}
    req = req.model_copy(update={"lost_reason_id": reason(session)})
    result = batch.run(session, ar1, req)
    assert (result.done, result.failed) == (2, 2) and mine.status == mine2.status == "lost"
    assert theirs.status == "open"
    result = batch.run(session, ar1, BatchRequest(ids=[mine.id, theirs.id], action="transfer", owner_id=ids["sr1"]))
    assert [r.ok for r in result.results] == [True, False] and mine.owner_id == ids["sr1"]
    result = batch.run(session, ar1, BatchRequest(ids=[mine2.id], action="delete"))  # AR may not delete
    assert [(r.ok, r.status) for r in result.results] == [(False, 403)] and mine2.deleted_at is None
    director = scope_of(session, ids["director"])
    result = batch.run(session, director, BatchRequest(ids=[mine2.id, mine2.id], action="delete"))
    assert result.done == 1 and len(result.results) == 1 and mine2.deleted_at is not None


def test_delete_restore_purge_and_recycle_bin(session, ids):
    from loam.recycle import service as recycle

    o = make_opportunity(session, ids["ar1"])
    admin = scope_of(session, ids["admin"])
    with pytest.raises(Forbidden):  # the AR role may not delete opportunities
        service.delete_(session, scope_of(session, ids["ar1"]), o.id)
    service.delete_(session, admin, o.id)
    with pytest.raises(NotFound):
        service.get(session, admin, o.id)
    assert o.id in _ids(recycle.list_deleted(session, admin, "opportunity")[0])
    recycle.restore(session, admin, "opportunity", o.id)
    assert service.get(session, admin, o.id).deleted_at is None
    details.add_competitor(session, admin, o.id, CompetitorWrite(name="友商B"))
    service.delete_(session, admin, o.id)
    recycle.purge(session, admin, "opportunity", o.id)
    session.expire_all()
    assert service.repo.get_unscoped(session, o.id) is None
    assert audit.history(session, "opportunity", o.id)[0].action == "purge"


def test_mark_won_by_contract_is_a_system_move(session, ids):
    st = default_stages(session)
    set_stage(session, st["Won"], required_fields=["remark"])
    o = make_opportunity(session, ids["ar1"])
    service.mark_won_by_contract(session, Scope.system(), o.id, "HT-202612-00007")
    assert (o.status, o.stage_id, o.probability) == ("won", st["Won"].id, 100)
    assert "HT-202612-00007" in o.lost_note
    n = len(moves.history(session, o.id))
    service.mark_won_by_contract(session, Scope.system(), o.id, "HT-202612-00007")
    assert len(moves.history(session, o.id)) == n


def test_contacts_and_competitors(session, ids):
    o = make_opportunity(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    c = make_contact(session, ids["ar1"], o.customer_id, "覃处长")
    stranger_customer = make_customer(session, ids["ar1"], "别家")
    stranger = make_contact(session, ids["ar1"], stranger_customer.id, "外人")
    with pytest.raises(Invalid):
        details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=stranger.id, role="user"))
    link = details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=c.id, role="evaluator"))
    details.link_contact(session, ar1, o.id, ContactLinkWrite(contact_id=c.id, role="approver"))
    assert [(ln.id, ln.role) for ln in details.contacts(session, ar1, o.id)] == [(link.id, "approver")]
    comp = details.add_competitor(session, ar1, o.id, CompetitorWrite(name="友商A", quoted_price=Decimal("1.50")))
    with pytest.raises(Conflict):
        details.add_competitor(session, ar1, o.id, CompetitorWrite(name="友商A"))
    details.update_competitor(session, ar1, o.id, comp.id, CompetitorWrite(name="友商A", status="eliminated"))
    assert comp.status == "eliminated" and comp.quoted_price is None
    # A new customer unlinks the old customer's contacts.
    other = make_customer(session, ids["ar1"], "新客户")
    service.update(session, ar1, o.id, _update(o, customer_id=other.id))
    assert details.contacts(session, ar1, o.id) == []
    with pytest.raises(NotFound):
        details.remove_competitor(session, ar1, o.id, 99999999)


def test_amount_from_product_lines(session, ids):
    from tests.products.factories import line, make_product

    p = make_product(session, ids["admin"], "OPP-SRV", "服务器", "1000.00")
    o = make_opportunity(
        session, ids["ar1"], amount_from_lines=True, lines=[line(p.id, "3", discount="10"), line(p.id, "1")]
    )
    assert o.amount == Decimal("3700.00")
    assert [str(ln.subtotal) for ln in details.lines_for(session, o.id)] == ["2700.00", "1000.00"]
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, o.id, _update(o, lines=[line(p.id, "2")]))
    assert o.amount == Decimal("2000.00")
    service.update(session, ar1, o.id, _update(o, amount_from_lines=False, amount=Decimal("5.00")))
    assert o.amount == Decimal("5.00") and len(details.lines_for(session, o.id)) == 1


def test_stage_moves_for_reports_obey_scope_and_filters(session, ids):
    st = default_stages(session)
    a = make_opportunity(session, ids["ar1"], "甲")
    b = make_opportunity(session, ids["ar2"], "乙")
    service.move_to_stage(session, scope_of(session, ids["ar1"]), a.id, st["Needs analysis"].id)
    service.move_to_stage(session, scope_of(session, ids["ar2"]), b.id, st["Needs analysis"].id)
    mine = moves.stage_moves(session, scope_of(session, ids["ar1"]), StageMoveFilters())
    assert {m.opportunity_id for m in mine} >= {a.id} and b.id not in {m.opportunity_id for m in mine}
    director = scope_of(session, ids["director"])
    both = moves.stage_moves(session, director, StageMoveFilters(owner_id=ids["ar2"]))
    assert {m.opportunity_id for m in both} == {b.id}
    entered = [m for m in both if m.from_stage_id is not None]
    assert [(m.from_stage_id, m.to_stage_id) for m in entered] == [(st["Qualify"].id, st["Needs analysis"].id)]


def test_board_totals_and_for_customer(session, ids):
    st = default_stages(session)
    customer = make_customer(session, ids["ar1"], "看板客户")
    make_opportunity(session, ids["ar1"], "一", customer_id=customer.id, amount=Decimal("100.00"))
    make_opportunity(session, ids["ar1"], "二", customer_id=customer.id, amount=Decimal("250.50"))
    make_opportunity(session, ids["ar2"], "三", amount=Decimal("9.00"))
    ar1 = scope_of(session, ids["ar1"])
    f = OpportunityFilters(pipeline_id=st["Qualify"].pipeline_id, customer_id=customer.id)
    cards, totals = service.board(session, ar1, f)
    assert totals[st["Qualify"].id] == (2, Decimal("350.50"))
    assert [o.name for o in cards[st["Qualify"].id]] == ["二", "一"]
    assert {o.name for o in service.for_customer(session, ar1, customer.id)} == {"一", "二"}
    with pytest.raises(NotFound):
        service.for_customer(session, scope_of(session, ids["ar2"]), customer.id)
