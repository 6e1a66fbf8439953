"""Typed factories for receivables tests; they go through the real services (R27)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.contracts import lifecycle
from loam.contracts import service as contract_service
from loam.contracts.schemas import ContractCreate
from loam.receivables import plans, service
from loam.receivables.schemas import PlanCreate, ReceiptCreate
from tests.helpers import make_customer, scope_of

D = Decimal


def make_contract(
    session: Session, owner_id: int, amount: str = "100000.00", approved: bool = True, name: str = "回款测试合同"
) -> Any:
    """A contract of ``owner_id`` for a new customer; approved (no approval flow → approved at once) by default."""
    scope = scope_of(session, owner_id)
    customer = make_customer(session, owner_id, f"{name}客户")
    contract = contract_service.create(
        session, scope, ContractCreate(name=name, customer_id=customer.id, amount=D(amount), currency="CNY")
    )
    if approved:
        lifecycle.submit(session, scope, contract.id)
        decide_all(session, "contract", contract.id)
    session.flush()
    return contract


def decide_all(session: Session, doc_type: str, doc_id: int, outcome: str = "approve") -> None:
    """Act on every pending step of a document's running approval as one of its assignees (the default flows
    need a department head / finance), until it is decided."""
    from sqlalchemy import select

    from loam.approvals import actions
    from loam.approvals import service as approval_service
    from loam.approvals.models import ApprovalTask

    for _ in range(10):
        instance = approval_service.pending(session, doc_type, doc_id)
        if instance is None:
            return
        task = session.scalar(
            select(ApprovalTask).where(ApprovalTask.instance_id == instance.id, ApprovalTask.status == "pending")
        )
        assert task is not None
        getattr(actions, outcome)(session, scope_of(session, task.user_id), instance.id)
        session.flush()
    raise AssertionError("the approval did not finish")


def make_plan(session: Session, user_id: int, contract_id: int, due_on: date, amount: str, **fields: Any) -> Any:
    data = PlanCreate(contract_id=contract_id, due_on=due_on, amount=D(amount), **fields)
    plan = plans.create(session, scope_of(session, user_id), data)
    session.flush()
    return plan


def make_receipt(
    session: Session,
    user_id: int,
    contract_id: int,
    amount: str,
    received_on: date = date(2026, 12, 1),
    allocations: list[dict[str, Any]] | None = None,
    approve: bool = False,
    **fields: Any,
) -> Any:
    data = ReceiptCreate(
        contract_id=contract_id, received_on=received_on, amount=D(amount), allocations=allocations, **fields
    )
    scope = scope_of(session, user_id)
    receipt = service.create(session, scope, data)
    if approve:
        service.submit(session, scope, receipt.id)
        decide_all(session, "receivable", receipt.id)
    session.flush()
    session.expire_all()
    return receipt
