"""The contract as an approvable document type (loam.approvals.registry DOCUMENTS["contract"])."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals.registry import DocumentType
from loam.authz.scope import Scope
from loam.contracts import lifecycle, service
from loam.contracts.models import Contract
from loam.kit.i18n import N_


def _load(session: Session, contract_id: int) -> Contract | None:
    return service.load(session, contract_id)


def _describe(contract: Contract) -> str:
    return f"{contract.number} {contract.name}"


def _values(contract: Contract) -> dict[str, Any]:
    return {"amount": contract.amount, "type": contract.type, "currency": contract.currency}


def _owner_id(contract: Contract) -> int | None:
    return contract.owner_id


def _on_change(session: Session, scope: Scope, contract: Contract, state: str) -> None:
    lifecycle.on_approval(session, scope, contract, state)


def _can_view(session: Session, scope: Scope, contract_id: int) -> bool:
    from loam.contracts import repository as repo

    return repo.get(session, scope, contract_id) is not None


DOCUMENT = DocumentType(
    code="contract",
    label=N_("Contract"),
    fields={"amount": "decimal", "type": "str", "currency": "str"},
    load=_load,
    describe=_describe,
    values=_values,
    owner_id=_owner_id,
    on_change=_on_change,
    route=("contracts:detail", "contract_id"),
    can_view=_can_view,
)
