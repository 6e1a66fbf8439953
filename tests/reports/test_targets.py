"""Sales targets: CRUD with its rules, who reaches whose targets, the grid editor's save, and the
targets-vs-actual report's completion percentages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.reports import service, targets_service
from loam.reports.periods import today
from loam.reports.schemas import GridRow, ReportFilters, TargetCreate, TargetFilters, TargetGrid, TargetUpdate
from tests.helpers import scope_of
from tests.reports.factories import CUR

D = Decimal
YEAR = today().year
MONTH = today().month


def months(**values: str) -> list[Decimal]:
    """Twelve months, zero except ``m<N>=amount``."""
    out = [D("0")] * 12
    for key, value in values.items():
        out[int(key[1:]) - 1] = D(value)
    return out


def make(session, ids, metric="contract_amount", user=None, department=None, **values):
    admin = scope_of(session, ids["admin"])
    data = TargetCreate(
        year=YEAR, metric=metric, user_id=user, department_id=department, currency=CUR, months=months(**values)
    )
    return targets_service.create_target(session, admin, data)


def test_crud_sums_version_and_audit(session, ids):
    t = make(session, ids, user=ids["ar1"], m1="100", m2="200.50", m4="300", m12="1")
    assert t.quarters == [D("300.50"), D("300"), D("0"), D("1")] and t.total == D("601.50")
    admin = scope_of(session, ids["admin"])
    with pytest.raises(Conflict):  # one per subject, year and metric
        make(session, ids, user=ids["ar1"], m1="1")
    make(session, ids, metric="receipts", user=ids["ar1"], m1="1")  # another metric is fine
    updated = targets_service.update_target(
        session, admin, t.id, TargetUpdate(currency=CUR, months=months(m1="50"), version=t.version)
    )
    assert updated.total == D("50.00") and updated.version == 2
    with pytest.raises(Conflict):
        targets_service.update_target(
            session, admin, t.id, TargetUpdate(currency=CUR, months=months(m1="60"), version=1)
        )
    actions = [a.action for a in session.query(AuditLog).filter_by(entity="sales_target", entity_id=t.id)]
    assert actions == ["create", "update"]
    targets_service.delete_target(session, admin, t.id)
    with pytest.raises(NotFound):
        targets_service.get_target(session, admin, t.id)


def test_permissions_and_reach(session, ids):
    t = make(session, ids, user=ids["ar1"], m1="100")
    dept = make(session, ids, department=ids["team2"], m1="100")
    ar1, ar2, director = (scope_of(session, ids[u]) for u in ("ar1", "ar2", "director"))
    assert targets_service.get_target(session, ar1, t.id).id == t.id  # sees their own (reports.view)
    with pytest.raises(Forbidden):  # but may not change it (targets.manage)
        targets_service.update_target(session, ar1, t.id, TargetUpdate(currency=CUR, months=months(m1="1"), version=1))
    with pytest.raises(NotFound):  # out of scope: 404, never 403
        targets_service.get_target(session, ar2, t.id)
    with pytest.raises(NotFound):  # a team of three people is not "own" for ar1
        targets_service.get_target(session, ar1, dept.id)
    assert targets_service.get_target(session, director, dept.id).id == dept.id
    listed = {x.id for x in targets_service.list_targets(session, director, TargetFilters(year=YEAR))[0]}
    assert {t.id, dept.id} <= listed
    assert {x.id for x in targets_service.list_targets(session, ar1, TargetFilters())[0]} == {t.id}
    with pytest.raises(Forbidden):  # the director may not set a target for someone outside their scope
        targets_service.create_target(
            session,
            director,
            TargetCreate(year=YEAR, metric="contract_amount", user_id=ids["finance1"], months=months(m1="1")),
        )
    with pytest.raises(Invalid):
        targets_service.create_target(
            session,
            scope_of(session, ids["admin"]),
            TargetCreate(year=YEAR, metric="contract_amount", user_id=999999, months=months()),
        )


def test_grid_save_creates_updates_and_refuses_stale_rows(session, ids):
    admin = scope_of(session, ids["admin"])
    lines = targets_service.grid(session, admin, YEAR, "contract_amount", ids["team1"])
    subjects = [(line.kind, line.id) for line in lines]
    assert (
        subjects[0] == ("department", ids["team1"])
        and ("user", ids["ar1"]) in subjects
        and ("user", ids["ar2"]) not in subjects
    )
    rows = [GridRow(user_id=ids["ar1"], months=months(m1="10")), GridRow(user_id=ids["sr1"], months=months())]
    assert (
        targets_service.save_grid(
            session, admin, ids["team1"], TargetGrid(year=YEAR, metric="contract_amount", currency=CUR, rows=rows)
        )
        == 1
    )
    found = {
        (x.kind, x.id): x.target for x in targets_service.grid(session, admin, YEAR, "contract_amount", ids["team1"])
    }
    assert found[("user", ids["ar1"])].total == D("10.00") and found[("user", ids["sr1"])] is None  # zeros: no target
    again = [GridRow(user_id=ids["ar1"], months=months(m1="20"), version=1)]
    assert (
        targets_service.save_grid(
            session, admin, ids["team1"], TargetGrid(year=YEAR, metric="contract_amount", currency=CUR, rows=again)
        )
        == 1
    )
    with pytest.raises(Conflict):
        targets_service.save_grid(
            session, admin, ids["team1"], TargetGrid(year=YEAR, metric="contract_amount", currency=CUR, rows=again)
        )
    with pytest.raises(Invalid):  # ar2 is not in this department
        targets_service.save_grid(
            session,
            admin,
            ids["team1"],
            TargetGrid(
                year=YEAR,
                metric="contract_amount",
                currency=CUR,
                rows=[GridRow(user_id=ids["ar2"], months=months(m1="1"))],
            ),
        )
    with pytest.raises(Forbidden):
        targets_service.grid(session, scope_of(session, ids["ar1"]), YEAR, "contract_amount", ids["team1"])


def test_targets_vs_actual_completion(session, world, ids):
    make(session, ids, user=ids["ar1"], **{f"m{MONTH}": "1000000", f"m{13 - MONTH if MONTH != 6 else 7}": "250000"})
    make(session, ids, department=ids["team2"], **{f"m{MONTH}": "1000000"})
    make(session, ids, department=ids["account"], **{f"m{MONTH}": "2000000"})
    make(session, ids, metric="receipts", user=ids["ar1"], **{f"m{MONTH}": "200000"})
    admin = scope_of(session, ids["admin"])
    report = service.run(session, admin, "attainment", ReportFilters(currency=CUR, year=YEAR))
    summary = {r["subject"]: (r["target"], r["actual"], r["completion"]) for r in report.tables[0].rows}
    assert summary["李明"] == (D("1250000.00"), D("1000000.00"), D("80.00"))
    assert summary["柳州客户群二组"] == (D("1000000.00"), D("500000.00"), D("50.00"))
    assert summary["广西电信系统部"] == (D("2000000.00"), D("1500000.00"), D("75.00"))  # and the teams below it
    per_month = [r for r in report.tables[1].rows if r["subject"] == "李明"]
    assert len(per_month) == 12 and per_month[MONTH - 1]["completion"] == D("100.00")
    quarters = service.run(session, admin, "attainment", ReportFilters(currency=CUR, year=YEAR, interval="quarter"))
    assert len([r for r in quarters.tables[1].rows if r["subject"] == "李明"]) == 4
    receipts = service.run(session, admin, "attainment", ReportFilters(currency=CUR, year=YEAR, metric="receipts"))
    assert [(r["subject"], r["actual"], r["completion"]) for r in receipts.tables[0].rows] == [
        ("李明", D("100000.00"), D("50.00"))
    ]
    mine = service.run(session, scope_of(session, ids["ar2"]), "attainment", ReportFilters(currency=CUR, year=YEAR))
    # ar2 reaches neither ar1's target nor the account department's; team2 is ar2 alone, so its target is theirs
    assert [(r["subject"], r["actual"], r["completion"]) for r in mine.tables[0].rows] == [
        ("柳州客户群二组", D("500000.00"), D("50.00"))
    ]
    chosen = service.run(session, admin, "attainment", ReportFilters(currency=CUR, year=YEAR, user_id=ids["ar2"]))
    assert [(r["subject"], r["target"], r["actual"], r["completion"]) for r in chosen.tables[0].rows] == [
        ("张伟", D("0.00"), D("500000.00"), None)
    ]
    with pytest.raises(Invalid):
        service.run(session, admin, "attainment", ReportFilters(year=YEAR, interval="week"))
