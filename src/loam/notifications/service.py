"""The notification area: store a message id and its parameters; render them in the reader's language.

A user only ever sees and marks their own notifications (someone else's id is a 404).
Other domains add their kinds to KINDS (kind → English message id with ``%(name)s`` parameters).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import NotFound
from loam.kit.audit import jsonable
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.notifications import repository as repo
from loam.notifications.models import Notification

KINDS: dict[str, str] = {
    "pool_warning": N_("%(customer)s returns to the public pool on %(date)s unless followed up"),
    "pool_returned": N_("%(customer)s was returned to the public pool %(pool)s"),
    "pool_released": N_("%(customer)s was released to the public pool %(pool)s by %(user)s"),
    "pool_assigned": N_("%(customer)s was assigned to you from the public pool %(pool)s"),
    # Approval flows (审批流): %(document)s is the document's label, e.g. "合同 HT-202612-00001".
    "approval_pending": N_("%(document)s awaits your approval"),
    "approval_cc": N_("You were copied on the approval of %(document)s"),
    "approval_approved": N_("%(document)s was approved"),
    "approval_rejected": N_("%(document)s was rejected by %(user)s: %(comment)s"),
    "approval_returned": N_("%(document)s was sent back by %(user)s: %(comment)s"),
    "approval_delegated": N_("%(user)s asked you to decide on %(document)s"),
    "approval_withdrawn": N_("%(document)s was withdrawn by %(user)s"),
    "contract_expiring": N_("Contract %(contract)s ends on %(date)s"),
    "receivable_overdue": N_("A receivable of %(amount)s on contract %(contract)s was due on %(date)s"),
    "opportunity_assigned": N_("%(user)s gave you the opportunity %(opportunity)s"),
    # Relationships (客户关系): succession gaps, executive pairings due, conflicting intelligence.
    "relationship_succession": N_(
        "%(contact)s (%(customer)s) left or changed role: no one at S3 or above remains in %(department)s"
    ),
    "exec_pairing_due": N_("The executive pairing %(user)s – %(contact)s (%(customer)s) has not met since %(date)s"),
    "intel_conflict": N_("Conflicting reports about %(customer)s: %(item)s"),
}


class _Params(dict[str, Any]):
    """Missing parameters render as empty text instead of failing the page."""

    def __missing__(self, key: str) -> str:
        return ""


def message(notification: Notification) -> str:
    """The notification's text in the current locale."""
    msgid = KINDS.get(notification.kind)
    if msgid is None:
        return notification.kind
    try:
        return _(msgid) % _Params(notification.params or {})
    except (TypeError, ValueError):
        return _(msgid)


def notify(
    session: Session,
    user_id: int,
    kind: str,
    params: dict[str, Any] | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Queue a notification for ``user_id``; with a ``dedupe_key`` at most one per (user, key) ever exists.

    Returns the new row, or None when an identical one (same user and key) was already stored.
    """
    if dedupe_key is not None and repo.by_dedupe_key(session, user_id, dedupe_key) is not None:
        return None
    row = Notification(
        user_id=user_id,
        kind=kind,
        params=jsonable(params or {}),
        entity=entity,
        entity_id=entity_id,
        dedupe_key=dedupe_key,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent writer stored the same (user, key) first
        return None
    return row


def list_for_user(
    session: Session, scope: Scope, unread: bool = False, page: int = 1, size: int = 25
) -> tuple[list[Notification], int]:
    """The caller's own notifications, newest first."""
    return repo.page(session, scope.user_id, unread, page, size)


def unread_count(session: Session, scope: Scope) -> int:
    """How many of the caller's notifications are unread."""
    return repo.unread_count(session, scope.user_id)


def get(session: Session, scope: Scope, notification_id: int) -> Notification:
    """One of the caller's own notifications, or 404."""
    row = repo.get_own(session, scope.user_id, notification_id)
    if row is None:
        raise NotFound(_("Notification not found."))
    return row


def mark_read(session: Session, scope: Scope, notification_id: int) -> Notification:
    """Mark one of the caller's own notifications read (idempotent); anyone else's is a 404."""
    row = get(session, scope, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row


def mark_all_read(session: Session, scope: Scope) -> int:
    """Mark every unread notification of the caller read; returns how many changed."""
    return repo.mark_all(session, scope.user_id, utcnow())
