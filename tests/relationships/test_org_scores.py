"""The organisational checklist: marks (service rules, versions, audit) and the score pinned to hand-computed
values (issue 5, organisational relationships)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from loam.activities import service as activities_service
from loam.authz.scope import Scope
from loam.errors import Conflict, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.relationships import orgmarks, orgscore
from loam.relationships import settings as method_settings
from loam.relationships.models import OrgMark
from loam.relationships.schemas_layers import OrgMarkWrite
from tests.helpers import scope_of
from tests.relationships.layers_factories import AS_OF, customer, days_before, touch

# Default items and weights: strategic_agreement 20, exec_meetings 15, exec_pairing 15, joint_innovation 15,
# joint_plan 10, summit 10, satisfaction 10, crisis 5 (Σ 100).
KEYS = [i["key"] for i in method_settings.DEFAULTS["org"]["items"]]


def _mark(session, customer_id: int, key: str, factor: str = "1", achieved_on=None) -> OrgMark:
    data = OrgMarkWrite(factor=Decimal(factor), achieved_on=achieved_on)
    return orgmarks.set_mark(session, Scope.system(), customer_id, key, data)


@pytest.fixture
def marked(session, ids):
    cust = customer(session, ids["ar1"], "组织测试客户")
    _mark(session, cust.id, "strategic_agreement", "0.7")  # regional agreement
    _mark(session, cust.id, "exec_meetings", achieved_on=AS_OF - timedelta(days=100))
    _mark(session, cust.id, "joint_plan", achieved_on=AS_OF + timedelta(days=1))  # achieved after AS_OF
    _mark(session, cust.id, "summit", achieved_on=AS_OF)
    _mark(session, cust.id, "crisis")
    session.flush()
    return cust


def test_score_with_factors(session, marked):
    s = orgscore.customer_scores(session, [marked.id], method_settings.defaults(), AS_OF)[marked.id]
    # 20·0.7 + 15 + 10 (summit, achieved on AS_OF) + 5 = 44 of 100 → 44, grade B (A ≥ 70, B ≥ 40).
    # joint_plan is achieved the day after AS_OF: pending, not counted.
    assert (s.score, s.grade, s.details["percent"]) == (44, "B", 44.0)
    assert [p.points for p in s.points] == [14, 15, 0, 0, 0, 10, 0, 5]
    assert sum(p.points for p in s.points) == 44
    items = {i["key"]: i for i in s.details["items"]}
    assert items["strategic_agreement"]["factor"] == 0.7 and items["strategic_agreement"]["mark_factor"] == "0.70"
    assert items["joint_plan"]["pending"] and not items["joint_plan"]["counted"] and items["joint_plan"]["factor"] == 0
    assert items["exec_pairing"]["mark_id"] is None and items["exec_pairing"]["followup_ids"] == []
    assert [p.msgid for p in s.points[:3]] == [orgscore.IN_PLACE_FACTOR, orgscore.IN_PLACE, orgscore.NOT_IN_PLACE]
    assert s.points[0].params["factor"] == "0.7"
    assert s.details["retired"] == []
    # A day later joint_plan counts too: 44 + 10 = 54.
    later = orgscore.customer_scores(session, [marked.id], method_settings.defaults(), AS_OF + timedelta(days=1))
    assert later[marked.id].score == 54


def test_retired_item_is_ignored(session, marked):
    without_crisis = method_settings.defaults()
    without_crisis["org"]["items"] = [i for i in without_crisis["org"]["items"] if i["key"] != "crisis"]
    s = orgscore.customer_scores(session, [marked.id], without_crisis, AS_OF)[marked.id]
    # Σ weights = 95; 14 + 15 + 10 = 39 → 39/95 = 41.05 % → 41, B. Points 14.74, 15.79, 10.53: floors 14+15+10 = 39,
    # the 2 missing points go to the largest remainders (exec_meetings .79, strategic_agreement .74).
    assert (s.score, s.grade, s.details["percent"]) == (41, "B", 41.1)
    assert [p.points for p in s.points] == [15, 16, 0, 0, 0, 10, 0]
    assert [r["key"] for r in s.details["retired"]] == ["crisis"]
    assert "crisis" not in {i["key"] for i in s.details["items"]}


def test_weights_changed_and_grades(session, ids, marked):
    heavy = method_settings.defaults()
    for item in heavy["org"]["items"]:
        item["weight"] = 40 if item["key"] == "exec_meetings" else item["weight"]
    s = orgscore.customer_scores(session, [marked.id], heavy, AS_OF)[marked.id]
    # Σ weights = 125; 14 + 40 + 10 + 5 = 69 → 55.2 % → 55, B.
    assert (s.score, s.grade) == (55, "B")
    empty = customer(session, ids["ar1"], "无组织关系客户")
    none = orgscore.customer_scores(session, [empty.id], method_settings.defaults(), AS_OF)[empty.id]
    assert (none.score, none.grade, [p.points for p in none.points]) == (0, "C", [0] * 8)
    for key in ("strategic_agreement", "exec_meetings", "exec_pairing", "joint_innovation", "joint_plan"):
        _mark(session, empty.id, key)
    full = orgscore.customer_scores(session, [empty.id], method_settings.defaults(), AS_OF)[empty.id]
    assert (full.score, full.grade) == (75, "A")  # 20 + 15 + 15 + 15 + 10


def test_set_mark_versions_and_audit(session, ids):
    cust = customer(session, ids["ar1"], "版本客户")
    ar1 = scope_of(session, ids["ar1"])
    mark = orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(evidence="2024 年会"))
    assert (mark.version, mark.factor, mark.updated_by) == (1, Decimal("1"), ids["ar1"])
    with pytest.raises(Conflict):  # exists: a version is needed
        orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(evidence="x"))
    with pytest.raises(Conflict):
        orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(evidence="x", version=2))
    with pytest.raises(Conflict):  # creating with a version: someone removed it meanwhile
        orgmarks.set_mark(session, ar1, cust.id, "crisis", OrgMarkWrite(version=1))
    mark = orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(evidence="2025 年会", version=1))
    session.flush()
    assert (mark.version, mark.evidence) == (2, "2025 年会")
    orgmarks.clear_mark(session, ar1, cust.id, "summit", version=2)
    session.flush()
    assert session.scalars(select(OrgMark).where(OrgMark.customer_id == cust.id)).all() == []
    rows = session.scalars(select(AuditLog).where(AuditLog.entity == "org_mark").order_by(AuditLog.id)).all()
    rows = [r for r in rows if r.entity_id == mark.id]
    assert [r.action for r in rows] == ["create", "update", "purge"]
    assert rows[1].changes == {"evidence": ["2024 年会", "2025 年会"]} and rows[1].note == "summit"
    assert rows[2].changes["evidence"] == ["2025 年会", None] and rows[0].user_id == ids["ar1"]


def test_clear_rules(session, ids):
    cust = customer(session, ids["ar1"], "清除客户")
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(NotFound):
        orgmarks.clear_mark(session, ar1, cust.id, "summit")
    orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite())
    with pytest.raises(Conflict):
        orgmarks.clear_mark(session, ar1, cust.id, "summit", version=5)
    orgmarks.clear_mark(session, ar1, cust.id, "summit")
    assert orgmarks.items(session)[0]["key"] == "strategic_agreement"


def test_validation(session, ids):
    cust = customer(session, ids["ar1"], "校验客户")
    other = customer(session, ids["ar1"], "另一个客户")
    ar1 = scope_of(session, ids["ar1"])
    mine = touch(session, ids["ar1"], cust.id, [], days_before(1))
    theirs = touch(session, ids["ar1"], other.id, [], days_before(1))
    binned = touch(session, ids["ar1"], cust.id, [], days_before(2))
    activities_service.delete_(session, Scope.system(), binned.id)
    with pytest.raises(NotFound):
        orgmarks.set_mark(session, ar1, cust.id, "no_such_item", OrgMarkWrite())
    for bad in ([theirs.id], [binned.id], [mine.id, 2_000_000]):
        with pytest.raises(Invalid) as err:
            orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(followup_ids=bad))
        assert "followup_ids" in err.value.detail
    with pytest.raises(Invalid):
        tomorrow = orgmarks.today() + timedelta(days=1)
        orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(achieved_on=tomorrow))
    assert session.scalars(select(OrgMark).where(OrgMark.customer_id == cust.id)).all() == []
    mark = orgmarks.set_mark(session, ar1, cust.id, "summit", OrgMarkWrite(followup_ids=[mine.id, mine.id]))
    assert mark.followup_ids == [mine.id]


@pytest.mark.parametrize(
    "body",
    [
        {"factor": "1.5"},
        {"factor": "0"},
        {"factor": "0.333"},
        {"evidence_url": "javascript:alert(1)"},
        {"evidence_url": "//evil.example.com/x"},
        {"followup_ids": list(range(1, 22))},
        {"achieved_on": "2025/01/01"},
        {"owner": 1},
    ],
)
def test_schema_refuses(body):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        OrgMarkWrite.model_validate(body)


def test_schema_accepts_links():
    assert OrgMarkWrite(evidence_url="https://docs.example.com/a?b=1").evidence_url == "https://docs.example.com/a?b=1"
    assert OrgMarkWrite(evidence_url="/contracts/12").evidence_url == "/contracts/12"
    assert OrgMarkWrite(evidence_url="  ").evidence_url is None


def test_out_of_scope_and_set_based(session, ids, marked):
    with pytest.raises(NotFound):
        orgmarks.set_mark(session, scope_of(session, ids["ar2"]), marked.id, "summit", OrgMarkWrite())
    with pytest.raises(NotFound):
        orgscore.customer_score(session, scope_of(session, ids["ar2"]), marked.id)
    other = customer(session, ids["ar1"], "第二个客户")
    both = orgscore.customer_scores(session, [marked.id, other.id, marked.id], method_settings.defaults(), AS_OF)
    assert set(both) == {marked.id, other.id} and both[marked.id].score == 44 and both[other.id].score == 0
    assert [i["key"] for i in both[other.id].details["items"]] == KEYS
