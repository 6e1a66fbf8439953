"""The receipt (回款记录) as an approval document type: doc type "receivable" (see loam.approvals.registry)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals.registry import DocumentType
from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.receivables import repository as repo
from loam.receivables import service
from loam.receivables.common import ENTITY_RECEIPT


def _load(session: Session, receipt_id: int) -> Any:
    return repo.receipt_by_id(session, receipt_id)


def _describe(receipt: Any) -> str:
    return str(receipt.name)


def _values(receipt: Any) -> dict[str, Any]:
    return {"amount": receipt.amount, "method": receipt.method}


def _owner(receipt: Any) -> int | None:
    return receipt.owner_id  # the contract's owner: supervisors and department heads resolve from them


def _on_change(session: Session, scope: Scope, receipt: Any, state: str) -> None:
    service.apply_approval(session, scope, receipt, state)


def _can_view(session: Session, scope: Scope, receipt_id: int) -> bool:
    return repo.receipt(session, scope, receipt_id) is not None


DOCUMENT = DocumentType(
    code=ENTITY_RECEIPT,
    label=N_("Receipt record"),
    fields={"amount": "decimal", "method": "str"},
    load=_load,
    describe=_describe,
    values=_values,
    owner_id=_owner,
    on_change=_on_change,
    route=("receivables:detail", "receivable_id"),
    can_view=_can_view,
)
