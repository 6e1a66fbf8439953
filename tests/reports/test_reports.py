"""Each report's numbers on the hand-built company (tests/reports/factories.py), pinned exactly, and the
data scope: a user's reports count only what their lists show (R13)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from loam.errors import Forbidden, Invalid, NotFound
from loam.reports import service
from loam.reports.periods import today
from loam.reports.schemas import ReportFilters
from tests.helpers import scope_of
from tests.reports.factories import CUR

D = Decimal


def run(session, who, name, **filters):
    return service.run(session, scope_of(session, who), name, ReportFilters(currency=CUR, **filters))


def table(report, key):
    return next(t for t in report.tables if t.key == key)


def col(t, key):
    return [r[key] for r in t.rows]


def test_funnel_counts_amounts_and_weighted_amounts(session, world, ids):
    t = table(run(session, ids["admin"], "funnel"), "stages")
    assert col(t, "count") == [2, 1, 1, 1]  # 验证客户 (O1, O7), 需求分析, 方案/报价, 谈判
    assert col(t, "probability") == [10, 25, 50, 75]
    assert col(t, "amount") == [D("150000.00"), D("200000.00"), D("300000.00"), D("400000.00")]
    assert col(t, "weighted") == [D("15000.00"), D("50000.00"), D("150000.00"), D("300000.00")]
    assert t.total == {"stage": t.total["stage"], "count": 5, "amount": D("1050000.00"), "weighted": D("515000.00")}


def test_funnel_obeys_the_data_scope(session, world, ids):
    ar1 = table(run(session, ids["ar1"], "funnel"), "stages")
    assert col(ar1, "count") == [1, 1, 1, 1] and ar1.total["amount"] == D("1000000.00")
    ar2 = table(run(session, ids["ar2"], "funnel"), "stages")
    assert col(ar2, "count") == [1, 0, 0, 0] and ar2.total["amount"] == D("50000.00")
    director = table(run(session, ids["director"], "funnel"), "stages")
    assert director.total["count"] == 5
    finance = table(run(session, ids["finance1"], "funnel"), "stages")  # own scope, owns nothing
    assert finance.total["count"] == 0


def test_funnel_filters(session, world, ids):
    admin = ids["admin"]
    by_user = table(run(session, admin, "funnel", user_id=ids["ar2"]), "stages")
    assert by_user.total["count"] == 1
    team1 = table(run(session, admin, "funnel", department_id=world.ids["team1"]), "stages")
    assert team1.total["amount"] == D("1000000.00")
    office = table(run(session, admin, "funnel", department_id=world.ids["office"]), "stages")  # and below
    assert office.total["count"] == 5
    software = table(run(session, admin, "funnel", category_id=world.categories["software"]), "stages")
    assert col(software, "count") == [0, 0, 1, 0]  # only O3 has a 软件 product line
    hardware = table(run(session, admin, "funnel", category_id=world.categories["hardware"]), "stages")
    assert hardware.total["count"] == 0
    later = table(
        run(
            session,
            admin,
            "funnel",
            period="custom",
            date_from=today() + timedelta(days=31),
            date_to=today() + timedelta(days=60),
        ),
        "stages",
    )
    assert later.total["count"] == 0  # expected to close in 30 days: outside that window
    assert table(run(session, admin, "funnel", pipeline_id=1), "stages").total["count"] == 5


def test_win_rate_per_month_per_user_and_lost_reasons(session, world, ids):
    report = run(session, ids["admin"], "winrate")
    months = table(report, "months")
    this_month = f"{today().year}-{today().month:02d}"
    row = next(r for r in months.rows if r["period"] == this_month)
    assert (row["won"], row["lost"], row["rate"]) == (3, 2, D("60.00"))
    assert sum(col(months, "won")) == 3
    assert (months.total["won_amount"], months.total["lost_amount"]) == (D("680000.00"), D("670000.00"))
    users = table(report, "users")
    assert [(r["user"], r["won"], r["lost"], r["rate"]) for r in users.rows] == [
        ("李明", 2, 1, D("66.67")),
        ("张伟", 1, 1, D("50.00")),
    ]
    assert users.rows[0]["department"] == "南宁客户群一组"
    reasons = table(report, "reasons")
    assert [(r["reason"], r["count"], r["amount"], r["share"]) for r in reasons.rows] == [
        ("价格", 1, D("600000.00"), D("50.00")),
        ("竞争对手", 1, D("70000.00"), D("50.00")),
        ("客户无预算", 1, D("90000.00"), D("100.00")),
    ]


def test_win_rate_in_scope(session, world, ids):
    users = table(run(session, ids["ar2"], "winrate"), "users")
    assert [(r["user"], r["won"], r["lost"]) for r in users.rows] == [("张伟", 1, 1)]
    assert table(run(session, ids["ar1"], "winrate"), "months").total["rate"] == D("66.67")


def test_stage_conversion_counts_stages_reached_or_passed(session, world, ids):
    report = run(session, ids["admin"], "conversion")
    conv = table(report, "conversion")
    assert col(conv, "reached") == [11, 7, 5, 4, 3]  # Qualify, Needs, Proposal, Negotiation, Won
    assert col(conv, "conversion") == [D("63.64"), D("71.43"), D("80.00"), D("75.00"), None]
    assert col(conv, "share") == [D("100.00"), D("63.64"), D("45.45"), D("36.36"), D("27.27")]
    time = table(report, "time")
    assert col(time, "moves") == [9, 3, 1, 1]
    ar2 = table(run(session, ids["ar2"], "conversion"), "conversion")
    assert col(ar2, "reached") == [4, 1, 1, 1, 1]  # O7, O8, O9 (won via Negotiation), O11


def test_time_in_stage_average_and_median(session, ids, monkeypatch):
    from loam.db import utcnow
    from loam.opportunities import moves
    from tests.helpers import make_customer
    from tests.reports.factories import move, opportunity

    customer = make_customer(session, ids["ar1"], "时长客户").id
    start = utcnow()
    for days, second in ((1, 4), (2, 8), (6, None)):
        opp = opportunity(session, ids["ar1"], customer, "1000")
        monkeypatch.setattr(moves, "utcnow", lambda d=days: start + timedelta(days=d))
        move(session, ids["ar1"], opp, "Needs analysis")
        if second is not None:
            monkeypatch.setattr(moves, "utcnow", lambda d=days + second: start + timedelta(days=d))
            move(session, ids["ar1"], opp, "Proposal / quote")
    window = {"period": "custom", "date_from": today() - timedelta(days=1), "date_to": today() + timedelta(days=30)}
    time = table(run(session, ids["ar1"], "conversion", **window), "time")
    assert (time.rows[0]["moves"], time.rows[0]["average"], time.rows[0]["median"]) == (3, D("3.0"), D("2.0"))
    assert (time.rows[1]["moves"], time.rows[1]["average"], time.rows[1]["median"]) == (2, D("6.0"), D("6.0"))


def test_new_opportunities_trend(session, world, ids):
    report = run(session, ids["admin"], "trend")
    t = table(report, "trend")
    assert len(t.rows) == 12 and t.total["count"] == 11 and t.total["amount"] == D("2490000.00")
    weekly = table(run(session, ids["ar1"], "trend", interval="week", period="this_month"), "trend")
    assert sum(col(weekly, "count")) == 7 and weekly.total["amount"] == D("2200000.00")
    assert weekly.rows[0]["period"] == today().replace(day=1).isoformat()


def test_contract_amount_by_each_dimension(session, world, ids):
    admin = ids["admin"]
    months = table(run(session, admin, "contracts"), "month")
    assert months.total == {
        "key": months.total["key"],
        "contracts": 2,
        "amount": D("1500000.00"),
    }  # the draft C3 is out
    users = table(run(session, admin, "contracts", by="user"), "user")
    assert [(r["key"], r["department"], r["contracts"], r["amount"]) for r in users.rows] == [
        ("李明", "南宁客户群一组", 1, D("1000000.00")),
        ("张伟", "柳州客户群二组", 1, D("500000.00")),
    ]
    depts = table(run(session, admin, "contracts", by="department"), "department")
    assert [(r["key"], r["amount"]) for r in depts.rows] == [
        ("南宁客户群一组", D("1000000.00")),
        ("柳州客户群二组", D("500000.00")),
    ]
    products = table(run(session, admin, "contracts", by="product"), "product")
    assert [(r["key"], r["contracts"], r["quantity"], r["amount"]) for r in products.rows] == [
        ("报表产品A", 2, D("3.0000"), D("1100000.00")),
        ("报表产品B", 1, D("1.0000"), D("400000.00")),
    ]
    soft = table(run(session, admin, "contracts", by="product", category_id=world.categories["software"]), "product")
    assert [(r["key"], r["amount"]) for r in soft.rows] == [("报表产品B", D("400000.00"))]
    assert table(run(session, admin, "contracts", category_id=world.categories["software"]), "month").total[
        "amount"
    ] == D("1000000.00")
    assert table(run(session, ids["ar2"], "contracts"), "month").total["amount"] == D("500000.00")


def _wide():
    return {"period": "custom", "date_from": today() - timedelta(days=120), "date_to": today() + timedelta(days=30)}


def test_receivables_planned_vs_received_ageing_and_overdue(session, world, ids):
    report = run(session, ids["admin"], "receivables", **_wide())
    months = table(report, "months")
    assert (months.total["planned"], months.total["collected"], months.total["received"]) == (
        D("1500000.00"),
        D("100000.00"),
        D("100000.00"),
    )
    assert months.total["rate"] == D("6.67")
    due = today() - timedelta(days=40)
    row = next(r for r in months.rows if r["month"] == f"{due.year}-{due.month:02d}")
    assert row["collected"] == D("100000.00") and row["planned"] >= D("300000.00")
    ageing = table(report, "ageing")
    assert col(ageing, "count") == [0, 1, 0, 1] and col(ageing, "amount") == [
        D("0.00"),
        D("200000.00"),
        D("0.00"),
        D("500000.00"),
    ]
    assert ageing.total["amount"] == D("700000.00")
    overdue = table(report, "overdue")
    assert [(r["outstanding"], r["days"], r["owner"]) for r in overdue.rows] == [
        (D("500000.00"), 100, "张伟"),
        (D("200000.00"), 40, "李明"),
    ]


def test_receivables_scope_and_filters(session, world, ids):
    mine = run(session, ids["ar1"], "receivables", **_wide())
    assert table(mine, "months").total["planned"] == D("1000000.00")
    assert [r["owner"] for r in table(mine, "overdue").rows] == ["李明"]
    assert table(mine, "ageing").total["amount"] == D("200000.00")
    team2 = run(session, ids["admin"], "receivables", department_id=world.ids["team2"], **_wide())
    assert table(team2, "ageing").total["amount"] == D("500000.00")
    assert [r["owner"] for r in table(team2, "overdue").rows] == ["张伟"]
    account = run(session, ids["admin"], "receivables", department_id=world.ids["account"], **_wide())
    assert table(account, "ageing").total["amount"] == D("700000.00")  # the department and those below it
    by_user = run(session, ids["admin"], "receivables", user_id=ids["ar2"], **_wide())
    assert table(by_user, "months").total["planned"] == D("500000.00")


def test_leaderboards(session, world, ids):
    report = run(session, ids["admin"], "leaderboard")
    boards = {t.key: [(r["rank"], r["user"], r["value"]) for r in t.rows] for t in report.tables}
    assert boards["contracts"] == [(1, "李明", D("1000000.00")), (2, "张伟", D("500000.00"))]
    assert boards["receipts"] == [(1, "李明", D("100000.00"))]
    assert boards["customers"] == [(1, "李明", 2), (2, "张伟", 1)]
    assert boards["followups"] == [(1, "李明", 3), (2, "张伟", 1)]
    assert table(report, "contracts").rows[0]["department"] == "南宁客户群一组"
    mine = run(session, ids["ar2"], "leaderboard")
    assert {t.key: [r["user"] for r in t.rows] for t in mine.tables} == {
        "contracts": ["张伟"],
        "receipts": [],
        "customers": ["张伟"],
        "followups": ["张伟"],
    }
    team1 = run(session, ids["admin"], "leaderboard", department_id=world.ids["team1"])
    assert [r["user"] for r in table(team1, "followups").rows] == ["李明"]


def test_report_rules(session, world, ids):
    admin = scope_of(session, ids["admin"])
    with pytest.raises(NotFound):
        service.run(session, admin, "nonsense", ReportFilters())
    with pytest.raises(Invalid):
        service.run(session, admin, "funnel", ReportFilters(by="user"))  # not a filter of the funnel
    with pytest.raises(Invalid):
        service.run(session, admin, "trend", ReportFilters(period="all"))  # a trend needs bounds
    with pytest.raises(Invalid):
        service.run(session, admin, "funnel", ReportFilters(period="custom"))
    with pytest.raises(Invalid):
        service.run(session, admin, "funnel", ReportFilters(department_id=999999))
    with pytest.raises(Invalid):
        service.run(session, admin, "funnel", ReportFilters(pipeline_id=999999))
    with pytest.raises(Invalid):
        service.run(
            session,
            admin,
            "trend",
            ReportFilters(period="custom", date_from=today() - timedelta(days=3000), date_to=today(), interval="week"),
        )
    nobody = _user_without_roles(session)
    with pytest.raises(Forbidden):
        service.run(session, nobody, "funnel", ReportFilters())
    with pytest.raises(Forbidden):
        service.catalogue(nobody)
    assert [d.name for d in service.catalogue(admin)] == list(service.DEFINITIONS)


def _user_without_roles(session):
    from loam.authz import service as authz_service
    from loam.org import service as org_service
    from loam.org.schemas import UserCreate

    user = org_service.create_user(
        session, UserCreate(username="noreports", display_name="无报表", password="loam-demo-pass", role_ids=[])
    )
    session.flush()
    return authz_service.build_scope(session, user)
