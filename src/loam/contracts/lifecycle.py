"""Contract status changes: submit for approval, approval outcomes, void; and the expiry reminders.

draft → in_approval → approved | rejected; rejected → (edit) → in_approval; in_approval → draft (withdrawn);
draft | approved → void (``contracts.void``, with a reason). The approval engine (loam.approvals) drives the
outcomes through :func:`on_approval` (declared in :mod:`loam.contracts.approval`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contracts import options, service
from loam.contracts import repository as repo
from loam.contracts.models import Contract
from loam.contracts.schemas import SubmitRequest
from loam.db import utcnow
from loam.errors import Conflict, Invalid
from loam.kit import audit
from loam.kit.i18n import gettext as _

ENTITY = service.ENTITY
SUBMITTABLE = ("draft", "rejected")
VOIDABLE = ("draft", "approved")
STATE_TO_STATUS = {"in_approval": "in_approval", "approved": "approved", "rejected": "rejected", "withdrawn": "draft"}
STATE_ACTIONS = {"in_approval": "submit", "approved": "approve", "rejected": "reject", "withdrawn": "withdraw"}


def submit(session: Session, scope: Scope, contract_id: int, req: SubmitRequest | None = None) -> Contract:
    """Submit a draft or rejected contract for approval (``contracts.update`` and write access). The approval
    engine picks the flow; without an active flow the contract is approved at once. 409 from other statuses."""
    contract = service.get_for_write(session, scope, contract_id, Permission.contracts_update)
    if contract.status not in SUBMITTABLE:
        raise Conflict(_("Only a draft or rejected contract can be submitted for approval."))
    req = req or SubmitRequest()
    try:
        from loam.approvals import service as approval_service
    except ModuleNotFoundError:  # no approval engine installed: approved at once, as with no active flow
        on_approval(session, scope, contract, "in_approval")
        on_approval(session, scope, contract, "approved")
        return contract
    approval_service.submit(session, scope, "contract", contract.id, req.chosen_approvers, req.comment)
    session.flush()  # the engine called on_approval on this same (identity-mapped) contract
    return contract


def on_approval(session: Session, scope: Scope, contract: Contract, state: str) -> None:
    """The approval engine's callback: set the status for ``state`` with an audit row. On approval the
    customer is marked closed-deal (成交) and a linked opportunity is won, both as the system."""
    status = STATE_TO_STATUS.get(state)
    if status is None:
        raise Invalid(_("Unknown approval state: %(state)s", state=state[:20]))
    values: dict[str, Any] = {"status": status}
    if state == "approved":
        values["approved_at"] = utcnow()
    changes = audit.apply_changes(contract, values)
    session.flush()
    audit.record(session, scope, ENTITY, contract.id, STATE_ACTIONS[state], changes)
    if state == "approved":
        _close_the_deal(session, contract)


def _close_the_deal(session: Session, contract: Contract) -> None:
    from loam.customers import service as customer_service

    customer_service.note_deal_closed(session, contract.customer_id, contract.number)
    if contract.opportunity_id is None:
        return
    try:
        from loam.opportunities import service as opportunity_service
    except ModuleNotFoundError:
        return
    opportunity_service.mark_won_by_contract(session, Scope.system(), contract.opportunity_id, contract.number)


def void(session: Session, scope: Scope, contract_id: int, reason: str) -> Contract:
    """Void a draft or approved contract (``contracts.void``) with a reason; audited; 409 from other statuses.
    A void contract takes no further change."""
    contract = service.get(session, scope, contract_id)
    authz_service.require(scope, Permission.contracts_void)
    if contract.status not in VOIDABLE:
        raise Conflict(_("Only a draft or approved contract can be voided."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason for voiding the contract."), detail={"reason": _("This field is required.")})
    changes = audit.apply_changes(
        contract, {"status": "void", "void_reason": reason[:500], "voided_at": utcnow(), "voided_by": scope.user_id}
    )
    session.flush()
    audit.record(session, scope, ENTITY, contract.id, "void", changes)
    return contract


# --- expiry reminders ---


@dataclass
class ReminderResult:
    checked: int = 0
    notified: int = 0


def expiring(session: Session, scope: Scope, days: int | None = None, limit: int = 200) -> list[Contract]:
    """The caller's visible approved contracts ending within ``days`` (default: the setting), soonest first."""
    authz_service.require(scope, Permission.contracts_view)
    window = days if days is not None else options.load(session).expiry_days
    return repo.visible_expiring(session, scope, service.today(), window, limit)


def remind_expiring(session: Session, day: date | None = None) -> ReminderResult:
    """Notify each owner of an approved contract ending within the configured window (system job). At most one
    notification per contract and end date (a changed end date reminds again)."""
    from loam.notifications import service as notification_service

    day = day or service.today()
    window = options.load(session).expiry_days
    result = ReminderResult()
    after = 0
    while batch := repo.expiring(session, day, window, after, 500):
        for contract in batch:
            result.checked += 1
            if contract.owner_id is None or contract.end_on is None:
                continue
            params = {"contract": f"{contract.number} {contract.name}", "date": contract.end_on.isoformat()}
            key = f"contract_expiring:{contract.id}:{contract.end_on.isoformat()}"
            row = notification_service.notify(
                session, contract.owner_id, "contract_expiring", params, ENTITY, contract.id, dedupe_key=key
            )
            result.notified += row is not None
        after = batch[-1].id
    session.flush()
    return result
