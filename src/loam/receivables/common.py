"""Rules shared by plans, receipts and invoices: whose contract, who may write, money formatting.

Write access (documented in docs/receivables.md): the action permission (``receivables.create`` /
``.update`` / ``.delete``; editing a record one created oneself also works with ``receivables.create``) AND
the contract's owner inside the caller's data scope for receivables or for contracts. Seeing a contract only
as one of its team members lets one read its receivables, not change them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, NotFound
from loam.kit.i18n import gettext as _
from loam.receivables import repository as repo

ENTITY_PLAN = "receivable_plan"
ENTITY_RECEIPT = "receivable"
ENTITY_INVOICE = "invoice"


def money(amount: Decimal, currency: str = "") -> str:
    """``1,234,567.80 CNY`` — how amounts appear in messages and notifications."""
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def contract_for(session: Session, scope: Scope, contract_id: int) -> Any:
    """The live contract whose receivables the caller may see, or 404."""
    contract = repo.visible_contract(session, scope, contract_id)
    if contract is None:
        raise NotFound(_("Contract not found."))
    return contract


def _permitted(scope: Scope, permission: Permission, created_by: int | None) -> bool:
    if scope.can(permission):
        return True
    own_record = created_by is not None and created_by == scope.user_id
    return permission == Permission.receivables_update and own_record and scope.can(Permission.receivables_create)


def _owner_in_scope(scope: Scope, owner_id: int | None) -> bool:
    return scope.sees_owner(Module.receivables, owner_id) or scope.sees_owner(Module.contracts, owner_id)


def may_write(scope: Scope, owner_id: int | None, permission: Permission, created_by: int | None = None) -> bool:
    """Whether the caller may do ``permission`` on a receivable record of a contract owned by ``owner_id``."""
    return _permitted(scope, permission, created_by) and _owner_in_scope(scope, owner_id)


def require_write(scope: Scope, owner_id: int | None, permission: Permission, created_by: int | None = None) -> None:
    """403 unless :func:`may_write` (call only after the record was found in scope: 404 first, R11)."""
    if not _permitted(scope, permission, created_by):
        raise Forbidden(_("You do not have permission to do this."))
    if not _owner_in_scope(scope, owner_id):
        raise Forbidden(_("You can view these receivables but not change them."))


def require_open_contract(contract: Any) -> None:
    """Plans and invoices are for contracts that are not void (409)."""
    if contract.status == "void":
        raise Conflict(_("The contract %(number)s is void.", number=contract.number))


def check_version(record: Any, version: int) -> None:
    if record.version != version:
        raise Conflict(_("Someone else changed this record. Reload and try again."))


def created_custom(custom: dict[str, Any]) -> dict[str, list[Any]]:
    """The audit entries (``custom.<key>``) of the custom field values a new record starts with."""
    return {f"custom.{k}": [None, v] for k, v in custom.items() if v is not None}


def custom_user_ids(records: Any, fields: Any) -> set[int]:
    """The user ids held by user-type custom fields of ``records`` (to show names instead of ids)."""
    keys = [f.key for f in fields if f.field_type == "user"]
    return {v for r in records for k in keys if isinstance(v := (r.custom or {}).get(k), int)}


def contract_choices(session: Session, scope: Scope, approved_only: bool = False, limit: int = 200) -> list[Any]:
    """Contracts to pick from in a form: visible, live, not void (approved only, for receipts)."""
    return repo.contract_choices(session, scope, approved_only, limit)


def contract_labels(session: Session, contract_ids: set[int]) -> dict[int, dict[str, Any]]:
    """For records the caller already sees: their contracts' number, name, status, owner and customer name."""
    contracts = repo.contracts_by_id(session, contract_ids)
    customers = repo.customer_names(session, {c.customer_id for c in contracts.values()})
    return {
        c.id: {
            "number": c.number,
            "name": c.name,
            "status": c.status,
            "owner_id": c.owner_id,
            "customer_id": c.customer_id,
            "customer": customers.get(c.customer_id, ""),
            "amount": c.amount,
            "currency": c.currency,
        }
        for c in contracts.values()
    }
