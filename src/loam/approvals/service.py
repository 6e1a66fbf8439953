"""Approvals (审批): the engine every approvable document goes through.

Domains call :func:`submit`, :func:`pending` and :func:`is_locked`; people act through :mod:`loam.approvals.actions`
(re-exported here); flows are administered through :mod:`loam.approvals.flows`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.approvals import engine, flows, registry
from loam.approvals import repository as repo
from loam.approvals.actions import add_cc, approve, delegate, reject, send_back, withdraw
from loam.approvals.models import ApprovalInstance, ApprovalStep, ApprovalTask
from loam.authz.scope import Scope
from loam.errors import Conflict, Invalid, LoamError, NotFound
from loam.kit import audit
from loam.kit.audit import jsonable
from loam.kit.i18n import gettext as _

__all__ = [
    "add_cc",
    "approve",
    "chooser_steps",
    "delegate",
    "get",
    "is_locked",
    "pending",
    "reject",
    "send_back",
    "submit",
    "withdraw",
]

ENTITY = engine.ENTITY
MAX_COMMENT = 2000


def pending(session: Session, doc_type: str, doc_id: int) -> ApprovalInstance | None:
    """The approval of the document that is still running, if any."""
    return repo.pending_instance(session, doc_type, doc_id)


def is_locked(session: Session, doc_type: str, doc_id: int) -> bool:
    """True while the document is in approval: its domain must refuse edits and deletion."""
    return pending(session, doc_type, doc_id) is not None


def submit(
    session: Session,
    scope: Scope,
    doc_type: str,
    doc_id: int,
    chosen_approvers: dict[int, list[int]] | None = None,
    comment: str | None = None,
) -> ApprovalInstance:
    """Start the approval of a document the caller (the domain service) has already authorised ``scope`` to submit.

    Picks the first active flow of the type whose conditions hold and keeps a snapshot of it; steps whose conditions
    do not hold are "not required". ``chosen_approvers`` maps a step position to the users the submitter picked for
    "chosen by the submitter" steps (required for each such step that applies). Calls ``on_change("in_approval")``,
    then "approved" at once when no flow applies or every step resolves to nobody. 409 when one is already pending.
    """
    doc_type_ = flows.document_type(doc_type)
    document = doc_type_.load(session, doc_id)
    if document is None:
        raise NotFound(_("Document not found."))
    comment = _comment(comment)
    if repo.pending_instance(session, doc_type, doc_id) is not None:
        raise Conflict(_("This document is already in approval."))
    values = doc_type_.values(document)
    flow = flows.match(session, doc_type, values, doc_type_.fields)
    snap = flows.snapshot(session, flow) if flow is not None else {}
    chosen = _check_chosen(session, snap, values, doc_type_.fields, chosen_approvers or {})
    instance = _create(session, scope, doc_type_, document, doc_id, snap, values)
    engine.event(session, instance, scope, "submit", comment=comment)
    audit.record(session, scope, ENTITY, instance.id, "submit", {"status": [None, "pending"]}, note=comment)
    doc_type_.on_change(session, scope, document, "in_approval")
    if flow is None:
        engine.event(session, instance, None, "auto_approve")
        engine.finish(session, scope, instance, "approved")
        return instance
    session.add_all(engine.build_steps(instance, snap, values, doc_type_.fields, chosen))
    session.flush()
    engine.advance(session, scope, instance, after=0)
    return instance


def _comment(comment: str | None) -> str | None:
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise Invalid(_("At most %(n)s characters.", n=MAX_COMMENT), detail={"comment": _("Too long.")})
    return comment


def _create(
    session: Session,
    scope: Scope,
    doc_type: registry.DocumentType,
    document: Any,
    doc_id: int,
    snap: dict,
    values: dict,
) -> ApprovalInstance:
    instance = ApprovalInstance(
        doc_type=doc_type.code,
        doc_id=doc_id,
        title=(doc_type.describe(document) or str(doc_id))[:300],
        flow_id=snap.get("id"),
        flow_name=snap.get("name"),
        flow_revision=snap.get("revision"),
        flow_snapshot=jsonable(snap),
        doc_values=jsonable(values),
        status="pending",
        submitter_id=scope.user_id,
        owner_id=doc_type.owner_id(document) or scope.user_id,
    )
    try:
        with session.begin_nested():
            session.add(instance)
            session.flush()
    except IntegrityError:  # the partial unique index: someone submitted the same document at the same time
        raise Conflict(_("This document is already in approval.")) from None
    return instance


def _check_chosen(
    session: Session, snap: dict, values: dict, fields: dict[str, str], chosen: dict[int, list[int]]
) -> dict[int, list[int]]:
    """Each applicable "chosen by the submitter" step needs at least one active user (422 otherwise)."""
    out: dict[int, list[int]] = {}
    for step in snap.get("steps", []):
        if step["approver_kind"] != "chosen" or not flows.all_hold(step.get("conditions") or [], values, fields):
            continue
        wanted = [int(u) for u in chosen.get(step["position"]) or chosen.get(str(step["position"])) or []]  # type: ignore[call-overload]
        if not wanted:
            raise Invalid(_("Choose the approvers of the step %(step)s.", step=step["name"]))
        active = repo.active_user_ids(session, list(dict.fromkeys(wanted)))
        if len(active) != len(set(wanted)):
            raise Invalid(_("Every approver must be an active user."))
        out[step["position"]] = active
    return out


def chooser_steps(session: Session, doc_type: str, doc_id: int) -> list[dict[str, Any]]:
    """The steps the submitter must pick approvers for if the document were submitted now (for submit forms):
    ``[{"position": 2, "name": "..."}]``; empty when none (or when the document is gone)."""
    doc_type_ = registry.get(doc_type)
    document = doc_type_.load(session, doc_id) if doc_type_ else None
    if doc_type_ is None or document is None:
        return []
    values = doc_type_.values(document)
    flow = flows.match(session, doc_type, values, doc_type_.fields)
    snap = flows.snapshot(session, flow) if flow is not None else {}
    return [
        {"position": s["position"], "name": s["name"]}
        for s in snap.get("steps", [])
        if s["approver_kind"] == "chosen" and flows.all_hold(s.get("conditions") or [], values, doc_type_.fields)
    ]


# --- reading ------------------------------------------------------------------------------------


def can_view_document(session: Session, scope: Scope, doc_type: str, doc_id: int) -> bool:
    """May the caller see the document itself (through its domain)? Uses ``DocumentType.can_view`` when given,
    else the domain's ``service.get(session, scope, id)`` (a 403/404 there means no)."""
    if scope.is_system:
        return True
    doc = registry.get(doc_type)
    if doc is None:
        return False
    if doc.can_view is not None:
        return bool(doc.can_view(session, scope, doc_id))
    module_name = registry.DOCUMENTS.get(doc_type)
    if module_name is None:
        return False
    import importlib

    try:
        domain = importlib.import_module(module_name.rsplit(".", 1)[0] + ".service")
        domain.get(session, scope, doc_id)
    except (ImportError, AttributeError, LoamError):
        return False
    return True


