"""Overdue detection and ageing buckets on fixed dates, the overdue list filter, and the daily reminder job."""

from __future__ import annotations

from datetime import date, timedelta

from loam.contracts import lifecycle
from loam.notifications.models import Notification
from loam.receivables import ageing, dates, plans, tasks
from loam.receivables.schemas import AgeingFilters, PlanFilters, PlanUpdate
from tests.helpers import scope_of
from tests.receivables.factories import D, make_contract, make_plan, make_receipt

AS_OF = date(2026, 6, 30)


def _buckets(report):
    return {b.key: (b.count, b.amount) for b in report.buckets}


def _ageing_deal(session, ids):
    """Periods of ar1 due 0, 1, 30, 31, 60, 61, 90, 91 and 200 days before 2026-06-30, 100.00 each; one is
    half paid (approved), one fully paid, one is due later."""
    c = make_contract(session, ids["ar1"], "2000.00")
    made = {}
    for days in (0, 1, 30, 31, 60, 61, 90, 91, 200, -5):
        made[days] = make_plan(session, ids["ar1"], c.id, AS_OF - timedelta(days=days), "100.00")
    paid = [{"plan_id": made[31].id, "amount": "50"}, {"plan_id": made[60].id, "amount": "100"}]
    make_receipt(session, ids["ar1"], c.id, "150.00", allocations=paid, approve=True)
    make_receipt(session, ids["ar1"], c.id, "100.00", allocations=[{"plan_id": made[1].id, "amount": "100"}])  # draft
    return c, made


def test_buckets_on_fixed_dates(session, ids):
    _ageing_deal(session, ids)
    report = ageing.ageing(session, scope_of(session, ids["ar1"]), AS_OF)
    assert report.as_of == AS_OF and report.currency == "CNY"
    assert _buckets(report) == {
        "0-30": (2, D("200.00")),  # 1 and 30 days (0 days = due today: not overdue; the draft does not count)
        "31-60": (1, D("50.00")),  # 31 days, half paid; 60 days is fully paid
        "61-90": (2, D("200.00")),  # 61 and 90
        "90+": (2, D("200.00")),  # 91 and 200
    }
    assert (report.count, report.amount) == (7, D("650.00"))
    later = ageing.ageing(session, scope_of(session, ids["ar1"]), AS_OF + timedelta(days=1))
    # the next day the period due on AS_OF is 1 day overdue, and the 30-day one moves to 31–60
    assert _buckets(later)["0-30"] == (2, D("200.00")) and _buckets(later)["31-60"] == (2, D("150.00"))
    assert later.count == 8


def test_ageing_obeys_scope_and_filters(session, ids):
    c, _made = _ageing_deal(session, ids)
    assert ageing.ageing(session, scope_of(session, ids["ar2"]), AS_OF).count == 0
    assert ageing.ageing(session, scope_of(session, ids["finance1"]), AS_OF).count == 0
    assert ageing.ageing(session, scope_of(session, ids["director"]), AS_OF).count == 7
    other = AgeingFilters(owner_id=ids["ar2"])
    assert ageing.ageing(session, scope_of(session, ids["admin"]), AS_OF, other).count == 0
    mine = AgeingFilters(contract_id=c.id, department_id=c.department_id, customer_id=c.customer_id)
    assert ageing.ageing(session, scope_of(session, ids["admin"]), AS_OF, mine).count == 7
    assert ageing.ageing(session, scope_of(session, ids["admin"]), AS_OF, AgeingFilters(currency="USD")).count == 0


def test_void_contracts_are_never_overdue(session, ids):
    c, _made = _ageing_deal(session, ids)
    lifecycle.void(session, scope_of(session, ids["admin"]), c.id, "客户取消")
    assert ageing.ageing(session, scope_of(session, ids["ar1"]), AS_OF).count == 0
    assert ageing.detect_overdue(session, AS_OF).checked == 0


def test_status_filter_is_computed_in_sql(session, ids):
    c, made = _ageing_deal(session, ids)
    scope = scope_of(session, ids["ar1"])

    def listed(status, as_of=AS_OF):
        rows, _total = plans.list_page(session, scope, PlanFilters(status=status, contract_id=c.id), 1, 50, None, as_of)
        return {p.id for p in rows}

    assert listed("overdue") == {made[d].id for d in (1, 30, 31, 61, 90, 91, 200)}
    assert listed("received") == {made[60].id}
    assert listed("not_due") == {made[0].id, made[-5].id}
    assert listed("partly_received", date(2026, 1, 1)) == {made[31].id}
    assert listed("overdue", date(2025, 1, 1)) == set()
    top = ageing.overdue(session, scope, AS_OF, limit=3)
    assert [p.outstanding for p in top] == [D("100.00")] * 3 and top[0].due_on == AS_OF - timedelta(days=200)


