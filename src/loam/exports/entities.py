"""What each exportable list is: its filter schema, its list statement, the permission to view it,
and which model attribute (or SQL expression over the list statement) holds each catalog column (loam.kit.columns)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.schemas import FollowUpFilters
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.contacts.schemas import ContactFilters
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerFilters
from loam.leads import service as lead_service
from loam.leads.schemas import LeadFilters

# Catalog keys whose value lives in a differently named attribute (references by id).
ATTRIBUTES = {"owner": "owner_id", "department": "department_id", "customer": "customer_id", "author": "created_by"}


@dataclass(frozen=True)
class Exportable:
    entity: str
    plural: str  # file names: customers-20261129-1530.xlsx
    view: Permission
    filters: type[BaseModel]
    statement: Callable[[Session, Scope, Any, str | None], Select[Any]]
    attributes: dict[str, str] = field(default_factory=lambda: dict(ATTRIBUTES))
    has_custom: bool = True
    # Catalog columns of kind ``lookup``: key → the {id: name} table, built once per export.
    lookups: dict[str, Callable[[Session], dict[Any, str]]] = field(default_factory=dict)
    # Attributes that are SQL over the list statement rather than columns of its model (a joined table's
    # column, a status computed on the day): a function giving {attribute: SQL expression}, called once per export.
    expressions: Callable[[], dict[str, Any]] | None = None

    def attribute(self, key: str) -> str:
        return self.attributes.get(key, key)


EXPORTABLE = {
    "customer": Exportable(
        "customer", "customers", Permission.customers_view, CustomerFilters, customer_service.list_statement
    ),
    "lead": Exportable("lead", "leads", Permission.leads_view, LeadFilters, lead_service.list_statement),
    "contact": Exportable(
        "contact", "contacts", Permission.contacts_view, ContactFilters, contact_service.list_statement
    ),
    "followup": Exportable(
        "followup",
        "followups",
        Permission.followups_view,
        FollowUpFilters,
        followup_service.list_statement,
        has_custom=False,
    ),
}


def _opportunity_and_contract() -> dict[str, Exportable]:
    """The opportunity and contract lists (issue 4), when those domains are installed."""
    try:
        from loam.contracts import service as contract_service
        from loam.contracts.schemas import ContractFilters
        from loam.opportunities import pipelines
        from loam.opportunities import service as opportunity_service
        from loam.opportunities.schemas import OpportunityFilters
    except ModuleNotFoundError:  # pragma: no cover - those domains are not installed
        return {}
    return {
        "opportunity": Exportable(
            "opportunity",
            "opportunities",
            Permission.opportunities_view,
            OpportunityFilters,
            opportunity_service.list_statement,
            attributes={**ATTRIBUTES, "pipeline": "pipeline_id", "stage": "stage_id"},
            lookups={"pipeline": pipelines.pipeline_names, "stage": pipelines.stage_names},
        ),
        "contract": Exportable(
            "contract", "contracts", Permission.contracts_view, ContractFilters, contract_service.list_statement
        ),
    }


EXPORTABLE |= _opportunity_and_contract()


def _receivables() -> dict[str, Exportable]:
    """The receivable plan, receipt and invoice lists, when the receivables domain is installed. Their customer,
    owner and department are their contract's (read from the contract the list statements join); their custom
    fields (entities "receivable_plan", "receivable", "invoice") follow the catalog columns, as on other lists."""
    try:
        from loam.receivables import invoices as invoice_service
        from loam.receivables import plans as plan_service
        from loam.receivables import service as receipt_service
        from loam.receivables.schemas import InvoiceFilters, PlanFilters, ReceiptFilters
    except ModuleNotFoundError:  # pragma: no cover - that domain is not installed
        return {}
    view = Permission.receivables_view
    return {
        "receivable_plan": Exportable(
            "receivable_plan",
            "receivable-plans",
            view,
            PlanFilters,
            plan_service.list_statement,
            expressions=plan_service.export_columns,
        ),
        "receivable": Exportable(
            "receivable",
            "receipts",
            view,
            ReceiptFilters,
            receipt_service.list_statement,
            expressions=receipt_service.export_columns,
        ),
        "invoice": Exportable(
            "invoice",
            "invoices",
            view,
            InvoiceFilters,
            invoice_service.list_statement,
            expressions=invoice_service.export_columns,
        ),
    }


EXPORTABLE |= _receivables()
