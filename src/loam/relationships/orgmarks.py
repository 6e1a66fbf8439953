"""Organisational checklist marks: the only writer of ``OrgMark`` (audit entity "org_mark").

Whoever sees the customer and holds ``relationships.update`` may mark an item of the current settings as in place
(with its factor, date, evidence and the follow-ups that prove it) or clear a mark (also on a retired item).
Order of checks (R11): the customer in scope (404), the permission (403), the item (404), the values (422), the
version (409); then the write and its audit row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.relationships import access
from loam.relationships import layers_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.coverage import today
from loam.relationships.models import OrgMark
from loam.relationships.schemas_layers import OrgMarkWrite

ENTITY = "org_mark"
FIELDS = ("factor", "achieved_on", "evidence", "evidence_url", "followup_ids")


def items(session: Session) -> list[dict[str, Any]]:
    """The checklist items of the settings in force (key, zh, en, weight)."""
    return list(method_settings.current(session)["org"]["items"])


def item(session: Session, item_key: str) -> dict[str, Any]:
    """One item of the current checklist, or 404."""
    for found in items(session):
        if found["key"] == item_key:
            return found
    raise NotFound(_("This checklist item is not in the settings."))


def _stale() -> Conflict:
    return Conflict(_("Someone else changed this record. Reload and try again."))


def _check(session: Session, customer_id: int, data: OrgMarkWrite, as_of: date) -> list[int]:
    """422 for a date after today or evidence follow-ups that are not live follow-ups of this customer."""
    if data.achieved_on is not None and data.achieved_on > as_of:
        message = _("The date it was achieved cannot be in the future.")
        raise Invalid(message, detail={"achieved_on": message})
    wanted = list(dict.fromkeys(data.followup_ids))
    found = repo.live_followups_of(session, customer_id, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        message = _("Not a follow-up of this customer: %(ids)s", ids=", ".join(f"#{i}" for i in missing))
        raise Invalid(message, detail={"followup_ids": message})
    return wanted


def set_mark(session: Session, scope: Scope, customer_id: int, item_key: str, data: OrgMarkWrite) -> OrgMark:
    """Create or replace the customer's mark on a current checklist item. Creating takes no ``version``;
    replacing needs the mark's current one (409 otherwise, also when two people create the same mark)."""
    customer = access.customer(session, scope, customer_id, write=True)
    item(session, item_key)
    values = data.model_dump(include=set(FIELDS))
    values["followup_ids"] = _check(session, customer.id, data, today())
    mark = repo.mark(session, customer.id, item_key)
    if mark is None:
        if data.version is not None:
            raise _stale()
        mark = OrgMark(customer_id=customer.id, item_key=item_key, updated_by=scope.user_id, **values)
        try:
            with session.begin_nested():
                session.add(mark)
                session.flush()
        except IntegrityError:
            raise _stale() from None
        changes = {"item_key": [None, item_key]} | {k: [None, v] for k, v in values.items() if v not in (None, [])}
        audit.record(session, scope, ENTITY, mark.id, "create", changes)
        return mark
    if data.version != mark.version:
        raise _stale()
    changes = audit.apply_changes(mark, values)
    if changes:
        mark.updated_by = scope.user_id
        session.flush()
        audit.record(session, scope, ENTITY, mark.id, "update", changes, note=item_key)
    return mark


def clear_mark(session: Session, scope: Scope, customer_id: int, item_key: str, version: int | None = None) -> None:
    """Remove the customer's mark on an item (current or retired): 404 when there is none, 409 when ``version``
    is given and stale. The audit row keeps what the mark said."""
    customer = access.customer(session, scope, customer_id, write=True)
    mark = repo.mark(session, customer.id, item_key)
    if mark is None:
        raise NotFound(_("This checklist item is not marked."))
    if version is not None and version != mark.version:
        raise _stale()
    old = {k: [getattr(mark, k), None] for k in FIELDS}
    audit.record(session, scope, ENTITY, mark.id, "purge", old, note=item_key)
    session.delete(mark)
    session.flush()