def test_plans_due_between_dates(session, ids):
    _c, made = _ageing_deal(session, ids)
    due = ageing.plans_due(session, scope_of(session, ids["ar1"]), AS_OF - timedelta(days=31), AS_OF)
    assert [p.id for p in due] == [made[d].id for d in (31, 30, 1, 0)]
    assert [p.received for p in due] == [D("50.00"), D("0.00"), D("0.00"), D("0.00")]
    assert ageing.plans_due(session, scope_of(session, ids["ar2"]), AS_OF - timedelta(days=31), AS_OF) == []


def _reminders(session, user_id):
    return (
        session.query(Notification)
        .filter(Notification.user_id == user_id, Notification.kind == "receivable_overdue")
        .order_by(Notification.id)
        .all()
    )


def test_overdue_job_notifies_the_owner_once_per_period_and_due_date(session, ids):
    c, made = _ageing_deal(session, ids)
    run = ageing.detect_overdue(session, AS_OF)
    assert (run.checked, run.notified) == (7, 7)
    rows = _reminders(session, ids["ar1"])
    assert len(rows) == 7
    half = next(r for r in rows if r.entity_id == made[31].id)
    assert half.entity == "receivable_plan"
    assert half.params == {
        "amount": "50.00 CNY",
        "contract": c.number,
        "date": (AS_OF - timedelta(days=31)).isoformat(),
    }
    again = ageing.detect_overdue(session, AS_OF + timedelta(days=1))  # one more period is overdue now
    assert (again.checked, again.notified) == (8, 1) and again.plan_ids == [made[0].id]
    plan = made[200]
    session.refresh(plan)
    plans.update(
        session,
        scope_of(session, ids["ar1"]),
        plan.id,
        PlanUpdate(due_on=AS_OF - timedelta(days=10), amount=D("100"), version=plan.version),
    )
    moved = ageing.detect_overdue(session, AS_OF + timedelta(days=1))  # a new due date: a new reminder
    assert moved.notified == 1 and moved.plan_ids == [plan.id]
    assert ageing.detect_overdue(session, AS_OF + timedelta(days=1)).notified == 0


def test_the_periodic_task_runs_the_detection_for_today(session, ids):
    c = make_contract(session, ids["ar1"], "100.00")
    overdue = make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=3), "60.00")
    make_plan(session, ids["ar1"], c.id, dates.today(), "40.00")
    assert tasks.notify_overdue_receivables.call_local() == {"checked": 1, "notified": 1}
    assert tasks.notify_overdue_receivables.call_local() == {"checked": 1, "notified": 0}
    assert [n.entity_id for n in _reminders(session, ids["ar1"])] == [overdue.id]


def test_the_task_is_registered_as_a_daily_periodic_task():
    from datetime import datetime

    from loam.jobs import huey

    assert "loam.receivables.tasks.notify_overdue_receivables" in huey._registry._registry
    task = tasks.notify_overdue_receivables.task_class()
    assert task.validate_datetime(datetime(2026, 12, 3, 0, 30)) and not task.validate_datetime(
        datetime(2026, 12, 3, 1, 30)
    )


def test_planned_vs_received_by_due_month(session, ids):
    _ageing_deal(session, ids)
    months = ageing.due_by_month(session, scope_of(session, ids["ar1"]), date(2026, 4, 1), date(2026, 7, 31))
    got = {(m.year, m.month): (m.count, m.planned, m.received) for m in months}
    # due 2026-04-01 (90 days), 04-30 (61), 05-01 (60, paid 100), 05-30 (31, paid 50), 05-31 (30), 06-29, 06-30, 07-05
    assert got == {
        (2026, 4): (2, D("200.00"), D("0.00")),
        (2026, 5): (3, D("300.00"), D("150.00")),
        (2026, 6): (2, D("200.00"), D("0.00")),
        (2026, 7): (1, D("100.00"), D("0.00")),
    }
    assert ageing.due_by_month(session, scope_of(session, ids["ar2"]), date(2026, 4, 1), date(2026, 7, 31)) == []
