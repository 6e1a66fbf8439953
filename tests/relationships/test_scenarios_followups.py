"""The scenario of a follow-up: picking (active scenarios only), ticking (indexes in range), money (the hospitality
compliance limit per guest), rating (ranges, only afterwards), the suggestions shown, and who may do it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from loam.authz.scope import Scope
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite
from loam.db import utcnow
from loam.errors import Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.relationships import scenarios
from loam.relationships.models import ContactProfile, FollowUpScenario
from loam.relationships.schemas_scenarios import FollowUpScenarioWrite, RatingWrite, ScenarioUpdate
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of
from tests.relationships.scenarios_factories import by_code, choose, followup, rate


def _audit(session, followup_id: int) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.entity == "followup_scenario", AuditLog.entity_id == followup_id)
    return list(session.scalars(stmt.order_by(AuditLog.id)))


def test_choose_ticks_and_audits(session, ids):
    f = followup(session, ids["ar1"])
    rec = choose(session, ids["ar1"], f.id, "tech_exchange", checked=[2, 0, 2], guests=6, spent=Decimal("8000"))
    assert (rec.scenario_id, rec.checked, rec.guests, rec.spent) == (
        by_code(session, "tech_exchange").id,
        [0, 2],
        6,
        Decimal("8000.00"),
    )
    choose(session, ids["ar1"], f.id, "tech_exchange", checked=[1])
    assert session.get(FollowUpScenario, f.id).checked == [1] and rec.spent is None
    rows = _audit(session, f.id)
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes["checked"] == [[0, 2], [1]] and rows[1].user_id == ids["ar1"]


def test_checklist_indexes_must_exist(session, ids):
    f = followup(session, ids["ar1"])
    size = len(by_code(session, "daily_visit").checklist)
    assert size == 3
    choose(session, ids["ar1"], f.id, "daily_visit", checked=[0, 1, 2])  # the last item is index 2
    with pytest.raises(Invalid) as exc:
        choose(session, ids["ar1"], f.id, "daily_visit", checked=[0, 3])
    assert exc.value.detail["checked"] == "检查项第 4 项不存在：该场景共有 3 项。"
    assert session.get(FollowUpScenario, f.id).checked == [0, 1, 2]
    with pytest.raises(ValueError):
        FollowUpScenarioWrite(scenario_id=1, checked=[-1])


def test_hospitality_is_limited_per_guest(session, ids):
    f = followup(session, ids["ar1"])
    limit = by_code(session, "hospitality").limit_per_head
    assert limit == Decimal("500.00")
    # 4 guests × 500 = 2000.00 is exactly at the limit: allowed.
    rec = choose(session, ids["ar1"], f.id, "hospitality", guests=4, spent=Decimal("2000.00"))
    assert rec.spent == Decimal("2000.00")
    # 2000.01 / 4 = 500.0025 → above the limit.
    with pytest.raises(Invalid) as exc:
        choose(session, ids["ar1"], f.id, "hospitality", guests=4, spent=Decimal("2000.01"))
    assert exc.value.message == "人均 500.00 CNY，超过了人均 500.00 CNY 的合规上限。"
    assert "spent" in exc.value.detail
    with pytest.raises(Invalid) as exc:
        choose(session, ids["ar1"], f.id, "hospitality", guests=3, spent=Decimal("3000"))
    assert exc.value.message.startswith("人均 1,000.00 CNY，")
    with pytest.raises(Invalid) as exc:
        choose(session, ids["ar1"], f.id, "hospitality", spent=Decimal("100"))
    assert "guests" in exc.value.detail
    assert session.get(FollowUpScenario, f.id).spent == Decimal("2000.00")  # nothing written by the refusals
    # Other scenarios have no per-head limit.
    other = followup(session, ids["ar1"], customer_id=f.customer_id)
    assert choose(session, ids["ar1"], other.id, "summit", guests=1, spent=Decimal("90000")).spent == Decimal("90000")


def test_switching_to_hospitality_checks_the_limit_again(session, ids):
    f = followup(session, ids["ar1"])
    scope = scope_of(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "summit", checked=[0, 1], guests=2, spent=Decimal("5000"))
    with pytest.raises(Invalid):  # 2500 per guest
        scenarios.change_scenario(session, scope, f.id, by_code(session, "hospitality").id)
    rec = scenarios.change_scenario(session, scope, f.id, by_code(session, "daily_visit").id)
    assert rec is not None and rec.checked == [] and rec.spent == Decimal("5000.00")  # ticks restart, money stays
    assert scenarios.change_scenario(session, scope, f.id, None) is None
    session.flush()
    assert session.get(FollowUpScenario, f.id) is None
    assert [r.action for r in _audit(session, f.id)] == ["create", "update", "purge"]


def test_only_active_scenarios_may_be_picked(session, ids):
    admin = scope_of(session, ids["admin"])
    s = by_code(session, "exhibition")
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "exhibition", checked=[0])
    scenarios.update_scenario(session, admin, s.id, ScenarioUpdate.model_validate({"active": False, "version": 1}))
    session.flush()
    # The follow-up that already names it keeps working with it…
    assert choose(session, ids["ar1"], f.id, "exhibition", checked=[0, 1]).checked == [0, 1]
    # …but no other follow-up may pick it.
    g = followup(session, ids["ar1"], customer_id=f.customer_id)
    with pytest.raises(Invalid) as exc:
        choose(session, ids["ar1"], g.id, "exhibition")
    assert "scenario_id" in exc.value.detail
    with pytest.raises(Invalid):
        scenarios.choose(session, scope_of(session, ids["ar1"]), g.id, FollowUpScenarioWrite(scenario_id=999999))


def test_rating_ranges_and_timing(session, ids):
    f = followup(session, ids["ar1"])
    with pytest.raises(Invalid):  # nothing to rate yet
        rate(session, ids["ar1"], f.id, 4)
    choose(session, ids["ar1"], f.id, "executive_visit")
    rec = rate(session, ids["ar1"], f.id, 4, support=1, stage=-1)
    assert (rec.quality, rec.support_effect, rec.stage_effect, rec.rated_by) == (4, 1, -1, ids["ar1"])
    assert rec.rated_at is not None and abs(rec.rated_at - utcnow()) < timedelta(minutes=1)
    for bad in (
        {"quality": 0},
        {"quality": 6},
        {"quality": 3, "support_effect": 3},
        {"quality": 3, "stage_effect": -2},
    ):
        with pytest.raises(ValueError):
            RatingWrite(**bad)
    assert RatingWrite(quality=5, support_effect=-2, stage_effect=1).support_effect == -2
    assert [r.action for r in _audit(session, f.id)][-1] == "rate"
    later = followup(
        session, ids["ar1"], customer_id=f.customer_id, days_ago=0, occurred_at=utcnow() + timedelta(hours=3)
    )
    choose(session, ids["ar1"], later.id, "daily_visit")
    with pytest.raises(Invalid) as exc:
        rate(session, ids["ar1"], later.id, 5)
    assert exc.value.message == "请在活动发生之后再评价。"


def test_suggestions_for_the_followups_contacts(session, ids):
    customer = make_customer(session, ids["ar1"], "场景建议客户")
    zhang = make_contact(session, ids["ar1"], customer.id, "张三")
    li = make_contact(session, ids["ar1"], customer.id, "李四")
    session.add(ContactProfile(contact_id=li.id, stage=4, support=2))  # already at the top of both scales
    session.flush()
    f = followup(session, ids["ar1"], customer_id=customer.id, contact_ids=[zhang.id, li.id])
    choose(session, ids["ar1"], f.id, "reference_site")
    scope = scope_of(session, ids["ar1"])
    fu, rec = scenarios.of_followup(session, scope, f.id)
    assert scenarios.suggestions(session, fu, rec) == []  # not rated yet
    rate(session, ids["ar1"], f.id, 5, support=1, stage=1)
    fu, rec = scenarios.of_followup(session, scope, f.id)
    found = [(s.contact_name, s.field, s.current, s.proposed) for s in scenarios.suggestions(session, fu, rec)]
    # 张三 has no profile: neutral (0) and S1; 李四 cannot go above +2 / S4, so nothing is suggested for him.
    assert found == [("张三", "support", 0, 1), ("张三", "stage", 1, 2)]
    rate(session, ids["ar1"], f.id, 2, support=-2, stage=-1)
    fu, rec = scenarios.of_followup(session, scope, f.id)
    found = [(s.contact_name, s.field, s.current, s.proposed) for s in scenarios.suggestions(session, fu, rec)]
    assert found == [("张三", "support", 0, -2), ("李四", "support", 2, 0), ("李四", "stage", 4, 3)]
    # Suggestions only: the profiles are untouched.
    assert session.get(ContactProfile, li.id).support == 2 and session.get(ContactProfile, zhang.id) is None
    assert session.get(Contact, zhang.id) is not None


def test_who_may_pick_tick_and_rate(session, ids):
    customer = make_customer(session, ids["ar1"], "场景权限客户")
    ar1 = scope_of(session, ids["ar1"])
    customer_service.add_member(session, ar1, customer.id, MemberWrite(user_id=ids["sr1"], access="read"))
    session.flush()
    f = followup(session, ids["ar1"], customer_id=customer.id)
    data = FollowUpScenarioWrite(scenario_id=by_code(session, "daily_visit").id, checked=[0])
    # The author may; so may the customer's owner's manager (who can edit the customer).
    scenarios.choose(session, ar1, f.id, data)
    scenarios.choose(session, scope_of(session, ids["director"]), f.id, data)
    scenarios.rate(session, scope_of(session, ids["director"]), f.id, RatingWrite(quality=3))
    # A read-only team member sees the follow-up and its scenario, but may not change it.
    sr1 = scope_of(session, ids["sr1"])
    assert scenarios.of_followup(session, sr1, f.id)[1] is not None
    assert not scenarios.can_edit(session, sr1, scenarios.of_followup(session, sr1, f.id)[0])
    with pytest.raises(Forbidden):
        scenarios.choose(session, sr1, f.id, data)
    with pytest.raises(Forbidden):
        scenarios.rate(session, sr1, f.id, RatingWrite(quality=5))
    # Someone who cannot see the follow-up gets a 404, before any permission check.
    for user in ("ar2", "finance1"):
        with pytest.raises(NotFound):
            scenarios.of_followup(session, scope_of(session, ids[user]), f.id)
        with pytest.raises(NotFound):
            scenarios.choose(session, scope_of(session, ids[user]), f.id, data)
    # The author without relationships.update may not (nor read without relationships.view).
    no_update = dataclasses.replace(ar1, permissions=ar1.permissions - {"relationships.update"})
    assert not scenarios.can_edit(session, no_update, f)
    with pytest.raises(Forbidden):
        scenarios.choose(session, no_update, f.id, data)
    no_view = dataclasses.replace(ar1, permissions=ar1.permissions - {"relationships.view"})
    with pytest.raises(Forbidden):
        scenarios.of_followup(session, no_view, f.id)
    assert session.get(FollowUpScenario, f.id).quality == 3


def test_deleted_followup_hides_its_scenario(session, ids):
    from loam.activities import service as followup_service

    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "training")
    followup_service.delete_(session, Scope.system(), f.id)
    session.flush()
    with pytest.raises(NotFound):
        scenarios.of_followup(session, scope_of(session, ids["ar1"]), f.id)
    with pytest.raises(NotFound):
        scenarios.remove(session, scope_of(session, ids["ar1"]), f.id)