def visible(session: Session, scope: Scope, instance: ApprovalInstance) -> bool:
    """Participants (submitter, owner, approvers past and present, delegators, users copied) and whoever may see
    the document may read its approval."""
    uid = scope.user_id
    if scope.is_system or (uid is not None and uid in (instance.submitter_id, instance.owner_id)):
        return True
    if uid is not None and repo.is_participant(session, instance.id, uid):
        return True
    return can_view_document(session, scope, instance.doc_type, instance.doc_id)


def get(session: Session, scope: Scope, instance_id: int) -> ApprovalInstance:
    """One approval the caller may read, or 404."""
    instance = repo.get_instance(session, instance_id)
    if instance is None or not visible(session, scope, instance):
        raise NotFound(_("Approval not found."))
    return instance


def latest_for(session: Session, doc_type: str, doc_id: int) -> list[ApprovalInstance]:
    """The document's approvals, newest first (the caller has checked the document is visible)."""
    return repo.instances_for(session, doc_type, doc_id)


def steps(session: Session, instance: ApprovalInstance) -> list[ApprovalStep]:
    """The instance's steps in order."""
    return repo.steps(session, instance.id)


def tasks(session: Session, instance: ApprovalInstance) -> list[ApprovalTask]:
    """Every task of the instance (all steps, all rounds), oldest first."""
    return repo.tasks(session, instance.id)
