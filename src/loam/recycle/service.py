"""The recycle bin across domains, through each domain's own ``list_deleted`` / ``restore`` / ``purge``.

Each domain keeps its rules (who may restore or purge what, scope, audit); this module only routes by
entity and gives the records a common label. Domain services are imported lazily, by name.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Literal

from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _

Entity = Literal[
    "customer",
    "lead",
    "contact",
    "product",
    "opportunity",
    "contract",
    "receivable_plan",
    "receivable",
    "invoice",
    "intel_item",
    "exec_pairing",
    "oa_request",
]
SERVICES = {
    "customer": "loam.customers.service",
    "lead": "loam.leads.service",
    "contact": "loam.contacts.service",
    "product": "loam.products.service",
    "opportunity": "loam.opportunities.service",
    "contract": "loam.contracts.service",
    "receivable_plan": "loam.receivables.plans",
    "receivable": "loam.receivables.service",
    "invoice": "loam.receivables.invoices",
    "intel_item": "loam.relationships.intel",
    "exec_pairing": "loam.relationships.execpool",
    "oa_request": "loam.oa.service",
}
ENTITY_LABELS = {
    "customer": N_("Customers"),
    "lead": N_("Leads"),
    "contact": N_("Contacts"),
    "product": N_("Products"),
    "opportunity": N_("Opportunities"),
    "contract": N_("Contracts"),
    "receivable_plan": N_("Receivable plans"),
    "receivable": N_("Receipts"),
    "invoice": N_("Invoices"),
    "intel_item": N_("Intelligence"),
    "exec_pairing": N_("Executive pairings"),
    "oa_request": N_("OA requests"),
}
# Restoring needs the permission to delete records of that kind (the domains check it too).
RESTORE_PERMISSIONS = {
    "customer": Permission.customers_delete,
    "lead": Permission.leads_delete,
    "contact": Permission.contacts_delete,
    "product": Permission.products_manage,
    "opportunity": Permission.opportunities_delete,
    "contract": Permission.contracts_delete,
    "receivable_plan": Permission.receivables_delete,
    "receivable": Permission.receivables_delete,
    "invoice": Permission.receivables_delete,
    "intel_item": Permission.relationships_update,
    "exec_pairing": Permission.relationships_update,
    "oa_request": Permission.oa_request,
}
_API = ("list_deleted", "restore", "purge")


def _load(entity: str) -> ModuleType | None:
    name = SERVICES[entity]
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):  # the domain (or this module of it) is not installed
            return None
        raise
    return mod if all(hasattr(mod, f) for f in _API) else None


def _service(entity: str) -> ModuleType:
    if entity not in SERVICES:
        raise Invalid(_("Unknown kind of record: %(entity)s", entity=entity[:30]), detail={"entity": entity[:30]})
    mod = _load(entity)
    if mod is None:
        raise Invalid(_("The recycle bin does not handle this kind of record yet."), detail={"entity": entity})
    return mod


def entities() -> list[str]:
    """The kinds of records the recycle bin can show (those whose domain service is installed)."""
    return [e for e in SERVICES if _load(e) is not None]


def list_deleted(session: Session, scope: Scope, entity: str, page: int = 1, size: int = 25) -> tuple[list[Any], int]:
    """Deleted records of one kind that the caller could see before they were deleted (422 for an unknown kind)."""
    return _service(entity).list_deleted(session, scope, page, size)  # type: ignore[no-any-return]


def restore(session: Session, scope: Scope, entity: str, record_id: int) -> Any:
    """Bring a record back (the domain checks scope → 404 and its delete permission → 403)."""
    return _service(entity).restore(session, scope, record_id)


def purge(session: Session, scope: Scope, entity: str, record_id: int) -> None:
    """Delete a record for good (the domain requires ``recycle.purge``)."""
    _service(entity).purge(session, scope, record_id)


def can_restore(scope: Scope, entity: str) -> bool:
    """Whether restore buttons make sense for the caller (the domain service decides for real)."""
    return entity in RESTORE_PERMISSIONS and scope.can(RESTORE_PERMISSIONS[entity])


def label(record: Any) -> str:
    """A readable name for any deleted record: its name, plus the company for a lead."""
    name = getattr(record, "name", None) or f"#{record.id}"
    company = getattr(record, "company", None)
    return f"{name} ({company})" if company and isinstance(company, str) else str(name)


def merged_into(session: Session, entity: str, ids: list[int]) -> dict[int, int]:
    """``{record id: id of the record it was merged into}`` for deleted records a merge took away (restoring one
    undoes that merge). Empty when the merge domain is not installed."""
    try:
        from loam.merge import service as merge_service
    except ModuleNotFoundError:  # pragma: no cover - the merge domain is optional
        return {}
    return merge_service.merged_into(session, entity, ids)
