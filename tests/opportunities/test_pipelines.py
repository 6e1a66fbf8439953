from __future__ import annotations

import pytest

from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.opportunities import pipelines, service
from loam.opportunities.pipeline_schemas import PipelineWrite, ReasonWrite, StageOrder, StageWrite
from tests.helpers import scope_of
from tests.opportunities.factories import default_stages, make_opportunity


def _write(p, **changes):
    fields = {k: getattr(p, k) for k in PipelineWrite.model_fields if k != "version"}
    return PipelineWrite(**(fields | {"version": p.version} | changes))


def test_seeded_default_pipeline_and_reasons(session):
    default = pipelines.default_for(session, Scope.system())
    assert default.is_default and default.name_zh == "标准商机流程"
    names = [(s.name_zh, s.probability, s.kind) for s in pipelines.stages_of(session, default.id)]
    assert names == [
        ("验证客户", 10, "open"),
        ("需求分析", 25, "open"),
        ("方案/报价", 50, "open"),
        ("谈判", 75, "open"),
        ("赢单", 100, "won"),
        ("输单", 0, "lost"),
        ("无效", 0, "invalid"),
    ]
    lost = [r.name_zh for r in pipelines.reasons(session, "lost")]
    assert {"价格", "技术方案", "关系", "竞争对手", "预算取消", "需求变化"} <= set(lost)
    assert "重复商机" in [r.name_zh for r in pipelines.reasons(session, "invalid")]


def test_admin_needs_pipelines_manage(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Forbidden):
        pipelines.create_pipeline(session, ar1, PipelineWrite(name_zh="渠道", name_en="Channel"))
    with pytest.raises(Forbidden):
        pipelines.add_reason(session, ar1, ReasonWrite(name_zh="x", name_en="x"))
    stage = default_stages(session)["Qualify"]
    with pytest.raises(Forbidden):
        pipelines.remove_stage(session, ar1, stage.id)


def test_new_pipeline_stages_shape_and_order(session, ids):
    admin = scope_of(session, ids["admin"])
    p = pipelines.create_pipeline(session, admin, PipelineWrite(name_zh="渠道商机", name_en="Channel"))
    stages = pipelines.stages_of(session, p.id)
    assert [s.kind for s in stages] == ["open"] * 4 + ["won", "lost", "invalid"]
    added = pipelines.add_stage(session, admin, p.id, StageWrite(name_zh="投标", name_en="Bid", probability=85))
    assert [s.name_en for s in pipelines.stages_of(session, p.id)][3:6] == ["Negotiation", "Bid", "Won"]
    with pytest.raises(Invalid):
        pipelines.add_stage(
            session, admin, p.id, StageWrite(name_zh="再赢", name_en="Won 2", probability=100, kind="won")
        )
    pipelines.move_stage(session, admin, added.id, -1)
    assert [s.name_en for s in pipelines.stages_of(session, p.id)][3:5] == ["Bid", "Negotiation"]
    ids_now = [s.id for s in pipelines.stages_of(session, p.id)]
    with pytest.raises(Invalid):
        pipelines.reorder_stages(session, admin, p.id, StageOrder(stage_ids=ids_now[:-1]))
    pipelines.reorder_stages(session, admin, p.id, StageOrder(stage_ids=list(reversed(ids_now))))
    assert [s.id for s in pipelines.stages_of(session, p.id)] == list(reversed(ids_now))
    with pytest.raises(NotFound):
        pipelines.stage_in(session, p.id, default_stages(session)["Qualify"].id)


def test_required_fields_are_validated():
    with pytest.raises(ValueError):
        StageWrite(name_zh="a", name_en="a", probability=10, required_fields=["password"])
    ok = StageWrite(name_zh="a", name_en="a", probability=10, required_fields=["amount", "custom.region", "amount"])
    assert ok.required_fields == ["amount", "custom.region"]


def test_departments_decide_which_pipelines_apply(session, ids):
    admin = scope_of(session, ids["admin"])
    p = pipelines.create_pipeline(
        session, admin, PipelineWrite(name_zh="柳州专用", name_en="Liuzhou", department_ids=[ids["team2"]])
    )
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    assert p not in pipelines.applicable(session, ar1) and p in pipelines.applicable(session, ar2)
    with pytest.raises(Invalid):
        make_opportunity(session, ids["ar1"], pipeline_id=p.id)
    o = make_opportunity(session, ids["ar2"], pipeline_id=p.id)
    assert o.pipeline_id == p.id and o.stage_id == pipelines.first_open_stage(session, p.id).id
    parent = pipelines.update_pipeline(session, admin, p.id, _write(p, department_ids=[ids["account"]]))
    assert parent in pipelines.applicable(session, scope_of(session, ids["ar1"]))  # a parent department covers
    with pytest.raises(Invalid):
        pipelines.update_pipeline(session, admin, p.id, _write(p, department_ids=[99999]))


def test_default_pipeline_rules_and_delete(session, ids):
    admin = scope_of(session, ids["admin"])
    default = pipelines.default_for(session, Scope.system())
    with pytest.raises(Invalid):
        pipelines.update_pipeline(session, admin, default.id, _write(default, is_default=False))
    with pytest.raises(Conflict):
        pipelines.update_pipeline(session, admin, default.id, _write(default, version=default.version + 3))
    p = pipelines.create_pipeline(session, admin, PipelineWrite(name_zh="新默认", name_en="New default"))
    pipelines.update_pipeline(session, admin, p.id, _write(p, is_default=True))
    assert p.is_default and not default.is_default
    with pytest.raises(Conflict):
        pipelines.delete_pipeline(session, admin, p.id)  # the default
    make_opportunity(session, ids["ar1"], pipeline_id=default.id)
    with pytest.raises(Conflict):
        pipelines.delete_pipeline(session, admin, default.id)  # used
    spare = pipelines.create_pipeline(session, admin, PipelineWrite(name_zh="备用", name_en="Spare"))
    pipelines.delete_pipeline(session, admin, spare.id)
    with pytest.raises(NotFound):
        pipelines.get_pipeline(session, spare.id)


def test_inactive_reason_cannot_be_used(session, ids):
    admin = scope_of(session, ids["admin"])
    r = pipelines.add_reason(session, admin, ReasonWrite(kind="lost", name_zh="交期", name_en="Delivery time"))
    o = make_opportunity(session, ids["ar1"])
    st = default_stages(session)
    pipelines.update_reason(
        session, admin, r.id, ReasonWrite(kind="lost", name_zh="交期", name_en="Lead time", active=False)
    )
    with pytest.raises(Invalid):
        service.move_to_stage(session, scope_of(session, ids["ar1"]), o.id, st["Lost"].id, lost_reason_id=r.id)
    assert r.name_en == "Lead time" and not r.active
