"""Receipts: allocation rules, received / outstanding from approved receipts only, the approval integration,
edit locks, and the recycle bin."""

from __future__ import annotations

from datetime import date

import pytest

from loam.approvals import actions
from loam.approvals import service as approval_service
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.receivables import service
from loam.receivables.models import ReceivablePlan
from loam.receivables.schemas import AllocationsReplace, ReceiptCreate, ReceiptUpdate
from loam.recycle import service as recycle_service
from tests.helpers import scope_of
from tests.receivables.factories import D, decide_all, make_contract, make_plan, make_receipt


@pytest.fixture
def deal(session, ids):
    """An approved contract of ar1 for 1,000.00 with three periods: 300 (Jan), 300 (Mar), 400 (Feb, period 3)."""
    c = make_contract(session, ids["ar1"], "1000.00")
    p1 = make_plan(session, ids["ar1"], c.id, date(2027, 1, 31), "300.00")
    p2 = make_plan(session, ids["ar1"], c.id, date(2027, 3, 31), "300.00")
    p3 = make_plan(session, ids["ar1"], c.id, date(2027, 2, 28), "400.00")
    return c, p1, p2, p3


def _alloc(session, receipt_id):
    return [(a.plan_id, a.amount) for a in service.allocations(session, scope_of_admin(session), receipt_id)]


def scope_of_admin(session):
    from tests.conftest import ORG_IDS

    return scope_of(session, ORG_IDS["admin"])


def test_default_allocation_fills_the_oldest_due_periods_first(session, ids, deal):
    c, p1, p2, p3 = deal
    r = make_receipt(session, ids["ar1"], c.id, "550.00")
    assert _alloc(session, r.id) == [(p1.id, D("300.00")), (p3.id, D("250.00"))]
    r2 = make_receipt(session, ids["ar1"], c.id, "600.00")  # only 450 is still free: the rest stays unallocated
    assert _alloc(session, r2.id) == [(p3.id, D("150.00")), (p2.id, D("300.00"))]
    assert r2.allocated == D("450.00") and r2.amount == D("600.00")
    r3 = make_receipt(session, ids["ar1"], c.id, "10.00", allocations=[])
    assert _alloc(session, r3.id) == []


def test_explicit_allocations_are_validated(session, ids, deal):
    c, p1, p2, _p3 = deal
    r = make_receipt(session, ids["ar1"], c.id, "500.00", allocations=[{"plan_id": p2.id, "amount": "200"}])
    assert _alloc(session, r.id) == [(p2.id, D("200.00"))]
    with pytest.raises(Invalid) as exc:  # more than the receipt
        make_receipt(session, ids["ar1"], c.id, "100.00", allocations=[{"plan_id": p1.id, "amount": "100.01"}])
    assert exc.value.detail == {"allocations": "100.01", "amount": "100.00"}
    with pytest.raises(Conflict) as exc:  # p2 has only 100 left (a draft took 200)
        make_receipt(session, ids["ar1"], c.id, "150.00", allocations=[{"plan_id": p2.id, "amount": "150"}])
    assert exc.value.detail == {"plan_id": p2.id, "free": "100.00", "requested": "150.00"}
    other = make_contract(session, ids["ar1"], "100.00", name="别的合同")
    foreign = make_plan(session, ids["ar1"], other.id, date(2027, 1, 1), "100.00")
    with pytest.raises(Invalid):  # a period of another contract
        make_receipt(session, ids["ar1"], c.id, "50.00", allocations=[{"plan_id": foreign.id, "amount": "50"}])
    with pytest.raises(Invalid):  # the same period twice
        twice = [{"plan_id": p1.id, "amount": "10"}, {"plan_id": p1.id, "amount": "10"}]
        make_receipt(session, ids["ar1"], c.id, "50.00", allocations=twice)


def test_received_and_outstanding_count_approved_receipts_only(session, ids, deal):
    c, p1, _p2, _p3 = deal
    assert (service.received(session, c.id), service.outstanding(session, c.id)) == (D("0.00"), D("1000.00"))
    draft = make_receipt(session, ids["ar1"], c.id, "100.00")
    pending = make_receipt(session, ids["ar1"], c.id, "150.00")
    service.submit(session, scope_of(session, ids["ar1"]), pending.id)
    assert pending.status == "in_approval"
    rejected = make_receipt(session, ids["ar1"], c.id, "120.00")
    service.submit(session, scope_of(session, ids["ar1"]), rejected.id)
    decide_all(session, "receivable", rejected.id, "reject")
    approved = make_receipt(session, ids["ar1"], c.id, "200.00", approve=True)
    assert [draft.status, rejected.status, approved.status] == ["draft", "rejected", "approved"]
    assert service.received(session, c.id) == D("200.00")
    assert service.outstanding(session, c.id) == D("800.00")
    session.expire_all()
    plan = session.get(ReceivablePlan, p1.id)
    # p1 (300) had 100 + 150 taken by the draft and the pending receipt, so the approved 200 paid 50 of it
    assert plan.received == D("50.00")
    totals = service.totals(session, scope_of(session, ids["ar1"]), c.id, as_of=date(2027, 2, 1))
    assert (totals.received, totals.outstanding, totals.planned) == (D("200.00"), D("800.00"), D("1000.00"))
    service.delete_(session, scope_of(session, ids["director"]), approved.id)  # deleted: no longer counts
    assert service.received(session, c.id) == D("0.00")


