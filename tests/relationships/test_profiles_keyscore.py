"""The key-relationship score pinned to hand-computed values (arithmetic in the comments).

Default weights: stage 25, support 30, coach 10, recency 15, frequency 10, breadth 10; expected days executive 30,
middle 14, staff 30; window 90 days; breadth_full 3; influence weights high 3 / medium 2 / low 1. The whole points
are the exact ones rounded by largest remainder so that they add up to the rounded total.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from loam import db
from loam.activities import service as followup_service
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.kit.i18n import use_locale
from loam.relationships import keyscore, profiles
from loam.relationships import settings as method_settings
from loam.relationships.scores import LayerScore
from tests.helpers import scope_of
from tests.relationships import profiles_factories as f
from tests.relationships.profiles_factories import AS_OF, ago, at


@pytest.fixture(autouse=True)
def _english():
    """The explanations are compared in English (msgids are English; the zh_CN catalogue translates them)."""
    with use_locale("en"):
        yield


def _points(score: LayerScore) -> dict[str, int]:
    return {p.params["factor"]: p.points for p in score.points if "factor" in p.params}


def _texts(score: LayerScore) -> list[str]:
    return [p.text() for p in score.points]


def _assert_adds_up(score: LayerScore) -> None:
    assert sum(p.points for p in score.points) == score.score
    assert all(float(p.points).is_integer() for p in score.points)


def _strong(session, ids, customer_id: int):
    """S3, supportive, coach, executive; touched 10, 40 and 80 days ago (and 100, outside the window) by ar1 with
    sr1 taking part; fr1 owns the relationship.

    stage 25·2/3 = 16.667; support 30·3/4 = 22.5; coach 10; recency 15·(1 − 10/60) = 12.5;
    frequency 10·min(1, 3 / (90/30)) = 10; breadth 10·min(1, 3/3) = 10 → 81.667 → 82.
    Floors 16+22+10+12+10+10 = 80; +1 to the largest remainders: stage (.667), support (.5, before recency).
    """
    c = f.contact(session, ids["ar1"], customer_id, "王总", level="executive", dept_name="信息中心")
    f.profile(session, ids["ar1"], c.id, stage=3, support=1, coach=True, influence="high")
    for days in (10, 40, 80, 100):
        f.touch(session, ids["ar1"], customer_id, [c.id], ago(days), ids["sr1"])
    f.owners(session, ids["ar1"], c.id, ids["fr1"])
    return c


def _overdue(session, ids, customer_id: int):
    """S2, neutral, middle level (expected every 14 days); one touch 21 days ago by ar1 alone; a deleted follow-up
    2 days ago and one the day after AS_OF do not count.

    stage 25·1/3 = 8.333; support 30·2/4 = 15; coach 0; recency 15·(1 − 21/28) = 3.75;
    frequency 10·(1 / (90/14)) = 1.556; breadth 10·1/3 = 3.333 → 31.972 → 32.
    Floors 8+15+0+3+1+3 = 30; +1 to recency (.75) and frequency (.556).
    """
    c = f.contact(session, ids["ar1"], customer_id, "李处", level="middle", dept_name="信息中心")
    f.profile(session, ids["ar1"], c.id, stage=2)
    f.touch(session, ids["ar1"], customer_id, [c.id], ago(21))
    gone = f.touch(session, ids["ar1"], customer_id, [c.id], ago(2), ids["sr1"])
    followup_service.delete_(session, scope_of(session, ids["ar1"]), gone.id)
    f.touch(session, ids["ar1"], customer_id, [c.id], at(AS_OF + timedelta(days=1)), ids["fr1"])
    return c


def test_a_strong_relationship(session, ids):
    cust = f.customer(session, ids["ar1"], "评分客户甲")
    c = _strong(session, ids, cust.id)
    score = keyscore.contact_scores(session, [c.id], method_settings.current(session), AS_OF)[c.id]
    assert score.score == 82 and score.grade == "A"
    assert _points(score) == {"stage": 17, "support": 23, "coach": 10, "recency": 12, "frequency": 10, "breadth": 10}
    _assert_adds_up(score)
    texts = _texts(score)
    assert "Met 3 times in 90 days (3 expected)" in texts
    assert "Last touch 10 days ago (expected every 30 days)" in texts
    assert "3 of our people know them (3 for full points)" in texts
    assert score.details["last_touch"] == (AS_OF - timedelta(days=10)).isoformat()
    assert score.details["touches"] == 3 and score.details["people"] == 3


def test_an_overdue_relationship_ignores_deleted_and_later_followups(session, ids):
    cust = f.customer(session, ids["ar1"], "评分客户乙")
    c = _overdue(session, ids, cust.id)
    score = keyscore.contact_scores(session, [c.id], method_settings.current(session), AS_OF)[c.id]
    assert score.score == 32 and score.grade == "D"
    assert _points(score) == {"stage": 8, "support": 15, "coach": 0, "recency": 4, "frequency": 2, "breadth": 3}
    _assert_adds_up(score)
    texts = _texts(score)
    assert "No touch in 21 days (expected every 14 days)" in texts
    assert "Met once in 90 days (6.4 expected)" in texts
    assert any(t.startswith("Only one of our people knows them") for t in texts)


def test_never_touched_default_profile_and_the_window_edges(session, ids):
    cust = f.customer(session, ids["ar1"], "评分客户丙")
    # No profile: S1, neutral → 0 + 15 + 0 + 0 + 0 + 0 = 15.
    lone = f.contact(session, ids["ar1"], cust.id, "新人")
    # Staff (30 days): touched 89 days ago (in the 90-day window) and 90 days ago (outside), by ar1 alone.
    # recency 15·max(0, 1 − 89/60) = 0; frequency 10·1/3 = 3.333; breadth 10/3 = 3.333; support 15 → 21.667 → 22
    # (floors 15+3+3 = 21, +1 to the first .333: frequency).
    edge = f.contact(session, ids["ar1"], cust.id, "边界")
    f.touch(session, ids["ar1"], cust.id, [edge.id], ago(89, hour=0))
    f.touch(session, ids["ar1"], cust.id, [edge.id], ago(90, hour=23))
    scores = keyscore.contact_scores(session, [lone.id, edge.id], method_settings.current(session), AS_OF)
    assert scores[lone.id].score == 15
    assert "Never touched: no follow-up with them yet" in _texts(scores[lone.id])
    assert _points(scores[lone.id]) == {
        "stage": 0,
        "support": 15,
        "coach": 0,
        "recency": 0,
        "frequency": 0,
        "breadth": 0,
    }
    assert scores[edge.id].score == 22
    assert _points(scores[edge.id]) == {
        "stage": 0,
        "support": 15,
        "coach": 0,
        "recency": 0,
        "frequency": 4,
        "breadth": 3,
    }
    assert scores[edge.id].details["touches"] == 1
    assert "No touch in 89 days (expected every 30 days)" in _texts(scores[edge.id])


def test_customer_score_weights_by_influence_and_leaves_out_departed_and_deleted(session, ids):
    cust = f.customer(session, ids["ar1"], "评分客户丁")
    strong = _strong(session, ids, cust.id)  # 82, high influence (3)
    overdue = _overdue(session, ids, cust.id)  # 32, medium influence (2)
    # Departed before AS_OF (high influence, S4): would raise the mean, but has left.
    gone = f.contact(session, ids["ar1"], cust.id, "已离职", level="executive")
    f.profile(session, ids["ar1"], gone.id, stage=4, support=2, influence="high")
    profiles.mark_departed(session, scope_of(session, ids["ar1"]), gone.id, AS_OF - timedelta(days=5))
    deleted = f.contact(session, ids["ar1"], cust.id, "已删除")
    contact_service.delete_(session, scope_of(session, ids["ar1"]), deleted.id)
    data = method_settings.current(session)
    score = keyscore.customer_scores(session, [cust.id], data, AS_OF)[cust.id]
    # (82·3 + 32·2) / 5 = 310/5 = 62; contributions 49.2 and 12.8 → 49 + 13 (largest remainder).
    assert score.score == 62 and score.grade == "B"
    assert [p.points for p in score.points] == [49, 13]
    assert score.points[0].text() == "王总: score 82, high influence (weight 3 of 5)"
    assert score.details["contacts"] == [
        {"id": strong.id, "name": "王总", "score": 82},
        {"id": overdue.id, "name": "李处", "score": 32},
    ]
    # The departed contact keeps its own score, with a note; the deleted one is not scored at all.
    own = keyscore.contact_scores(session, [gone.id, deleted.id], data, AS_OF)
    assert set(own) == {gone.id}
    assert any(t.startswith("Left the customer on") for t in _texts(own[gone.id]))
    # Six days earlier it still counted (S4 25 + strong supporter 30, never touched → 55, high influence), and the
    # others are measured from that day: 王总 touched 4 days before → recency 15·(1 − 4/60) = 14, the rest as
    # above → 83; 李处 touched 15 days before → recency 15·(1 − 15/28) = 6.964 → 35.19 → 35.
    # (83·3 + 35·2 + 55·3) / 8 = 484/8 = 60.5 → 61.
    earlier = keyscore.customer_scores(session, [cust.id], data, AS_OF - timedelta(days=6))[cust.id]
    assert earlier.details["count"] == 3 and earlier.score == 61


def test_no_contacts_and_everyone_opposed(session, ids):
    empty = f.customer(session, ids["ar1"], "评分客户空")
    hostile = f.customer(session, ids["ar1"], "评分客户敌")
    for name in ("反对甲", "反对乙"):
        c = f.contact(session, ids["ar1"], hostile.id, name)
        f.profile(session, ids["ar1"], c.id, support=-2)
    scores = keyscore.customer_scores(session, [empty.id, hostile.id], method_settings.current(session), AS_OF)
    assert scores[empty.id].score == 0 and scores[empty.id].grade == "D"
    assert [p.text() for p in scores[empty.id].points] == ["No current contacts (none recorded, or all have left)"]
    assert scores[empty.id].details == {"contacts": [], "count": 0}
    # S1 0 + opposes 30·0/4 = 0 + nothing else → 0 each; the mean is 0.
    assert scores[hostile.id].score == 0
    assert [p.points for p in scores[hostile.id].points] == [0, 0]
    assert {c["score"] for c in scores[hostile.id].details["contacts"]} == {0}


def test_weights_changed_in_a_new_settings_version(session, ids):
    cust = f.customer(session, ids["ar1"], "评分客户权重")
    c = _strong(session, ids, cust.id)
    old = method_settings.current(session)
    before = keyscore.contact_scores(session, [c.id], old, AS_OF)[c.id]
    data = method_settings.defaults()
    data["key"]["weights"] = {"stage": 40, "support": 20, "coach": 10, "recency": 10, "frequency": 10, "breadth": 10}
    admin = scope_of(session, ids["admin"])
    row = method_settings.save(
        session, admin, method_settings.SettingsWrite.model_validate({"data": data, "note": "stage matters more"})
    )
    assert row.version == method_settings.current_row(session).version
    # stage 40·2/3 = 26.667; support 20·3/4 = 15; coach 10; recency 10·5/6 = 8.333; frequency 10; breadth 10
    # → 80.0 → 80; floors 26+15+10+8+10+10 = 79, +1 to stage (.667).
    after = keyscore.contact_scores(session, [c.id], method_settings.current(session), AS_OF)[c.id]
    assert (before.score, after.score) == (82, 80)
    assert _points(after) == {"stage": 27, "support": 15, "coach": 10, "recency": 8, "frequency": 10, "breadth": 10}
    # The old version still explains the old score.
    assert (
        keyscore.contact_scores(session, [c.id], method_settings.version(session, row.version - 1), AS_OF)[c.id].score
        == 82
    )
    # Weights are relative: doubling all of them changes nothing.
    doubled = method_settings.defaults()
    doubled["key"]["weights"] = {k: v * 2 for k, v in doubled["key"]["weights"].items()}
    assert keyscore.contact_scores(session, [c.id], doubled, AS_OF)[c.id].score == 82


def test_expected_days_of_the_profile_override_the_level(session, ids):
    cust = f.customer(session, ids["ar1"], "评分客户频率")
    c = f.contact(session, ids["ar1"], cust.id, "频率", level="executive")
    f.profile(session, ids["ar1"], c.id, expected_days=10)
    f.touch(session, ids["ar1"], cust.id, [c.id], ago(15))
    # recency 15·(1 − 15/20) = 3.75; frequency 10·1/9 = 1.111; breadth 3.333; support 15 → 23.194 → 23
    # floors 15+3+1+3 = 22, +1 to recency (.75).
    score = keyscore.contact_scores(session, [c.id], method_settings.current(session), AS_OF)[c.id]
    assert score.score == 23
    assert _points(score)["recency"] == 4 and _points(score)["frequency"] == 1
    assert "No touch in 15 days (expected every 10 days)" in _texts(score)


def test_a_fixed_number_of_queries_for_any_number_of_customers(session, ids):
    data = method_settings.current(session)
    few = [f.customer(session, ids["ar1"], "查询数一").id]
    many = [f.customer(session, ids["ar1"], f"查询数{i}").id for i in range(6)]
    for cid in few + many:
        c = f.contact(session, ids["ar1"], cid, "甲")
        f.touch(session, ids["ar1"], cid, [c.id], ago(3))
        f.contact(session, ids["ar1"], cid, "乙")

    def count(fn, *args):
        seen: list[str] = []

        def listener(conn, cursor, statement, *rest):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fn(*args)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert count(keyscore.customer_scores, session, few, data, AS_OF) == count(
        keyscore.customer_scores, session, many, data, AS_OF
    )
    contacts = [c.id for c in contact_service.for_customer(session, Scope.system(), many[0])]
    assert count(keyscore.contact_scores, session, contacts[:1], data, AS_OF) == count(
        keyscore.contact_scores, session, contacts, data, AS_OF
    )
