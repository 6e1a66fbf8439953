"""Invoices (发票): the only writer of invoices. Requested (not issued) → issued with number and date.

An invoice belongs to a contract that is not void; the VAT special invoice needs the buyer's tax number
(15, 18 or 20 letters and digits, checked by the schema). Only an invoice not issued yet can be edited; an
issued one is fixed (it can go to the recycle bin). Recycle bin entity: "invoice".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit, customfields
from loam.kit.i18n import gettext as _
from loam.receivables import repository as repo
from loam.receivables.common import (
    ENTITY_INVOICE,
    check_version,
    contract_for,
    created_custom,
    require_open_contract,
    require_write,
)
from loam.receivables.models import Invoice
from loam.receivables.schemas import InvoiceCreate, InvoiceFilters, InvoiceIssue, InvoiceUpdate

ENTITY = ENTITY_INVOICE
FIELDS = ("kind", "title", "tax_number", "amount", "remark")


def _audited(changes: dict[str, Any]) -> dict[str, Any]:
    """The invoice's ``title`` is its 抬头, not a person's job title: it has its own history label."""
    if "title" in changes:
        changes["invoice_title"] = changes.pop("title")
    return changes


def get(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    """A live invoice the caller may see, or 404."""
    invoice = repo.invoice(session, scope, invoice_id)
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    return invoice


def list_page(
    session: Session, scope: Scope, filters: InvoiceFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[Invoice], int]:
    """One page of the invoices the caller sees, filtered and sorted by whitelisted keys."""
    return repo.invoice_page(session, scope, filters, page, size, sort)


def list_statement(session: Session, scope: Scope, filters: InvoiceFilters, sort: str | None = None) -> Select[Any]:
    """The statement behind :func:`list_page`, unpaged (exports): same scope, filters and sort (R13)."""
    return repo.sorted_invoices(session, scope, filters, sort)


def export_columns() -> dict[str, Any]:
    """What an export of invoices selects from their contracts (attribute name → column)."""
    return repo.contract_columns()


def of_contract(session: Session, scope: Scope, contract_id: int) -> list[Invoice]:
    """The live invoices of a contract whose receivables the caller sees (404 otherwise), newest first."""
    contract_for(session, scope, contract_id)
    return repo.invoices_of_contract(session, scope, contract_id)


def _check(data: InvoiceCreate | InvoiceUpdate) -> None:
    """A VAT special invoice (增值税专用发票) needs the buyer's tax number (422 on the field)."""
    if data.kind == "vat_special" and not data.tax_number:
        message = _("A VAT special invoice needs the buyer's tax number.")
        raise Invalid(message, detail={"tax_number": message})


def create(session: Session, scope: Scope, data: InvoiceCreate) -> Invoice:
    """Request an invoice on a contract the caller may write (404 / 403; 409 when void; 422 for a VAT special
    invoice without a tax number, or bad custom values: required, type, unique); audited."""
    contract = contract_for(session, scope, data.contract_id)
    require_write(scope, contract.owner_id, Permission.receivables_create)
    require_open_contract(contract)
    _check(data)
    custom = customfields.validate(session, Invoice, ENTITY, data.custom)
    invoice = Invoice(
        **data.model_dump(include=set(FIELDS)),
        custom=custom,
        contract_id=contract.id,
        currency=contract.currency,
        status="not_issued",
        created_by=scope.user_id,
    )
    session.add(invoice)
    session.flush()
    changes = {"invoice_title": [None, invoice.title], "amount": [None, invoice.amount]} | created_custom(custom)
    audit.record(session, scope, ENTITY, invoice.id, "create", changes)
    return invoice


def _writable(session: Session, scope: Scope, invoice_id: int, version: int) -> Invoice:
    invoice = get(session, scope, invoice_id)
    require_write(scope, invoice.owner_id, Permission.receivables_update, invoice.created_by)
    check_version(invoice, version)
    if invoice.status == "issued":
        raise Conflict(_("This invoice has been issued and can no longer be changed."))
    return invoice


def update(session: Session, scope: Scope, invoice_id: int, data: InvoiceUpdate) -> Invoice:
    """Edit an invoice that is not issued yet (409 when issued or stale; 422 as for :func:`create`; custom values:
    only the keys sent are checked and changed, audited as ``custom.<key>``)."""
    invoice = _writable(session, scope, invoice_id, data.version)
    _check(data)
    custom = customfields.validate(session, Invoice, ENTITY, data.custom, invoice.id, partial=True)
    changes = audit.apply_changes(invoice, data.model_dump(include=set(FIELDS)) | {"custom": custom})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, invoice.id, "update", _audited(changes))
    return invoice


def issue(session: Session, scope: Scope, invoice_id: int, data: InvoiceIssue) -> Invoice:
    """Mark an invoice issued with its number and date (409 when already issued or stale)."""
    invoice = _writable(session, scope, invoice_id, data.version)
    values = {"status": "issued", "issued_on": data.issued_on, "invoice_number": data.invoice_number}
    changes = audit.apply_changes(invoice, values)
    session.flush()
    audit.record(session, scope, ENTITY, invoice.id, "issue", changes)
    return invoice


def delete_(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    """Move an invoice to the recycle bin (``receivables.delete``)."""
    invoice = get(session, scope, invoice_id)
    require_write(scope, invoice.owner_id, Permission.receivables_delete)
    invoice.deleted_at = utcnow()
    invoice.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, invoice.id, "delete")
    return invoice


def _deleted(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    invoice = repo.invoice(session, scope, invoice_id, deleted=True)
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    return invoice


def restore(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    """Bring an invoice back from the recycle bin (same scope and permission as deleting it)."""
    invoice = _deleted(session, scope, invoice_id)
    require_write(scope, invoice.owner_id, Permission.receivables_delete)
    invoice.deleted_at = None
    invoice.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, invoice.id, "restore")
    return invoice


def purge(session: Session, scope: Scope, invoice_id: int) -> None:
    """Delete an invoice from the recycle bin for good (``recycle.purge``); its history stays."""
    invoice = _deleted(session, scope, invoice_id)
    require_write(scope, invoice.owner_id, Permission.recycle_purge)
    audit.record(session, scope, ENTITY, invoice.id, "purge", {"invoice_title": [invoice.title, None]})
    session.delete(invoice)
    session.flush()


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Invoice], int]:
    """Invoices in the recycle bin that the caller could see before they were deleted."""
    return repo.invoice_deleted_page(session, scope, page, size)


def history(session: Session, scope: Scope, invoice_id: int) -> list[audit.AuditLog]:
    """The audit rows of a visible invoice, newest first (``audit.view``)."""
    from loam.authz import service as authz_service

    get(session, scope, invoice_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, invoice_id)
