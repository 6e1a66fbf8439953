"""The opportunity's project approval (商机立项) as an approvable document type
(loam.approvals.registry DOCUMENTS["opportunity"]); the gate itself is :mod:`loam.opportunities.gate`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals.registry import DocumentType
from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.opportunities import gate
from loam.opportunities import repository as repo
from loam.opportunities.models import Opportunity


def _load(session: Session, opportunity_id: int) -> Opportunity | None:
    return repo.get_unscoped(session, opportunity_id)


def _describe(opportunity: Opportunity) -> str:
    return f"{opportunity.name} · {opportunity.amount:,.2f} {opportunity.currency}"


def _values(opportunity: Opportunity) -> dict[str, Any]:
    return {"amount": opportunity.amount, "currency": opportunity.currency, "probability": opportunity.probability}


def _owner_id(opportunity: Opportunity) -> int | None:
    return opportunity.owner_id


def _on_change(session: Session, scope: Scope, opportunity: Opportunity, state: str) -> None:
    gate.on_approval(session, scope, opportunity, state)


def _can_view(session: Session, scope: Scope, opportunity_id: int) -> bool:
    return repo.get(session, scope, opportunity_id) is not None


DOCUMENT = DocumentType(
    code="opportunity",
    label=N_("Project approval (立项)"),
    fields={"amount": "decimal", "currency": "str", "probability": "int"},
    load=_load,
    describe=_describe,
    values=_values,
    owner_id=_owner_id,
    on_change=_on_change,
    route=("opportunities:detail", "opportunity_id"),
    can_view=_can_view,
)
