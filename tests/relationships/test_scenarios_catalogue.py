"""The 12+1 catalogue: the seeded defaults, create / edit (versions, audit), checklist edits that keep past ticks,
deactivate instead of delete when in use, reorder, and who may administer it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.relationships import scenarios
from loam.relationships.models import ContactScenario, FollowUpScenario
from loam.relationships.schemas_scenarios import ScenarioCreate, ScenarioOrder, ScenarioUpdate
from tests.helpers import scope_of
from tests.relationships.scenarios_factories import by_code, choose, followup

SEEDED = [
    "daily_visit",
    "executive_visit",
    "tech_exchange",
    "hq_visit",
    "reference_site",
    "onsite_meeting",
    "exhibition",
    "summit",
    "mgmt_seminar",
    "joint_innovation",
    "training",
    "customer_forum",
    "hospitality",
]


def _audit(session, entity_id: int, entity: str = "contact_scenario") -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id).order_by(AuditLog.id)
    return list(session.scalars(stmt))


def _patch(**values) -> ScenarioUpdate:
    return ScenarioUpdate.model_validate(values)


def test_the_migration_seeds_the_twelve_plus_one(session):
    found = scenarios.list_scenarios(session)
    assert [s.code for s in found] == SEEDED
    hosp = by_code(session, "hospitality")
    assert hosp.hospitality and hosp.limit_per_head == Decimal("500.00") and hosp.layer == "key"
    assert [s.code for s in found if s.hospitality] == ["hospitality"]
    assert by_code(session, "joint_innovation").layer == "org" and by_code(session, "tech_exchange").layer == "broad"
    assert by_code(session, "daily_visit").checklist[0] == {
        "zh": "明确拜访目的",
        "en": "State the purpose of the visit",
    }


def test_create_appends_with_a_made_up_code_and_audits(session, ids):
    admin = scope_of(session, ids["admin"])
    data = ScenarioCreate(
        name_zh="茶叙",
        name_en="Tea meeting",
        layer="broad",
        checklist=[{"zh": "预约", "en": "Book"}, {"en": "Thank-you note"}],
        budget=Decimal("300"),
    )
    s = scenarios.create_scenario(session, admin, data)
    assert s.code == "custom_14" and s.position == 14 and s.version == 1 and s.active
    assert s.checklist == [{"zh": "预约", "en": "Book"}, {"zh": "", "en": "Thank-you note"}]
    assert s.budget == Decimal("300.00") and s.currency == "CNY"
    rows = _audit(session, s.id)
    assert [r.action for r in rows] == ["create"] and rows[0].changes["code"] == [None, "custom_14"]
    assert rows[0].user_id == ids["admin"]
    assert scenarios.list_scenarios(session)[-1].id == s.id


def test_create_rules(session, ids):
    admin = scope_of(session, ids["admin"])
    with pytest.raises(Conflict):
        scenarios.create_scenario(session, admin, ScenarioCreate(code="daily_visit", name_zh="重复", name_en="Dup"))
    with pytest.raises(Invalid) as exc:
        scenarios.create_scenario(session, admin, ScenarioCreate(name_zh="宴请", name_en="Dinner", hospitality=True))
    assert "limit_per_head" in exc.value.detail
    with pytest.raises(Forbidden):
        scenarios.create_scenario(session, scope_of(session, ids["ar1"]), ScenarioCreate(name_zh="x", name_en="x"))
    with pytest.raises(ValueError):
        ScenarioCreate(name_zh="x", name_en="x", checklist=[{"zh": " ", "en": ""}])  # an item needs some text
    with pytest.raises(ValueError):
        ScenarioCreate(name_zh="x", name_en="x", code="Bad Code")
    assert session.scalar(select(ContactScenario).where(ContactScenario.name_zh == "宴请")) is None


def test_update_is_partial_versioned_and_audited(session, ids):
    director = scope_of(session, ids["director"])  # directors hold relationships.manage
    s = by_code(session, "exhibition")
    scenarios.update_scenario(session, director, s.id, _patch(name_en="Trade show", budget="35000", version=1))
    session.flush()
    assert (s.name_en, s.name_zh, s.budget, s.version) == ("Trade show", "展会", Decimal("35000.00"), 2)
    with pytest.raises(Conflict):
        scenarios.update_scenario(session, director, s.id, _patch(name_en="Stale", version=1))
    assert s.name_en == "Trade show"
    with pytest.raises(Invalid):  # a hospitality scenario keeps its limit
        scenarios.update_scenario(
            session, director, by_code(session, "hospitality").id, _patch(limit_per_head=None, version=1)
        )
    with pytest.raises(ValueError):
        _patch(name_zh=None, version=2)
    rows = _audit(session, s.id)
    assert [r.action for r in rows] == ["update"]
    assert rows[0].changes == {"name_en": ["Exhibition", "Trade show"], "budget": ["30000.00", "35000.00"]}


def test_checklist_edit_moves_past_ticks_with_their_items(session, ids):
    admin = scope_of(session, ids["admin"])
    s = by_code(session, "hq_visit")  # 4 items: 0 plan, 1 showroom, 2 executive meeting, 3 farewell
    a = followup(session, ids["ar1"])
    b = followup(session, ids["ar1"], customer_id=a.customer_id)
    choose(session, ids["ar1"], a.id, "hq_visit", checked=[0, 2, 3])
    choose(session, ids["ar1"], b.id, "hq_visit", checked=[1])
    old = s.checklist
    # New order: farewell (was 3), plan (was 0), a new item, executive meeting matched by its text; showroom removed.
    new = [
        dict(old[3], was=3),
        dict(old[0], was=0),
        {"zh": "签到", "en": "Sign-in"},
        {"zh": old[2]["zh"], "en": old[2]["en"]},
    ]
    scenarios.update_scenario(session, admin, s.id, _patch(checklist=new, version=s.version))
    session.flush()
    assert [i["en"] for i in s.checklist] == [
        "Farewell and follow-up call",
        "Plan the reception",
        "Sign-in",
        "Executive meeting",
    ]
    # a ticked 0 → 1, 2 → 3, 3 → 0; b ticked only the removed item.
    assert session.get(FollowUpScenario, a.id).checked == [0, 1, 3]
    assert session.get(FollowUpScenario, b.id).checked == []
    # Both records changed under their readers: a form still showing the old ticks is stale (409) now.
    assert [session.get(FollowUpScenario, x.id).version for x in (a, b)] == [2, 2]


def test_in_use_scenario_is_deactivated_not_deleted(session, ids):
    admin = scope_of(session, ids["admin"])
    s = by_code(session, "summit")
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "summit")
    assert scenarios.usage(session)[s.id] == 1
    with pytest.raises(Conflict):
        scenarios.delete_scenario(session, admin, s.id)
    assert session.get(ContactScenario, s.id) is not None
    scenarios.set_active(session, admin, s.id, False)
    session.flush()
    assert not s.active and s.code not in [x.code for x in scenarios.list_scenarios(session)]
    assert s.code in [x.code for x in scenarios.list_scenarios(session, active_only=False)]
    scenarios.set_active(session, admin, s.id, True)
    session.flush()
    assert s.active
    assert [r.action for r in _audit(session, s.id)] == ["deactivate", "activate"]


def test_never_used_scenario_may_be_deleted(session, ids):
    admin = scope_of(session, ids["admin"])
    s = scenarios.create_scenario(session, admin, ScenarioCreate(name_zh="临时", name_en="Temp"))
    session.flush()
    sid = s.id
    scenarios.delete_scenario(session, admin, sid)
    session.flush()
    assert session.get(ContactScenario, sid) is None
    assert [r.action for r in _audit(session, sid)] == ["create", "purge"]
    with pytest.raises(NotFound):
        scenarios.delete_scenario(session, admin, sid)
    with pytest.raises(Forbidden):
        scenarios.delete_scenario(session, scope_of(session, ids["ar1"]), by_code(session, "training").id)


def test_reorder_and_move(session, ids):
    admin = scope_of(session, ids["admin"])
    found = scenarios.list_scenarios(session, active_only=False)
    order = [s.id for s in found]
    new = [order[-1], *order[:-1]]  # hospitality first
    scenarios.reorder(session, admin, ScenarioOrder(ids=new))
    session.flush()
    assert [s.code for s in scenarios.list_scenarios(session)][:2] == ["hospitality", "daily_visit"]
    assert [s.position for s in scenarios.list_scenarios(session)] == list(range(1, 14))
    moved = _audit(session, order[-1])
    assert moved[-1].action == "move" and moved[-1].changes == {"position": [13, 1]}
    with pytest.raises(Invalid):
        scenarios.reorder(session, admin, ScenarioOrder(ids=new[:-1]))  # one missing
    with pytest.raises(Invalid):
        scenarios.reorder(session, admin, ScenarioOrder(ids=[*new[:-1], new[0]]))  # one twice
    scenarios.move(session, admin, by_code(session, "daily_visit").id, -1)
    session.flush()
    assert [s.code for s in scenarios.list_scenarios(session)][:2] == ["daily_visit", "hospitality"]
    scenarios.move(session, admin, by_code(session, "daily_visit").id, -1)  # already first: no change
    assert [s.code for s in scenarios.list_scenarios(session)][:2] == ["daily_visit", "hospitality"]
    with pytest.raises(Forbidden):
        scenarios.move(session, scope_of(session, ids["ar1"]), by_code(session, "daily_visit").id, 1)