def test_plan_received_and_status_follow_approved_allocations(session, ids, deal):
    c, p1, _p2, p3 = deal
    make_receipt(session, ids["ar1"], c.id, "300.00", allocations=[{"plan_id": p1.id, "amount": "300"}], approve=True)
    make_receipt(session, ids["ar1"], c.id, "100.00", allocations=[{"plan_id": p3.id, "amount": "100"}], approve=True)
    make_receipt(session, ids["ar1"], c.id, "50.00", allocations=[{"plan_id": p3.id, "amount": "50"}])  # draft
    session.expire_all()
    p1, p3 = session.get(ReceivablePlan, p1.id), session.get(ReceivablePlan, p3.id)
    assert (p1.received, p1.outstanding, p1.status_on(date(2027, 6, 1))) == (D("300.00"), D("0.00"), "received")
    assert (p3.received, p3.outstanding) == (D("100.00"), D("300.00"))
    assert p3.status_on(date(2027, 2, 1)) == "partly_received"
    assert p3.status_on(date(2027, 2, 28)) == "partly_received"  # due today is not overdue yet
    assert p3.status_on(date(2027, 3, 1)) == "overdue"


def test_approval_flow_default_needs_finance_and_locks_the_receipt(session, ids, deal):
    c, _p1, _p2, _p3 = deal
    r = make_receipt(session, ids["ar1"], c.id, "300.00")
    ar1 = scope_of(session, ids["ar1"])
    service.submit(session, ar1, r.id)
    assert r.status == "in_approval"
    instance = approval_service.pending(session, "receivable", r.id)
    assert instance is not None
    with pytest.raises(Conflict):  # locked while in approval
        service.update(session, ar1, r.id, ReceiptUpdate(received_on=r.received_on, amount=D("1"), version=r.version))
    with pytest.raises(Conflict):
        service.delete_(session, scope_of(session, ids["admin"]), r.id)
    with pytest.raises(Conflict):  # already pending
        service.submit(session, ar1, r.id)
    actions.approve(session, scope_of(session, ids["finance1"]), instance.id)  # the finance role confirms
    session.expire_all()
    assert r.status == "approved" and r.approved_at is not None
    assert service.received(session, c.id) == D("300.00")
    assert [h.action for h in audit.history(session, "receivable", r.id)][:3] == ["approve", "submit", "create"]
    with pytest.raises(Conflict):  # approved receipts are fixed
        service.update(session, ar1, r.id, ReceiptUpdate(received_on=r.received_on, amount=D("1"), version=r.version))


def test_withdraw_returns_to_draft_and_rejected_can_be_fixed_and_resubmitted(session, ids, deal):
    c, p1, _p2, _p3 = deal
    ar1 = scope_of(session, ids["ar1"])
    r = make_receipt(session, ids["ar1"], c.id, "300.00")
    service.submit(session, ar1, r.id)
    actions.withdraw(session, ar1, approval_service.pending(session, "receivable", r.id).id)
    assert r.status == "draft"
    service.submit(session, ar1, r.id)
    decide_all(session, "receivable", r.id, "reject")
    assert r.status == "rejected"
    other = make_receipt(session, ids["ar1"], c.id, "300.00", allocations=[{"plan_id": p1.id, "amount": "300"}])
    with pytest.raises(Conflict):  # the rejected receipt's period was taken meanwhile: resubmitting re-checks
        service.submit(session, ar1, r.id)
    service.delete_(session, scope_of(session, ids["director"]), other.id)
    data = ReceiptUpdate(received_on=date(2026, 12, 2), amount=D("350"), version=r.version)
    fixed = service.update(session, ar1, r.id, data)
    assert fixed.status == "rejected" and _alloc(session, r.id) == [(p1.id, D("300.00"))]
    service.submit(session, ar1, r.id)
    decide_all(session, "receivable", r.id)
    assert r.status == "approved" and service.received(session, c.id) == D("350.00")


