"""A test document type for the approval engine: real customer rows, with an amount kept by the test.

The engine only sees a document through its DocumentType, so a customer works as a document: ``load`` reads the
customer row, ``values`` gives its amount (from ``DocStore.amounts``) and industry, ``owner_id`` is the customer's
owner, and ``on_change`` records every state change and writes the "domain's" own audit row, as a real domain does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.approvals import flows, registry
from loam.approvals.schemas import FlowCreate
from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.errors import LoamError
from loam.kit import audit
from tests.helpers import make_customer

CODE = "testdoc"


@dataclass
class DocStore:
    amounts: dict[int, Decimal] = field(default_factory=dict)
    changes: list[tuple[int, str]] = field(default_factory=list)
    states: dict[int, str] = field(default_factory=dict)

    def states_of(self, doc_id: int) -> list[str]:
        return [s for d, s in self.changes if d == doc_id]


def document(docs: DocStore, code: str = CODE) -> registry.DocumentType:
    def on_change(session: Session, scope: Scope, customer: Any, state: str) -> None:
        docs.changes.append((customer.id, state))
        before = docs.states.get(customer.id, "draft")
        after = {"in_approval": "in_approval", "approved": "approved"}.get(state, "draft")
        docs.states[customer.id] = after
        audit.record(session, scope, "customer", customer.id, "status", {"approval": [before, after]}, note=state)

    def can_view(session: Session, scope: Scope, doc_id: int) -> bool:
        try:
            customer_service.get(session, scope, doc_id)
        except LoamError:
            return False
        return True

    return registry.DocumentType(
        code=code,
        label="Customer",
        fields={"amount": "decimal", "industry": "str", "employees": "int", "signed_on": "date"},
        load=lambda session, doc_id: session.get(Customer, doc_id),
        describe=lambda c: c.name,
        values=lambda c: {
            "amount": docs.amounts.get(c.id),
            "industry": c.industry,
            "employees": None,
            "signed_on": None,
        },
        owner_id=lambda c: c.owner_id,
        on_change=on_change,
        route=("customers:detail", "customer_id"),
        can_view=can_view,
    )


def make_doc(session: Session, docs: DocStore, owner_id: int, amount: str = "1000", name: str = "审批测试客户") -> int:
    customer = make_customer(session, owner_id, name)
    docs.amounts[customer.id] = Decimal(amount)
    return customer.id


def step(name: str, kind: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "approver_kind": kind, **kw}


def make_flow(session: Session, scope: Scope, steps: list[dict[str, Any]], **kw: Any) -> Any:
    data = FlowCreate.model_validate(
        {"doc_type": kw.pop("doc_type", CODE), "name": kw.pop("name", "测试审批流"), "steps": steps, **kw}
    )
    return flows.create_flow(session, scope, data)


def set_head(session: Session, department_id: int, user_id: int | None) -> None:
    """Make ``user_id`` the head of a department through the org service (as the demo admin)."""
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import DepartmentUpdate
    from tests.helpers import scope_of

    admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    dept = org_service.get_department(session, department_id)
    data = DepartmentUpdate(
        name=dept.name,
        kind=dept.kind,
        parent_id=dept.parent_id,
        head_user_id=user_id,
        sort_order=dept.sort_order,
        version=dept.version,
    )
    org_service.update_department(session, scope_of(session, admin_id), department_id, data)
    session.flush()


def notes(session: Session, user_id: int, kind: str | None = None) -> list[Any]:
    """The notifications a user got about approvals (of one kind)."""
    from loam.notifications.models import Notification

    stmt = select(Notification).where(Notification.user_id == user_id, Notification.entity == "approval")
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(session.scalars(stmt.order_by(Notification.id)))
