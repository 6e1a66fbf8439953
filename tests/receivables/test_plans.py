"""Plan periods: the contract-amount ceiling (single, batch, recurring, edit, restore), recurring dates and
cents, numbering, contract status, permissions, and the recycle bin."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from loam.contracts import lifecycle
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.receivables import dates, plans
from loam.receivables.models import ReceivablePlan
from loam.receivables.schemas import PlanBatch, PlanCreate, PlanRecurring, PlanUpdate
from loam.recycle import service as recycle_service
from tests.helpers import scope_of
from tests.receivables.factories import D, make_contract, make_plan, make_receipt


def _live(session, contract_id):
    return (
        session.query(ReceivablePlan)
        .filter(ReceivablePlan.contract_id == contract_id, ReceivablePlan.deleted_at.is_(None))
        .order_by(ReceivablePlan.number)
        .all()
    )


def test_single_plans_up_to_the_contract_amount_then_409_with_the_figures(session, ids):
    c = make_contract(session, ids["ar1"], "100000.00")
    make_plan(session, ids["ar1"], c.id, date(2027, 1, 31), "60000.00")
    make_plan(session, ids["ar1"], c.id, date(2027, 3, 31), "40000.00")  # exactly the amount: allowed
    with pytest.raises(Conflict) as exc:
        make_plan(session, ids["ar1"], c.id, date(2027, 5, 31), "0.01")
    assert exc.value.detail == {
        "contract_amount": "100000.00",
        "planned": "100000.00",
        "requested": "0.01",
        "available": "0.00",
    }
    assert "100,000.00" in exc.value.message
    assert [p.number for p in _live(session, c.id)] == [1, 2]


def test_batch_is_checked_as_a_whole_and_is_all_or_nothing(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    scope = scope_of(session, ids["ar1"])
    rows = [{"due_on": f"2027-0{m}-15", "amount": "400.00"} for m in (1, 2, 3)]
    with pytest.raises(Conflict) as exc:
        plans.create_batch(session, scope, PlanBatch(contract_id=c.id, rows=rows))
    assert exc.value.detail["requested"] == "1200.00" and exc.value.detail["available"] == "1000.00"
    assert _live(session, c.id) == []
    made = plans.create_batch(
        session, scope, PlanBatch(contract_id=c.id, rows=[*rows[:2], {**rows[2], "amount": "200"}])
    )
    assert [(p.number, p.amount, p.due_on) for p in made] == [
        (1, D("400.00"), date(2027, 1, 15)),
        (2, D("400.00"), date(2027, 2, 15)),
        (3, D("200.00"), date(2027, 3, 15)),
    ]
    more = make_contract(session, ids["ar1"], "50.00", name="第二个合同")
    assert make_plan(session, ids["ar1"], more.id, date(2027, 1, 1), "50.00").number == 1  # numbering per contract


def test_recurring_exceeding_the_amount_is_refused(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    data = PlanRecurring(
        contract_id=c.id, frequency="monthly", first_due=date(2027, 1, 1), count=3, amount_each=D("400")
    )
    with pytest.raises(Conflict):
        plans.create_recurring(session, scope_of(session, ids["ar1"]), data)
    assert _live(session, c.id) == []


def test_edit_may_not_push_the_total_over_the_amount(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    p1 = make_plan(session, ids["ar1"], c.id, date(2027, 1, 1), "600.00")
    make_plan(session, ids["ar1"], c.id, date(2027, 2, 1), "400.00")
    scope = scope_of(session, ids["ar1"])
    with pytest.raises(Conflict) as exc:
        plans.update(session, scope, p1.id, PlanUpdate(due_on=date(2027, 1, 1), amount=D("600.01"), version=p1.version))
    assert exc.value.detail["planned"] == "400.00"  # the edited period itself is not counted twice
    session.refresh(p1)
    assert p1.amount == D("600.00")
    updated = plans.update(
        session, scope, p1.id, PlanUpdate(due_on=date(2027, 1, 5), amount=D("500"), site="河池站", version=p1.version)
    )
    assert (updated.amount, updated.site, updated.version) == (D("500.00"), "河池站", 2)
    with pytest.raises(Conflict):  # stale version
        plans.update(session, scope, p1.id, PlanUpdate(due_on=date(2027, 1, 5), amount=D("1"), version=1))


def test_recurring_month_ends_and_leap_years():
    assert dates.schedule(date(2027, 1, 31), "monthly", 4) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert dates.schedule(date(2028, 1, 31), "monthly", 2)[1] == date(2028, 2, 29)
    assert dates.schedule(date(2026, 11, 30), "quarterly", 3) == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 30),
    ]
    assert dates.schedule(date(2028, 2, 29), "yearly", 3) == [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28)]
    assert dates.schedule(date(2026, 12, 15), "monthly", 2) == [date(2026, 12, 15), date(2027, 1, 15)]


def test_even_split_puts_the_cents_on_the_last_period():
    assert dates.split_evenly(D("100.00"), 3) == [D("33.33"), D("33.33"), D("33.34")]
    parts = dates.split_evenly(D("1000.01"), 7)
    assert sum(parts) == D("1000.01") and parts[:-1] == [D("142.85")] * 6 and parts[-1] == D("142.91")
    assert dates.split_evenly(D("0.03"), 3) == [D("0.01")] * 3


def test_recurring_creates_the_periods_through_the_service(session, ids):
    c = make_contract(session, ids["ar1"], "100.00")
    data = PlanRecurring(
        contract_id=c.id, frequency="monthly", first_due=date(2028, 1, 31), count=3, total=D("100"), milestone="final"
    )
    made = plans.create_recurring(session, scope_of(session, ids["ar1"]), data)
    assert [(p.number, p.due_on, p.amount, p.milestone) for p in made] == [
        (1, date(2028, 1, 31), D("33.33"), "final"),
        (2, date(2028, 2, 29), D("33.33"), "final"),
        (3, date(2028, 3, 31), D("33.34"), "final"),
    ]


def test_recurring_needs_exactly_one_amount_and_valid_input():
    base = {"contract_id": 1, "frequency": "monthly", "first_due": "2027-01-01", "count": 2}
    for extra in ({}, {"amount_each": "1", "total": "2"}):
        with pytest.raises(Invalid) as exc:
            plans.recurring_rows(PlanRecurring.model_validate(base | extra))
        assert set(exc.value.detail) == {"amount_each", "total"}
    with pytest.raises(Invalid) as exc:
        plans.recurring_rows(PlanRecurring.model_validate(base | {"total": "0.01"}))
    assert set(exc.value.detail) == {"total"}
    for bad in ({"count": 0}, {"count": 121}, {"frequency": "weekly"}):
        with pytest.raises(ValidationError):
            PlanRecurring.model_validate(base | {"amount_each": "1"} | bad)
    for amount in ("0", "-5", "1.234", "1e30"):
        with pytest.raises(ValidationError):
            PlanCreate.model_validate({"contract_id": 1, "due_on": "2027-01-01", "amount": amount})


def test_contract_status_scope_and_permissions(session, ids):
    draft = make_contract(session, ids["ar1"], "500.00", approved=False, name="草稿合同")
    assert make_plan(session, ids["ar1"], draft.id, date(2027, 1, 1), "100").contract_id == draft.id  # drafts: fine
    with pytest.raises(NotFound):  # ar2 cannot see ar1's contract
        make_plan(session, ids["ar2"], draft.id, date(2027, 1, 1), "100")
    make_plan(session, ids["director"], draft.id, date(2027, 2, 1), "100")  # the owner's manager may
    plan = _live(session, draft.id)[0]
    with pytest.raises(Forbidden):  # ar1 has no receivables.delete
        plans.delete_(session, scope_of(session, ids["ar1"]), plan.id)
    lifecycle.void(session, scope_of(session, ids["admin"]), draft.id, "作废测试")
    with pytest.raises(Conflict):
        make_plan(session, ids["ar1"], draft.id, date(2027, 3, 1), "100")
    session.expire_all()
    assert plan.status_on(date(2030, 1, 1)) == "void"  # a void contract's plans are never overdue


def test_amount_cannot_drop_below_allocations_and_paid_periods_cannot_be_deleted(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    p = make_plan(session, ids["ar1"], c.id, date(2027, 1, 1), "600.00")
    make_receipt(session, ids["ar1"], c.id, "500.00")  # a draft allocates 500 to the period
    director = scope_of(session, ids["director"])
    with pytest.raises(Conflict) as exc:
        plans.update(session, director, p.id, PlanUpdate(due_on=p.due_on, amount=D("499.99"), version=p.version))
    assert exc.value.detail == {"allocated": "500.00"}
    with pytest.raises(Conflict):
        plans.delete_(session, director, p.id)


def test_recycle_bin_delete_restore_purge(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    p = make_plan(session, ids["ar1"], c.id, date(2027, 1, 1), "700.00")
    director, admin = scope_of(session, ids["director"]), scope_of(session, ids["admin"])
    recycle_service.list_deleted(session, director, "receivable_plan")  # the bin knows the entity
    plans.delete_(session, director, p.id)
    with pytest.raises(NotFound):
        plans.get(session, director, p.id)
    rows, total = recycle_service.list_deleted(session, director, "receivable_plan")
    assert total == 1 and rows[0].id == p.id and "#1" in recycle_service.label(rows[0])
    assert recycle_service.list_deleted(session, scope_of(session, ids["ar2"]), "receivable_plan")[1] == 0
    make_plan(session, ids["ar1"], c.id, date(2027, 2, 1), "400.00")  # takes the room meanwhile
    with pytest.raises(Conflict):
        recycle_service.restore(session, director, "receivable_plan", p.id)
    with pytest.raises(Forbidden):
        recycle_service.purge(session, director, "receivable_plan", p.id)
    recycle_service.purge(session, admin, "receivable_plan", p.id)
    assert session.get(ReceivablePlan, p.id) is None