def test_update_keeps_or_replaces_allocations(session, ids, deal):
    c, p1, _p2, _p3 = deal
    ar1 = scope_of(session, ids["ar1"])
    r = make_receipt(session, ids["ar1"], c.id, "300.00", allocations=[{"plan_id": p1.id, "amount": "300"}])
    with pytest.raises(Invalid):  # the kept allocation no longer fits the smaller amount
        service.update(session, ar1, r.id, ReceiptUpdate(received_on=r.received_on, amount=D("200"), version=r.version))
    assert r.amount == D("300.00") and r.version == 1  # nothing was written
    data = ReceiptUpdate(received_on=r.received_on, amount=D("200"), version=r.version, allocations=[])
    service.update(session, ar1, r.id, data)
    assert _alloc(session, r.id) == []
    replaced = service.set_allocations(session, ar1, r.id, AllocationsReplace(version=r.version, allocations=None))
    assert _alloc(session, r.id) == [(p1.id, D("200.00"))] and replaced.version == 3
    with pytest.raises(Conflict):
        service.set_allocations(session, ar1, r.id, AllocationsReplace(version=2, allocations=[]))


def test_receipts_need_an_approved_visible_contract(session, ids, deal):
    c, *_ = deal
    draft = make_contract(session, ids["ar1"], "100.00", approved=False, name="未审批合同")
    with pytest.raises(Conflict):
        make_receipt(session, ids["ar1"], draft.id, "10.00")
    with pytest.raises(NotFound):
        make_receipt(session, ids["ar2"], c.id, "10.00")
    with pytest.raises(NotFound):
        make_receipt(session, ids["finance1"], c.id, "10.00")
    r = make_receipt(session, ids["ar1"], c.id, "10.00")
    with pytest.raises(NotFound):
        service.get(session, scope_of(session, ids["ar2"]), r.id)


def test_recycle_bin_restore_rechecks_allocations(session, ids, deal):
    c, p1, _p2, _p3 = deal
    director = scope_of(session, ids["director"])
    r = make_receipt(
        session, ids["ar1"], c.id, "300.00", allocations=[{"plan_id": p1.id, "amount": "300"}], approve=True
    )
    recycle_service.list_deleted(session, director, "receivable")
    service.delete_(session, director, r.id)
    assert recycle_service.list_deleted(session, director, "receivable")[1] == 1
    taker = make_receipt(session, ids["ar1"], c.id, "300.00", allocations=[{"plan_id": p1.id, "amount": "300"}])
    with pytest.raises(Conflict):
        recycle_service.restore(session, director, "receivable", r.id)
    service.delete_(session, director, taker.id)
    recycle_service.restore(session, director, "receivable", r.id)
    assert service.received(session, c.id) == D("300.00")
    service.delete_(session, director, r.id)
    recycle_service.purge(session, scope_of(session, ids["admin"]), "receivable", r.id)
    with pytest.raises(NotFound):
        recycle_service.restore(session, director, "receivable", r.id)


def test_create_body_is_strict():
    with pytest.raises(ValueError):
        ReceiptCreate.model_validate(
            {"contract_id": 1, "received_on": "2026-12-01", "amount": "1", "status": "approved"}
        )
    with pytest.raises(ValueError):
        ReceiptCreate.model_validate(
            {"contract_id": 1, "received_on": "2026-12-01", "amount": "1", "method": "bitcoin"}
        )


def test_purging_a_contract_takes_its_receivables_with_it(session, ids):
    """Approved contracts (the only ones with receipts) cannot be deleted, only voided; a draft's plans and
    invoices are hidden while it is in the recycle bin and go with it when it is purged (ON DELETE CASCADE)."""
    from loam.contracts import service as contract_service
    from loam.receivables import invoices, plans
    from loam.receivables.models import Invoice
    from loam.receivables.schemas import InvoiceCreate

    c = make_contract(session, ids["ar1"], "1000.00", approved=False)
    p = make_plan(session, ids["ar1"], c.id, date(2027, 1, 31), "300.00")
    admin = scope_of(session, ids["admin"])
    inv = invoices.create(session, admin, InvoiceCreate(contract_id=c.id, kind="other", title="抬头", amount=D("5")))
    contract_service.delete_(session, admin, c.id)
    with pytest.raises(NotFound):
        plans.get(session, admin, p.id)
    plan_id, invoice_id = p.id, inv.id
    contract_service.purge(session, admin, c.id)
    session.expire_all()
    assert session.get(ReceivablePlan, plan_id) is None and session.get(Invoice, invoice_id) is None


def test_planned_total_for_the_contracts_domain(session, ids, deal):
    c, *_ = deal
    assert service.planned(session, c.id) == D("1000.00")
