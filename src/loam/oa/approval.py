"""The OA request as an approval document type: doc type "oa_request" (loam.approvals.registry DOCUMENTS).

Condition fields: ``type`` (the type's code, e.g. ``expense``), ``amount`` (the first money field) and ``days``
(the "days" field), so that a flow can say "type = expense and amount > 5000 → add a finance step".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals.registry import DocumentType
from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.oa import service
from loam.oa.models import OaRequest


def _load(session: Session, request_id: int) -> OaRequest | None:
    return service.load(session, request_id)


def _describe(request: OaRequest) -> str:
    return str(request.title)


def _values(request: OaRequest) -> dict[str, Any]:
    return {"type": request.type_code, "amount": request.amount, "days": request.days}


def _owner(request: OaRequest) -> int | None:
    return request.owner_id  # the submitter: department heads and supervisors resolve from them


def _on_change(session: Session, scope: Scope, request: OaRequest, state: str) -> None:
    service.apply_approval(session, scope, request, state)


def _can_view(session: Session, scope: Scope, request_id: int) -> bool:
    return service.in_scope(session, scope, request_id)


DOCUMENT = DocumentType(
    code=service.ENTITY,
    label=N_("OA request"),
    fields={"type": "str", "amount": "decimal", "days": "decimal"},
    load=_load,
    describe=_describe,
    values=_values,
    owner_id=_owner,
    on_change=_on_change,
    route=("oa:detail", "request_id"),
    can_view=_can_view,
)
