"""The coverage grid pinned to hand-computed values (issue 5, broad relationships)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import event

from loam.activities import service as activities_service
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.relationships import coverage
from loam.relationships import layers_repository as repo
from loam.relationships import settings as method_settings
from tests.relationships.layers_factories import AS_OF, contact, customer, days_before, local, touch

GOV = ["信息中心", "规划处", "财务处", "采购办", "办公室"]


def _cell(score, dept: str, level: str) -> dict:
    found = [c for c in score.details["cells"] if c["dept"] == dept and c["level"] == level]
    assert len(found) == 1, (dept, level)
    return found[0]


@pytest.fixture
def story(session, ids):
    """A government customer (template: 信息中心 规划处 财务处 采购办 办公室) plus one extra department.

    | contact | department | level     | support | touched                    | counts? |
    | A       | 信息中心   | executive | +1      | 10 d ago, ar1 + sr1        | yes     |
    | J       | 办公室     | executive | none=0  | 30 d ago ar1, 40 d ago ar2 | yes     |
    | D       | 采购办     | executive | −1      | 5 d ago                    | no: opposed |
    | F       | 规划处     | executive | +2      | 3 d ago                    | no: departed yesterday |
    | E       | 办公室     | middle    | +2      | 91 d ago (23:30)           | no: out of the window |
    | H       | IT Dept    | middle    | 0       | 20 d ago, ar1 alone        | yes     |
    | C       | 财务处     | staff     | none=0  | 90 d ago (00:30), ar1 alone| yes     |
    | L       | 采购办     | staff     | +1      | a deleted follow-up        | no      |
    | I       | it dept    | staff     | +1      | 2 d ago; contact deleted   | no      |
    | G       | (none)     | staff     |         |                            | unassigned |
    """
    ar1, sr1, ar2 = ids["ar1"], ids["sr1"], ids["ar2"]
    cust = customer(session, ar1, "覆盖测试客户", industry="government")
    c = {}
    c["A"] = contact(session, ar1, cust.id, "甲", "信息中心", "executive", support=1)
    c["J"] = contact(session, ar1, cust.id, "季", "办公室", "executive")
    c["D"] = contact(session, ar1, cust.id, "丁", "采购办", "executive", support=-1)
    c["F"] = contact(
        session, ar1, cust.id, "方", "规划处", "executive", support=2, departed_on=AS_OF - timedelta(days=1)
    )
    c["E"] = contact(session, ar1, cust.id, "鄂", "办公室", "middle", support=2)
    c["H"] = contact(session, ar1, cust.id, "韩", "IT Dept", "middle", support=0)
    c["C"] = contact(session, ar1, cust.id, "陈", "财务处", "staff")
    c["L"] = contact(session, ar1, cust.id, "李", "采购办", "staff", support=1)
    c["I"] = contact(session, ar1, cust.id, "伊", "it dept", "staff", support=1)
    c["G"] = contact(session, ar1, cust.id, "葛", None, "staff")
    touch(session, ar1, cust.id, [c["A"].id], days_before(10), participants=[sr1])
    touch(session, ar1, cust.id, [c["J"].id], days_before(30))
    touch(session, ar1, cust.id, [c["J"].id], days_before(40), participants=[ar2])
    touch(session, ar1, cust.id, [c["D"].id], days_before(5))
    touch(session, ar1, cust.id, [c["F"].id], days_before(3))
    touch(session, ar1, cust.id, [c["E"].id], days_before(91, 23, 30))
    touch(session, ar1, cust.id, [c["H"].id], days_before(20))
    touch(session, ar1, cust.id, [c["C"].id], days_before(90, 0, 30))
    gone = touch(session, ar1, cust.id, [c["L"].id], days_before(7))
    activities_service.delete_(session, Scope.system(), gone.id)
    touch(session, ar1, cust.id, [c["I"].id], days_before(2))
    contact_service.delete_(session, Scope.system(), c["I"].id)
    session.flush()
    return cust, c


def test_grid_score_points_and_cells(session, ids, story):
    cust, c = story
    s = coverage.customer_scores(session, [cust.id], method_settings.defaults(), AS_OF)[cust.id]
    d = s.details
    # Rows: the 5 template departments, then "IT Dept" (H; I's "it dept" is the same department, and deleted).
    assert d["rows"] == [*GOV, "IT Dept"] and d["template"] == "government"
    assert d["levels"] == ["executive", "middle", "staff"] and len(d["cells"]) == 18
    # Covered: executive 信息中心 (A), 办公室 (J); middle IT Dept (H); staff 财务处 (C).
    # Σ weight·covered = 3·2 + 2·1 + 1·1 = 9; Σ weight = (3+2+1)·6 rows = 36 → 9/36 = 25 % → 25, grade D.
    assert (s.score, s.grade, d["percent"]) == (25, "D", 25.0)
    # Points: executive 6/36 = 16.67, middle 2/36 = 5.56, staff 1/36 = 2.78 → floors 16+5+2 = 23; the two largest
    # remainders (staff .78, executive .67) get the 2 missing points → 17 + 5 + 3 = 25.
    assert [(p.points, p.msgid, p.params) for p in s.points[:3]] == [
        (17, coverage.LEVEL_POINTS["executive"], {"covered": 2, "total": 6}),
        (5, coverage.LEVEL_POINTS["middle"], {"covered": 1, "total": 6}),
        (3, coverage.LEVEL_POINTS["staff"], {"covered": 1, "total": 6}),
    ]
    assert sum(p.points for p in s.points) == s.score
    # Two covered cells rest on ar1 alone (财务处 staff, IT Dept middle); one contact has no department.
    assert [(p.msgid, p.params) for p in s.points[3:]] == [
        (coverage.SINGLE_THREAD, {"n": 2}),
        (coverage.UNASSIGNED, {"n": 1}),
    ]
    assert d["unassigned"] == [{"id": c["G"].id, "name": "葛", "level": "staff"}]


def test_who_covers_and_single_thread(session, ids, story):
    cust, _c = story
    s = coverage.customer_scores(session, [cust.id], method_settings.defaults(), AS_OF)[cust.id]
    two = _cell(s, "信息中心", "executive")
    assert two["covered"] and two["coverers"] == sorted([ids["ar1"], ids["sr1"]]) and not two["single_thread"]
    office = _cell(s, "办公室", "executive")  # two follow-ups by different people: not single-thread
    assert office["coverers"] == sorted([ids["ar1"], ids["ar2"]]) and not office["single_thread"]
    one = _cell(s, "财务处", "staff")  # touched 90 days ago at 00:30 local: inside the window
    assert one["covered"] and one["coverers"] == [ids["ar1"]] and one["single_thread"]
    assert _cell(s, "IT Dept", "middle")["single_thread"]


def test_what_does_not_cover(session, ids, story):
    cust, c = story
    s = coverage.customer_scores(session, [cust.id], method_settings.defaults(), AS_OF)[cust.id]
    opposed = _cell(s, "采购办", "executive")  # support −1, touched 5 days ago
    assert not opposed["covered"] and opposed["coverers"] == [] and not opposed["single_thread"]
    assert opposed["contacts"] == [{"id": c["D"].id, "name": "丁", "support": -1, "touched": True, "counts": False}]
    late = _cell(s, "办公室", "middle")  # touched 91 days ago at 23:30 local: outside
    assert not late["covered"] and late["contacts"][0]["touched"] is False
    assert _cell(s, "规划处", "executive")["contacts"] == []  # departed yesterday: gone from the grid
    deleted_touch = _cell(s, "采购办", "staff")  # its only follow-up is in the recycle bin
    assert not deleted_touch["covered"] and deleted_touch["contacts"][0]["touched"] is False
    assert _cell(s, "IT Dept", "staff")["contacts"] == []  # the deleted contact I
    assert all(not cell["contacts"] for cell in s.details["cells"] if cell["dept"] == "规划处")


def test_changed_weights_give_a_new_percentage(session, ids, story):
    cust, _c = story
    equal = method_settings.defaults()
    equal["coverage"]["level_weights"] = {"executive": 1, "middle": 1, "staff": 1}
    s = coverage.customer_scores(session, [cust.id], equal, AS_OF)[cust.id]
    # 4 covered cells of 18, each weighing 1 → 22.2 % → 22, D; points 11.1 + 5.6 + 5.6: floors 11+5+5 = 21, the
    # missing point goes to the first of the equal remainders (middle) → 11 + 6 + 5.
    assert (s.score, s.grade, s.details["percent"]) == (22, "D", 22.2)
    assert [p.points for p in s.points[:3]] == [11, 6, 5]
    only_exec = method_settings.defaults()
    only_exec["coverage"]["level_weights"] = {"executive": 10, "middle": 0, "staff": 0}
    s = coverage.customer_scores(session, [cust.id], only_exec, AS_OF)[cust.id]
    # 10·2 / (10·6) = 33.3 % → 33; levels weighing 0 give no point.
    assert (s.score, [p.points for p in s.points if p.msgid in coverage.LEVEL_POINTS.values()]) == (33, [33])


def test_window_is_a_setting(session, ids, story):
    cust, _c = story
    wide = method_settings.defaults()
    wide["coverage"]["window_days"] = 91
    s = coverage.customer_scores(session, [cust.id], wide, AS_OF)[cust.id]
    # E (办公室 middle, touched 91 days ago) now counts: 9 + 2 = 11 / 36 = 30.6 % → 31, D.
    assert _cell(s, "办公室", "middle")["covered"] and s.score == 31


def test_no_contacts_at_all(session, ids):
    cust = customer(session, ids["ar1"], "空白客户")  # no industry: the default template, 7 departments
    s = coverage.customer_scores(session, [cust.id], method_settings.defaults(), AS_OF)[cust.id]
    assert (s.score, s.grade, s.details["percent"]) == (0, "D", 0.0)
    assert s.details["rows"] == method_settings.DEFAULTS["coverage"]["templates"]["default"]
    assert len(s.details["cells"]) == 21 and not any(cell["covered"] for cell in s.details["cells"])
    assert [(p.points, p.params) for p in s.points] == [
        (0, {"covered": 0, "total": 7}),
        (0, {"covered": 0, "total": 7}),
        (0, {"covered": 0, "total": 7}),
    ]


def test_unknown_industry_and_empty_template(session, ids):
    cust = customer(session, ids["ar1"], "制造客户", industry="manufacturing")  # no template for it: default
    empty = method_settings.defaults()
    empty["coverage"]["templates"] = {"default": []}
    s = coverage.customer_scores(session, [cust.id], empty, AS_OF)[cust.id]
    assert (s.score, s.grade, s.details["rows"], s.details["template"]) == (0, "D", [], "default")
    assert [p.msgid for p in s.points] == [coverage.NO_ROWS]


@pytest.mark.parametrize(
    ("levels", "score", "grade"),
    [
        # One department (技术部), weights 3/2/1, Σ = 6.
        (("executive", "middle", "staff"), 100, "A"),
        (("executive", "middle"), 83, "A"),  # 5/6 = 83.3
        (("executive", "staff"), 67, "B"),  # 4/6 = 66.7
        (("middle", "staff"), 50, "C"),  # 3/6 = 50
        (("staff",), 17, "D"),  # 1/6 = 16.7
    ],
)
def test_grades(session, ids, levels, score, grade):
    one = method_settings.defaults()
    one["coverage"]["templates"] = {"default": ["技术部"]}
    cust = customer(session, ids["ar1"], "单部门客户")
    for i, level in enumerate(levels):
        person = contact(session, ids["ar1"], cust.id, f"技术{i}", " 技术部 ", level)
        touch(session, ids["ar1"], cust.id, [person.id], days_before(1))
    s = coverage.customer_scores(session, [cust.id], one, AS_OF)[cust.id]
    assert (s.score, s.grade, s.details["rows"]) == (score, grade, ["技术部"])
    assert sum(p.points for p in s.points) == score


def test_departed_counts_until_the_day_it_left(session, ids):
    cust = customer(session, ids["ar1"], "离职客户")
    leaver = contact(session, ids["ar1"], cust.id, "离", "技术部", "executive", departed_on=AS_OF)
    touch(session, ids["ar1"], cust.id, [leaver.id], days_before(3))
    settings = method_settings.defaults()
    before = coverage.customer_scores(session, [cust.id], settings, AS_OF - timedelta(days=1))[cust.id]
    # The day before: 3 / (6·7 departments = 42) = 7.1 % → 7.
    assert before.score == 7 and _cell(before, "技术部", "executive")["covered"]
    on_the_day = coverage.customer_scores(session, [cust.id], settings, AS_OF)[cust.id]
    assert on_the_day.score == 0 and _cell(on_the_day, "技术部", "executive")["contacts"] == []


def test_a_follow_up_after_as_of_does_not_count(session, ids):
    cust = customer(session, ids["ar1"], "未来客户")
    person = contact(session, ids["ar1"], cust.id, "未", "技术部", "executive")
    touch(session, ids["ar1"], cust.id, [person.id], local(AS_OF + timedelta(days=1), 0, 10))
    assert coverage.customer_scores(session, [cust.id], method_settings.defaults(), AS_OF)[cust.id].score == 0
    touch(session, ids["ar1"], cust.id, [person.id], local(AS_OF, 23, 50))
    assert coverage.customer_scores(session, [cust.id], method_settings.defaults(), AS_OF)[cust.id].score == 7


def test_set_based_fixed_number_of_queries(session, ids, story, monkeypatch):
    cust, _c = story
    others = [customer(session, ids["ar1"], f"批量客户{i}").id for i in range(4)]
    extra = contact(session, ids["ar1"], others[0], "批", "技术部", "executive")
    touch(session, ids["ar1"], others[0], [extra.id], days_before(1))
    settings = method_settings.defaults()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    session.flush()
    conn = session.connection()
    event.listen(conn, "before_cursor_execute", count)
    try:
        one = coverage.customer_scores(session, [cust.id], settings, AS_OF)
        n_one = len(statements)
        statements.clear()
        many = coverage.customer_scores(session, [cust.id, *others], settings, AS_OF)
        n_many = len(statements)
    finally:
        event.remove(conn, "before_cursor_execute", count)
    assert n_one == n_many == 3
    assert many[cust.id] == one[cust.id] and many[others[0]].score == 7 and many[others[1]].score == 0
    # Chunked IN lists give the same result.
    monkeypatch.setattr(repo.chunks, "__defaults__", (2,))
    assert coverage.customer_scores(session, [cust.id, *others], settings, AS_OF) == many


def test_customer_score_obeys_scope(session, ids, story):
    from loam.errors import NotFound
    from tests.helpers import scope_of

    cust, _c = story
    score, version = coverage.customer_score(session, scope_of(session, ids["ar1"]), cust.id, AS_OF)
    assert score.score == 25 and version == method_settings.current_row(session).version
    with pytest.raises(NotFound):
        coverage.customer_score(session, scope_of(session, ids["ar2"]), cust.id, AS_OF)


def test_points_are_explained_in_both_languages(session, ids, story):
    from loam.kit.i18n import use_locale

    cust, _c = story
    s = coverage.customer_scores(session, [cust.id], copy.deepcopy(method_settings.DEFAULTS), AS_OF)[cust.id]
    with use_locale("en"):
        assert s.points[0].text() == "executive level: 2 of 6 departments covered"
        assert s.points[0].signed() == "+17"
