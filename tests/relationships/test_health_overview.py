"""The company view over the stored snapshots: customers by band × tier, the biggest drops this month, our
departments ranked by mean health, the customer list; only what the caller can see; filters."""

from __future__ import annotations

import pytest

from loam.errors import Forbidden
from loam.relationships import health_overview
from loam.relationships.schemas_health import HealthListFilters, OverviewFilters
from tests.helpers import scope_of
from tests.relationships import health_helpers as hh


def test_director_sees_the_whole_department(session, ids) -> None:
    c = hh.company(session, ids)
    view = health_overview.overview(session, scope_of(session, ids["director"]), OverviewFilters())
    assert (view.month, view.previous_month) == (hh.this_month(), hh.months_ago(1))
    # A 70 sub-healthy S, B 55 at risk A, C 30 critical (no tier), D 35 critical S.
    assert view.matrix == {("sub_healthy", "S"): 1, ("at_risk", "A"): 1, ("critical", ""): 1, ("critical", "S"): 1}
    assert view.bands == {"sub_healthy": 1, "at_risk": 1, "critical": 2}
    assert view.tiers == {"S": 2, "A": 1, "": 1}
    assert view.total == 4
    # Drops: D 90 → 35 (55), A 85 → 70 (15); B rose, C has no previous snapshot.
    assert [(d["customer_id"], d["previous"], d["health"], d["drop"]) for d in view.drops] == [
        (c["D"], 90, 35, 55),
        (c["A"], 85, 70, 15),
    ]
    assert view.drops[0]["previous_band"] == "healthy" and view.drops[0]["band"] == "critical"
    # Departments: team 1 owns A, B, C → (70 + 55 + 30) / 3 = 51.67 → 51.7; team 2 owns D → 35.
    assert [(d["department_id"], d["customers"], d["mean_health"]) for d in view.departments] == [
        (ids["team1"], 3, 51.7),
        (ids["team2"], 1, 35.0),
    ]
    assert view.departments[0]["bands"] == {"sub_healthy": 1, "at_risk": 1, "critical": 1}


def test_an_account_manager_sees_only_own_customers(session, ids) -> None:
    c = hh.company(session, ids)
    view = health_overview.overview(session, scope_of(session, ids["ar1"]), OverviewFilters())
    assert view.total == 3 and ("critical", "S") not in view.matrix  # D is ar2's
    assert [d["customer_id"] for d in view.drops] == [c["A"]]
    assert [(d["department_id"], d["customers"]) for d in view.departments] == [(ids["team1"], 3)]
    nobody = health_overview.overview(session, scope_of(session, ids["finance1"]), OverviewFilters())
    assert (nobody.total, nobody.drops, nobody.departments) == (0, [], [])


def test_filters_by_tier_owner_department_and_month(session, ids) -> None:
    c = hh.company(session, ids)
    director = scope_of(session, ids["director"])
    by_tier = health_overview.overview(session, director, OverviewFilters(tier="S"))
    assert by_tier.total == 2 and [d["customer_id"] for d in by_tier.drops] == [c["D"], c["A"]]
    by_owner = health_overview.overview(session, director, OverviewFilters(owner_id=ids["ar2"]))
    assert by_owner.matrix == {("critical", "S"): 1}
    by_dept = health_overview.overview(session, director, OverviewFilters(department_id=ids["team2"]))
    assert by_dept.total == 1 and by_dept.departments[0]["department_id"] == ids["team2"]
    whole = health_overview.overview(session, director, OverviewFilters(department_id=ids["account"]))
    assert whole.total == 4  # the account department and the teams below it
    last = health_overview.overview(session, director, OverviewFilters(month=hh.months_ago(1)))
    # Last month: A 85 healthy, B 50 at risk, D 90 healthy; nothing before it, so no drops.
    assert last.bands == {"healthy": 2, "at_risk": 1} and last.drops == []


def test_the_customer_list_is_worst_first_and_paged(session, ids) -> None:
    c = hh.company(session, ids)
    director = scope_of(session, ids["director"])
    rows, total, month = health_overview.customers(session, director, HealthListFilters(), 1, 3)
    assert month == hh.this_month() and total == 4
    assert [(r["id"], r["health"], r["previous"], r["change"]) for r in rows] == [
        (c["C"], 30, None, None),
        (c["D"], 35, 90, -55),
        (c["B"], 55, 50, 5),
    ]
    rest, total2, _m = health_overview.customers(session, director, HealthListFilters(), 2, 3)
    assert [r["id"] for r in rest] == [c["A"]] and total2 == 4
    critical, n, _m = health_overview.customers(session, director, HealthListFilters(band="critical"))
    assert {r["id"] for r in critical} == {c["C"], c["D"]} and n == 2
    by_change, _n, _m = health_overview.customers(session, director, HealthListFilters(), sort="-change")
    assert [r["id"] for r in by_change] == [c["B"], c["C"], c["A"], c["D"]]  # +5, none (0), −15, −55


def test_no_snapshot_yet(session, ids) -> None:
    view = health_overview.overview(session, scope_of(session, ids["director"]), OverviewFilters())
    assert view.month is None and view.total == 0


def test_the_company_view_needs_relationships_view(session, ids) -> None:
    hh.company(session, ids)
    hh.without_relationships(session, ids)
    with pytest.raises(Forbidden):
        health_overview.overview(session, scope_of(session, ids["sr1"]), OverviewFilters())
    with pytest.raises(Forbidden):
        health_overview.customers(session, scope_of(session, ids["sr1"]), HealthListFilters())
