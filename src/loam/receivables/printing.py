"""Printing an approved receipt (收据): a Word "receipt" template (docxtpl, managed by the contracts domain) or
the HTML print view; every print is recorded in the print history (entity "receivable")."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Conflict
from loam.kit.choices import label
from loam.kit.i18n import gettext as _
from loam.receivables import service
from loam.receivables.common import ENTITY_RECEIPT
from loam.receivables.models import Receivable
from loam.receivables.schemas import METHODS


def receipt_number(receipt: Receivable) -> str:
    """The number printed on a receipt: SK-<year><month>-<id, five digits>."""
    return f"SK-{receipt.received_on:%Y%m}-{receipt.id:05d}"


def _printable(session: Session, scope: Scope, receipt_id: int) -> Receivable:
    receipt = service.get(session, scope, receipt_id)
    if receipt.status != "approved":
        raise Conflict(_("Only an approved receipt can be printed."))
    return receipt


def context(session: Session, receipt: Receivable) -> dict[str, Any]:
    """The placeholders of a receipt template: the contract's (contract.*, customer.*) plus receipt.* and the
    received amount as ``amount`` / ``amount_in_words``."""
    from loam.contracts import documents
    from loam.contracts import service as contract_service
    from loam.contracts.words import amount_in_words

    contract = contract_service.get(session, Scope.system(), receipt.contract_id)
    ctx = documents.contract_context(session, contract)
    amount = f"{receipt.amount:,.2f}"
    words = amount_in_words(receipt.amount)
    ctx["receipt"] = {
        "number": receipt_number(receipt),
        "received_on": receipt.received_on.isoformat(),
        "method": label(METHODS, receipt.method),
        "payer": receipt.payer or "",
        "remark": receipt.remark or "",
        "amount": amount,
        "amount_in_words": words,
    }
    return ctx | {"amount": amount, "amount_in_words": words, "currency": receipt.currency}


def templates(session: Session, scope: Scope) -> list[Any]:
    """The active "receipt" templates the caller may print with (none without ``contracts.view``)."""
    from loam.contracts import documents

    if not scope.can("contracts.view"):
        return []
    return documents.list_templates(session, scope, "receipt")


def generate(session: Session, scope: Scope, receipt_id: int, template_id: int) -> tuple[bytes, str]:
    """The filled .docx of a visible, approved receipt from an active "receipt" template (404 for another kind),
    recorded in the print history; returns the bytes and a download name."""
    from loam.contracts import documents
    from loam.errors import NotFound

    receipt = _printable(session, scope, receipt_id)
    if not any(t.id == template_id for t in templates(session, scope)):
        raise NotFound(_("Template not found."))
    data = documents.render_document(session, scope, template_id, context(session, receipt))
    documents.record_print(session, scope, ENTITY_RECEIPT, receipt.id, template_id, "docx")
    return data, f"{receipt_number(receipt)}.docx"


def print_view(session: Session, scope: Scope, receipt_id: int) -> dict[str, Any]:
    """The data of the HTML print view of a visible, approved receipt; the print is recorded."""
    from loam.contracts import documents

    receipt = _printable(session, scope, receipt_id)
    ctx = context(session, receipt)
    documents.record_print(session, scope, ENTITY_RECEIPT, receipt.id, None, "html")
    return ctx


def prints(session: Session, scope: Scope, receipt_id: int) -> list[Any]:
    """The print history of a visible receipt, newest first."""
    from loam.contracts import documents

    service.get(session, scope, receipt_id)
    return documents.prints_of(session, ENTITY_RECEIPT, receipt_id)
