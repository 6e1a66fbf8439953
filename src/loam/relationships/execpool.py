"""The executive resource pool (高层资源池): our executives paired with customer contacts (高层对口) and their
meetings.

Rules:
- A pairing joins one of our users and one contact (normally a customer executive); the customer is the
  contact's. A contact and a user are paired at most once (a pairing in the recycle bin is restored, not doubled).
  ``expected_days`` defaults to the method's ``exec.default_days``.
- Meetings are planned, held (with the date held) or cancelled; a linked follow-up is one of the same customer.
- **Due**: the last held meeting — or, before the first, the day of pairing — is more than ``expected_days`` ago.
  The daily job (:func:`notify_due`) tells the paired user and the customer's owner once per due period
  (``exec_pairing_due``): a new held meeting starts a new period.
Who: seeing the customer and ``relationships.view`` shows its pairings; ``relationships.update`` records them (404
before 403, R11). Soft delete → recycle bin entity "exec_pairing"; purge needs ``recycle.purge``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.config import settings as app_settings
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.relationships import access
from loam.relationships import network_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.intel import today
from loam.relationships.models import ExecMeeting, ExecPairing
from loam.relationships.schemas_network import (
    MeetingCreate,
    MeetingUpdate,
    PairingCreate,
    PairingFilters,
    PairingUpdate,
    meeting_rule_errors,
)

ENTITY = "exec_pairing"
ENTITY_MEETING = "exec_meeting"
MEETING_FIELDS = ("planned_on", "held_on", "status", "followup_id", "summary")
CHUNK = 2000  # pairings read and marked at a time by list_all


@dataclass
class DueRun:
    checked: int = 0
    due: int = 0
    notified: int = 0
    pairing_ids: list[int] = field(default_factory=list)


def created_on(pairing: ExecPairing) -> date:
    """The day a pairing was made, in company time."""
    return pairing.created_at.astimezone(ZoneInfo(app_settings.timezone)).date()


def mark(pairings: Sequence[ExecPairing], marks: dict[int, tuple[date | None, date | None]], as_of: date) -> None:
    """Set ``last_held_on``, ``next_planned_on``, ``since`` and ``due`` on each pairing."""
    for p in pairings:
        last, nxt = marks.get(p.id, (None, None))
        since = last or created_on(p)
        p.last_held_on, p.next_planned_on, p.since = last, nxt, since  # type: ignore[attr-defined]
        p.due = (as_of - since).days > p.expected_days  # type: ignore[attr-defined]


def _found(session: Session, scope: Scope, pairing_id: int, deleted: bool = False) -> ExecPairing:
    found = repo.pairing(session, scope, pairing_id, deleted)
    if found is None:
        raise NotFound(_("Executive pairing not found."))
    return found


def get(session: Session, scope: Scope, pairing_id: int, as_of: date | None = None) -> ExecPairing:
    """A live pairing of a visible customer (404) with ``relationships.view`` (403); its rhythm and meetings
    (``meetings``, newest first) attached."""
    pairing = _found(session, scope, pairing_id)
    access.require_view(scope)
    mark([pairing], repo.meeting_marks(session, [pairing.id]), as_of or today())
    pairing.meetings = repo.meetings_of(session, pairing.id)  # type: ignore[attr-defined]
    return pairing


def list_all(
    session: Session, scope: Scope, filters: PairingFilters | None = None, as_of: date | None = None
) -> list[ExecPairing]:
    """Every visible pairing (of a live contact) matching the filters, by executive; ``due`` is evaluated on
    ``as_of`` (default today). Pairings are few (executives × customer executives); they are read in chunks so
    that none is left out, however many there are."""
    access.require_view(scope)
    filters, day = filters or PairingFilters(), as_of or today()
    pairings: list[ExecPairing] = []
    after: tuple[int, int] | None = None
    while chunk := repo.pairing_list(session, scope, filters, CHUNK, after):
        mark(chunk, repo.meeting_marks(session, [p.id for p in chunk]), day)
        pairings += [p for p in chunk if filters.due is None or p.due == filters.due]  # type: ignore[attr-defined]
        if len(chunk) < CHUNK:
            break
        after = (chunk[-1].user_id, chunk[-1].id)
    return pairings


def list_page(
    session: Session, scope: Scope, filters: PairingFilters, page: int = 1, size: int = 25, as_of: date | None = None
) -> tuple[list[ExecPairing], int]:
    """One page of :func:`list_all`."""
    rows = list_all(session, scope, filters, as_of)
    return rows[(page - 1) * size : page * size], len(rows)


def for_customer(session: Session, scope: Scope, customer_id: int, as_of: date | None = None) -> list[ExecPairing]:
    """The pairings of a visible customer (404 / 403 as :func:`access.customer`)."""
    access.customer(session, scope, customer_id)
    return list_all(session, scope, PairingFilters(customer_id=customer_id), as_of)


def _check_user(session: Session, user_id: int) -> None:
    if not repo.users_active(session, [user_id]):
        message = _("Choose an active user as our executive.")
        raise Invalid(message, detail={"user_id": message})


def _check_pair(session: Session, contact_id: int, user_id: int, exclude_id: int | None = None) -> None:
    other = repo.pairing_of_pair(session, contact_id, user_id)
    if other is None or other.id == exclude_id:
        return
    if other.deleted_at is not None:
        raise Conflict(_("This executive is already paired with this contact; the pairing is in the recycle bin."))
    raise Conflict(_("This executive is already paired with this contact."))


def create(session: Session, scope: Scope, data: PairingCreate) -> ExecPairing:
    """Pair one of our users with a visible contact (404) of a visible customer with ``relationships.update``
    (403); 422 for an unknown or inactive user, 409 when the two are already paired."""
    contact = access.contact(session, scope, data.contact_id, write=True)
    access.customer(session, scope, contact.customer_id, write=True)
    _check_user(session, data.user_id)
    _check_pair(session, contact.id, data.user_id)
    days = data.expected_days or int(method_settings.current(session)["exec"]["default_days"])
    pairing = ExecPairing(
        customer_id=contact.customer_id,
        contact_id=contact.id,
        user_id=data.user_id,
        expected_days=days,
        remark=data.remark,
        created_by=scope.user_id,
    )
    session.add(pairing)
    session.flush()
    changes = {"contact_id": [None, contact.id], "user_id": [None, data.user_id], "expected_days": [None, days]}
    audit.record(session, scope, ENTITY, pairing.id, "create", changes)
    return get(session, scope, pairing.id)


def _writable(session: Session, scope: Scope, pairing_id: int, deleted: bool = False) -> ExecPairing:
    pairing = _found(session, scope, pairing_id, deleted)
    access.customer(session, scope, pairing.customer_id, write=True)
    return pairing


def update(session: Session, scope: Scope, pairing_id: int, data: PairingUpdate) -> ExecPairing:
    """PATCH a pairing (executive, expected days, remark); a stale ``version`` is a 409."""
    pairing = _writable(session, scope, pairing_id)
    if pairing.version != data.version:
        raise Conflict(_("Someone else changed this record. Reload and try again."))
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("user_id", "expected_days"):
        if name in given and given[name] is None:
            message = _("This field is required.")
            raise Invalid(message, detail={name: message})
    if given.get("user_id") not in (None, pairing.user_id):
        _check_user(session, given["user_id"])
        _check_pair(session, pairing.contact_id, given["user_id"], exclude_id=pairing.id)
    changes = audit.apply_changes(pairing, given)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, pairing.id, "update", changes)
    return get(session, scope, pairing.id)


def delete_(session: Session, scope: Scope, pairing_id: int) -> ExecPairing:
    """Move a pairing (with its meetings) to the recycle bin."""
    pairing = _writable(session, scope, pairing_id)
    pairing.deleted_at = utcnow()
    pairing.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, pairing.id, "delete")
    return pairing


def restore(session: Session, scope: Scope, pairing_id: int) -> ExecPairing:
    """Bring a pairing back from the recycle bin (its customer visible and live, ``relationships.update``)."""
    pairing = _writable(session, scope, pairing_id, deleted=True)
    pairing.deleted_at = None
    pairing.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, pairing.id, "restore")
    _bin_labels(session, [pairing])
    return pairing


def purge(session: Session, scope: Scope, pairing_id: int) -> None:
    """Delete a pairing in the recycle bin for good with its meetings (``recycle.purge``); audit rows stay."""
    pairing = _found(session, scope, pairing_id, deleted=True)
    authz_service.require(scope, Permission.recycle_purge)
    audit.record(session, scope, ENTITY, pairing.id, "purge", {"contact_id": [pairing.contact_id, None]})
    for meeting in repo.meetings_of(session, pairing.id):
        session.delete(meeting)
    session.delete(pairing)
    session.flush()


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[ExecPairing], int]:
    """Pairings in the recycle bin whose customer the caller sees, labelled "executive – contact"."""
    rows, total = repo.deleted_pairing_page(session, scope, page, size)
    _bin_labels(session, rows)
    return rows, total


def _bin_labels(session: Session, rows: Sequence[ExecPairing]) -> None:
    """What the recycle bin shows for pairings: "executive – contact"; the executive as owner."""
    from loam.contacts import service as contact_service
    from loam.org import service as org_service

    users = org_service.names_by_id(session, {p.user_id for p in rows})
    contacts = contact_service.names_by_id(session, {p.contact_id for p in rows})
    for p in rows:
        p.name = f"{users.get(p.user_id, '')} – {contacts.get(p.contact_id, '')}"  # type: ignore[attr-defined]
        p.owner_id = p.user_id  # type: ignore[attr-defined]


def history(session: Session, scope: Scope, pairing_id: int) -> list[audit.AuditLog]:
    """The audit rows of a visible pairing, newest first (``audit.view``)."""
    _found(session, scope, pairing_id)
    access.require_view(scope)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, pairing_id)


# --- meetings ---


def _check_followup(session: Session, scope: Scope, customer_id: int, followup_id: int | None) -> None:
    if followup_id is None:
        return
    from loam.activities import service as activity_service

    try:
        followup = activity_service.get(session, scope, followup_id)
    except NotFound:
        followup = None
    if followup is None or followup.customer_id != customer_id:
        message = _("Choose a follow-up of this customer.")
        raise Invalid(message, detail={"followup_id": message})


def add_meeting(session: Session, scope: Scope, pairing_id: int, data: MeetingCreate) -> ExecMeeting:
    """Plan or record a meeting of a pairing (``relationships.update`` on its customer)."""
    pairing = _writable(session, scope, pairing_id)
    _check_followup(session, scope, pairing.customer_id, data.followup_id)
    meeting = ExecMeeting(pairing_id=pairing.id, created_by=scope.user_id, **data.model_dump())
    session.add(meeting)
    session.flush()
    changes = {f: [None, getattr(meeting, f)] for f in MEETING_FIELDS if getattr(meeting, f) is not None}
    audit.record(session, scope, ENTITY_MEETING, meeting.id, "create", changes | {"pairing_id": [None, pairing.id]})
    return meeting


def get_meeting(session: Session, scope: Scope, meeting_id: int) -> ExecMeeting:
    """A meeting of a visible live pairing (404), with ``relationships.view`` (403)."""
    meeting = repo.meeting(session, scope, meeting_id)
    if meeting is None:
        raise NotFound(_("Meeting not found."))
    access.require_view(scope)
    return meeting


def update_meeting(session: Session, scope: Scope, meeting_id: int, data: MeetingUpdate) -> ExecMeeting:
    """PATCH a meeting — e.g. mark it held with the date, or cancelled; a stale ``version`` is a 409; a held
    meeting keeps a date held and only a held one has it (422)."""
    meeting = get_meeting(session, scope, meeting_id)
    pairing = _writable(session, scope, meeting.pairing_id)
    if meeting.version != data.version:
        raise Conflict(_("Someone else changed this record. Reload and try again."))
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("planned_on", "status"):
        if name in given and given[name] is None:
            message = _("This field is required.")
            raise Invalid(message, detail={name: message})
    errors = meeting_rule_errors({f: getattr(meeting, f) for f in MEETING_FIELDS} | given)
    if errors:
        raise Invalid(next(iter(errors.values())), detail=errors)
    if given.get("followup_id") is not None:
        _check_followup(session, scope, pairing.customer_id, given["followup_id"])
    changes = audit.apply_changes(meeting, given)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY_MEETING, meeting.id, "update", changes)
    return meeting


# --- the daily job and set-based readers ---


def notify_due(session: Session, as_of: date | None = None, batch: int = 500) -> DueRun:
    """The system job: for every due pairing, notify the paired user and the customer's owner
    (``exec_pairing_due``), once per pairing and due period (the period starts at ``since``). Idempotent."""
    from loam.contacts import service as contact_service
    from loam.notifications import service as notification_service
    from loam.org import service as org_service

    as_of = as_of or today()
    run = DueRun()
    after = 0
    while rows := repo.live_pairings_after(session, after, batch):
        after = rows[-1].id
        run.checked += len(rows)
        mark(rows, repo.meeting_marks(session, [p.id for p in rows]), as_of)
        due = [p for p in rows if p.due]  # type: ignore[attr-defined]
        if not due:
            continue
        customers = {p.customer_id: repo.customer_of(session, p.customer_id) for p in due}
        users = org_service.names_by_id(session, {p.user_id for p in due})
        contacts = contact_service.names_by_id(session, {p.contact_id for p in due})
        for p in due:
            run.due += 1
            customer = customers[p.customer_id]
            since = p.since.isoformat()  # type: ignore[attr-defined]
            params = {
                "user": users.get(p.user_id, ""),
                "contact": contacts.get(p.contact_id, ""),
                "customer": customer.name if customer else "",
                "date": since,
            }
            recipients = {p.user_id, customer.owner_id if customer else None} - {None}
            for user_id in sorted(recipients):  # type: ignore[type-var]
                row = notification_service.notify(
                    session,
                    user_id,  # type: ignore[arg-type]
                    "exec_pairing_due",
                    params,
                    "relationships",
                    p.customer_id,
                    dedupe_key=f"exec_pairing_due:{p.id}:{since}",
                )
                if row is not None:
                    run.notified += 1
            run.pairing_ids.append(p.id)
    session.flush()
    return run


def meeting_stats(
    session: Session, customer_ids: Sequence[int], since: date
) -> dict[int, tuple[int, date | None, int]]:
    """Set-based, no permission check (for scores of customers the caller already shows): ``{customer id:
    (meetings held since ``since``, last meeting held on, live pairings)}``; customers with none are absent."""
    return repo.meeting_stats(session, customer_ids, since)


def options(session: Session, scope: Scope, customer_id: int) -> dict[str, Any]:
    """What the pairing form of a visible customer picks from: its contacts (executives first) and our users."""
    from loam.contacts import service as contact_service
    from loam.org import service as org_service

    return {
        "contacts": contact_service.for_customer(session, scope, customer_id),
        "users": org_service.active_users(session),
        "default_days": int(method_settings.current(session)["exec"]["default_days"]),
    }


def labels(session: Session, pairings: Sequence[ExecPairing]) -> dict[str, dict[int, str]]:
    """Display names for visible pairings: our executives, the contacts and their customers."""
    from loam.contacts import service as contact_service
    from loam.org import service as org_service

    return {
        "users": org_service.names_by_id(session, {p.user_id for p in pairings}),
        "contacts": contact_service.names_by_id(session, {p.contact_id for p in pairings}),
        "customers": repo.customer_names(session, {p.customer_id for p in pairings}),
    }
