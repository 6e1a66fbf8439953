"""Contracts created from opportunities, and the approval integration: submit → approve (customer closed-deal,
opportunity won), reject → editable and resubmittable, withdraw → draft; the lock while in approval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loam.approvals import actions as approval_actions
from loam.approvals import flows as approval_flows
from loam.approvals import service as approval_service
from loam.approvals.schemas import FlowCreate
from loam.contracts import lifecycle, service
from loam.contracts.schemas import ContractCreate, ContractUpdate, MemberWrite
from loam.customers.models import Customer
from loam.errors import Conflict, Forbidden, Invalid
from loam.kit import audit
from tests.contracts.factories import make_contract, make_opportunity
from tests.helpers import make_customer, scope_of
from tests.products.factories import line, make_product


def _update(c, **kw) -> ContractUpdate:
    values = {k: getattr(c, k) for k in ContractUpdate.model_fields if k not in ("custom", "lines")}
    return ContractUpdate.model_validate(values | kw)


def _no_flows(session) -> None:
    """Switch off the contract flows the migration seeds (rolled back with the test)."""
    from loam.approvals.models import ApprovalFlow

    for flow in session.query(ApprovalFlow).filter(ApprovalFlow.doc_type == "contract"):
        flow.active = False
    session.flush()


def _flow(session, ids, **kw):
    _no_flows(session)
    data = FlowCreate.model_validate(
        {
            "doc_type": "contract",
            "name": "合同审批",
            "steps": [{"name": "总监审批", "approver_kind": "users", "user_ids": [ids["director"]]}],
            **kw,
        }
    )
    return approval_flows.create_flow(session, scope_of(session, ids["admin"]), data)


def test_from_opportunity_copies_customer_lines_amount_and_keeps_the_link(session, ids) -> None:
    cust = make_customer(session, ids["ar1"], "商机客户")
    p = make_product(session, ids["admin"], "CT-OPP-1", price="200.00")
    opp = make_opportunity(session, ids["ar1"], cust.id, amount="999", currency="USD", lines=[line(p.id, "5")])
    c = service.create(session, scope_of(session, ids["ar1"]), ContractCreate(opportunity_id=opp.id))
    assert (c.customer_id, c.opportunity_id, c.name, c.currency) == (cust.id, opp.id, opp.name, "USD")
    lines = service.line_items(session, c)
    assert [(ln.product_id, ln.quantity, ln.subtotal) for ln in lines] == [
        (p.id, Decimal("5.0000"), Decimal("1000.00"))
    ]
    assert c.amount == Decimal("1000.00")
    # no lines on the opportunity: its amount; a given name wins
    bare = make_opportunity(session, ids["ar1"], cust.id, amount="888", name="无产品商机")
    c2 = service.create(session, scope_of(session, ids["ar1"]), ContractCreate(opportunity_id=bare.id, name="自定名称"))
    assert (c2.amount, c2.name) == (Decimal("888.00"), "自定名称")


def test_opportunity_must_be_visible_and_of_the_same_customer(session, ids) -> None:
    cust = make_customer(session, ids["ar1"], "甲客户")
    other = make_customer(session, ids["ar1"], "乙客户")
    opp = make_opportunity(session, ids["ar1"], cust.id)
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid) as exc:
        service.create(session, ar1, ContractCreate(name="x", opportunity_id=opp.id, customer_id=other.id))
    assert "opportunity_id" in exc.value.detail
    with pytest.raises(Invalid) as exc:
        service.create(session, scope_of(session, ids["ar2"]), ContractCreate(name="x", opportunity_id=opp.id))
    assert "opportunity_id" in exc.value.detail


def test_submit_without_a_flow_approves_and_closes_the_deal(session, ids) -> None:
    _no_flows(session)
    cust = make_customer(session, ids["ar1"], "成交客户")
    opp = make_opportunity(session, ids["ar1"], cust.id)
    c = service.create(session, scope_of(session, ids["ar1"]), ContractCreate(opportunity_id=opp.id))
    c = lifecycle.submit(session, scope_of(session, ids["ar1"]), c.id)
    assert c.status == "approved" and c.approved_at is not None
    session.refresh(cust)
    assert cust.deal_status == "closed"
    from loam.opportunities import service as opportunity_service

    won = opportunity_service.get(session, scope_of(session, ids["ar1"]), opp.id)
    assert won.status == "won"
    actions = [h.action for h in audit.history(session, "contract", c.id)]
    assert actions[:2] == ["approve", "submit"]


def test_submit_approve_through_a_flow(session, ids) -> None:
    _flow(session, ids)
    ar1 = scope_of(session, ids["ar1"])
    c = make_contract(session, ids["ar1"], amount=Decimal("100"))
    service.add_member(session, ar1, c.id, MemberWrite(user_id=ids["ar2"]))
    with pytest.raises(Forbidden):  # a read-only team member may not submit
        lifecycle.submit(session, scope_of(session, ids["ar2"]), c.id)
    c = lifecycle.submit(session, ar1, c.id)
    assert c.status == "in_approval" and approval_service.is_locked(session, "contract", c.id)
    with pytest.raises(Conflict):
        service.update(session, ar1, c.id, _update(c, name="审批中修改"))
    with pytest.raises(Conflict):
        lifecycle.submit(session, ar1, c.id)
    instance = approval_service.pending(session, "contract", c.id)
    approval_actions.approve(session, scope_of(session, ids["director"]), instance.id, "同意")
    session.refresh(c)
    assert c.status == "approved"
    assert session.get(Customer, c.customer_id).deal_status == "closed"
    assert [h.action for h in audit.history(session, "contract", c.id)][:2] == ["approve", "submit"]


def test_reject_makes_it_editable_and_resubmittable(session, ids) -> None:
    _flow(session, ids)
    ar1 = scope_of(session, ids["ar1"])
    c = lifecycle.submit(session, ar1, make_contract(session, ids["ar1"]).id)
    instance = approval_service.pending(session, "contract", c.id)
    approval_actions.reject(session, scope_of(session, ids["director"]), instance.id, "金额不对")
    session.refresh(c)
    assert c.status == "rejected" and not approval_service.is_locked(session, "contract", c.id)
    c = service.update(session, ar1, c.id, _update(c, amount=Decimal("123")))
    assert c.amount == Decimal("123.00")
    c = lifecycle.submit(session, ar1, c.id)
    assert c.status == "in_approval"


def test_withdraw_returns_to_draft(session, ids) -> None:
    _flow(session, ids)
    ar1 = scope_of(session, ids["ar1"])
    c = lifecycle.submit(session, ar1, make_contract(session, ids["ar1"]).id)
    instance = approval_service.pending(session, "contract", c.id)
    approval_actions.withdraw(session, ar1, instance.id, "再改改")
    session.refresh(c)
    assert c.status == "draft"
    assert audit.history(session, "contract", c.id)[0].action == "withdraw"


def test_flow_conditions_see_the_contract_amount(session, ids) -> None:
    _flow(session, ids, conditions=[{"field": "amount", "op": "gt", "value": "1000000"}])
    ar1 = scope_of(session, ids["ar1"])
    small = lifecycle.submit(session, ar1, make_contract(session, ids["ar1"], amount=Decimal("10")).id)
    assert small.status == "approved"  # the only flow does not apply: approved at once
    big = lifecycle.submit(session, ar1, make_contract(session, ids["ar1"], amount=Decimal("2000000")).id)
    assert big.status == "in_approval"


def test_the_default_flow_from_the_migration(session, ids) -> None:
    """The seeded contract flow (head of department, then the director above 1,000,000) approves a contract."""
    ar1 = scope_of(session, ids["ar1"])
    c = lifecycle.submit(session, ar1, make_contract(session, ids["ar1"], amount=Decimal("5000")).id)
    assert c.status == "in_approval"
    instance = approval_service.pending(session, "contract", c.id)
    approvers = {t.user_id for t in approval_service.tasks(session, instance) if t.status == "pending"}
    assert approvers
    approval_actions.approve(session, scope_of(session, approvers.pop()), instance.id, "同意")
    session.refresh(c)
    assert c.status == "approved" and session.get(Customer, c.customer_id).deal_status == "closed"
