"""All SQL of what happens to relationship records when a customer or a contact is merged into another, or
purged (a repository: the merge and purge services of the customers and merge domains call it, after they have
authorised the change).

Customer merge: contact-level records (profiles, stage history, competitor preferences, relationship owners,
power-map links, intelligence sources) hang off contacts and follow them. Customer-level records — organisational
checklist marks, intelligence items, executive pairings — are moved here; snapshots stay with the customer they
describe.

Contact merge (``CONTACT_MOVERS``): what we know about the merged contact moves to the survivor — its profile with
its stage history when the survivor has none (the survivor's own is kept otherwise), competitor preferences,
relationship owners, power-map links, intelligence sources and subjects, executive pairings. A row that would
duplicate one the survivor has (or link the survivor to itself) stays with the merged contact. Each mover returns
the ids it moved; the merge's undo calls it back the other way with those ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from loam.relationships.models import (
    ContactCompetitorPreference,
    ContactProfile,
    ContactRelationOwner,
    ContactStageChange,
    ExecPairing,
    IntelItem,
    IntelItemContact,
    IntelSource,
    OrgMark,
    PowerLink,
    RelationshipSnapshot,
)


def _move(session: Session, model: type, from_id: int, to_id: int, ids: list[int] | None) -> list[int]:
    stmt = select(model.id).where(model.customer_id == from_id)  # type: ignore[attr-defined]
    if ids is not None:
        stmt = stmt.where(model.id.in_(ids))  # type: ignore[attr-defined]
    moved = list(session.scalars(stmt))
    if moved:
        session.execute(update(model).where(model.id.in_(moved)).values(customer_id=to_id))  # type: ignore[attr-defined]
    return moved


def move_intel(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Customer merge (and its undo): the intel items of ``from_id`` now belong to ``to_id``."""
    return _move(session, IntelItem, from_id, to_id, ids)


def move_pairings(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Customer merge (and its undo): the executive pairings of ``from_id`` now belong to ``to_id``."""
    return _move(session, ExecPairing, from_id, to_id, ids)


def move_org_marks(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Customer merge (and its undo): checklist marks move unless the target already has that item (its own mark
    is kept; the other stays with the merged customer and comes back on undo)."""
    taken = select(OrgMark.item_key).where(OrgMark.customer_id == to_id)
    stmt = select(OrgMark.id).where(OrgMark.customer_id == from_id, OrgMark.item_key.not_in(taken))
    if ids is not None:
        stmt = stmt.where(OrgMark.id.in_(ids))
    moved = list(session.scalars(stmt))
    if moved:
        session.execute(update(OrgMark).where(OrgMark.id.in_(moved)).values(customer_id=to_id))
    return moved


MOVERS = (("intel_items", move_intel), ("exec_pairings", move_pairings), ("org_marks", move_org_marks))


def purge_for_customer(session: Session, customer_id: int) -> None:
    """A purged customer takes its relationship records with it (contact-level ones go with its contacts)."""
    for model in (IntelItem, ExecPairing, OrgMark, RelationshipSnapshot):
        session.execute(delete(model).where(model.customer_id == customer_id))  # type: ignore[attr-defined]


# --- contact merge -------------------------------------------------------------------------------------------


def _repoint(
    session: Session, model: Any, column: str, from_id: int, to_id: int, ids: list[int] | None, clash: Any = None
) -> list[int]:
    """Point ``model.column`` from ``from_id`` to ``to_id`` on the rows (``ids`` only, when given) that would not
    ``clash`` with a row of ``to_id``'s; returns the ids moved."""
    stmt = select(model.id).where(getattr(model, column) == from_id)
    if ids is not None:
        stmt = stmt.where(model.id.in_(ids))
    if clash is not None:
        stmt = stmt.where(~clash)
    moved = list(session.scalars(stmt))
    if moved:
        session.execute(update(model).where(model.id.in_(moved)).values({column: to_id}))
    return moved


def _taken(model: Any, to_id: int, *same: str, column: str = "contact_id") -> Any:
    """EXISTS a row of ``to_id`` with the same values in ``same`` as the row being moved."""
    other = aliased(model)
    conditions = [getattr(other, column) == to_id] + [getattr(other, c) == getattr(model, c) for c in same]
    return exists().where(*conditions)


def _profile_moves(session: Session, from_id: int, to_id: int) -> bool:
    return session.get(ContactProfile, from_id) is not None and session.get(ContactProfile, to_id) is None


def move_stage_changes(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """The stage history goes with the profile it explains (see :func:`move_profile`); the undo moves ``ids``."""
    if ids is None and not _profile_moves(session, from_id, to_id):
        return []
    return _repoint(session, ContactStageChange, "contact_id", from_id, to_id, ids)


def move_profile(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """The profile moves when the target has none; returns ``[to_id]`` (the contact it now belongs to), which
    the undo passes back as ``ids``. Run after :func:`move_stage_changes`."""
    if (ids is not None and from_id not in ids) or not _profile_moves(session, from_id, to_id):
        return []
    session.flush()
    session.execute(update(ContactProfile).where(ContactProfile.contact_id == from_id).values(contact_id=to_id))
    for obj in [o for o in session.identity_map.values() if isinstance(o, ContactProfile)]:
        session.expunge(obj)  # its key changed under the ORM
    return [to_id]


def move_competitor_prefs(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    clash = _taken(ContactCompetitorPreference, to_id, "competitor")
    return _repoint(session, ContactCompetitorPreference, "contact_id", from_id, to_id, ids, clash)


def move_relation_owners(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    clash = _taken(ContactRelationOwner, to_id, "user_id")
    return _repoint(session, ContactRelationOwner, "contact_id", from_id, to_id, ids, clash)


def move_links_from(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    clash = _taken(PowerLink, to_id, "to_contact_id", "kind", column="from_contact_id") | (
        PowerLink.to_contact_id == to_id
    )
    return _repoint(session, PowerLink, "from_contact_id", from_id, to_id, ids, clash)


def move_links_to(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    clash = _taken(PowerLink, to_id, "from_contact_id", "kind", column="to_contact_id") | (
        PowerLink.from_contact_id == to_id
    )
    return _repoint(session, PowerLink, "to_contact_id", from_id, to_id, ids, clash)


def move_intel_sources(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """A source moves unless the target already speaks to the same item (one person is one source)."""
    clash = _taken(IntelSource, to_id, "item_id")
    return _repoint(session, IntelSource, "contact_id", from_id, to_id, ids, clash)


def move_intel_subjects(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    return _repoint(session, IntelItem, "subject_contact_id", from_id, to_id, ids)


def move_intel_about(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """The items a contact is named in (keyed by item: the ids returned are item ids)."""
    m = IntelItemContact
    stmt = select(m.item_id).where(m.contact_id == from_id, ~_taken(m, to_id, "item_id"))
    if ids is not None:
        stmt = stmt.where(m.item_id.in_(ids))
    moved = list(session.scalars(stmt))
    if moved:
        session.execute(update(m).where(m.contact_id == from_id, m.item_id.in_(moved)).values(contact_id=to_id))
    return moved


def move_exec_pairings(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    clash = _taken(ExecPairing, to_id, "user_id")
    return _repoint(session, ExecPairing, "contact_id", from_id, to_id, ids, clash)


CONTACT_MOVERS = (
    ("rel_stage_changes", move_stage_changes),
    ("rel_profile", move_profile),
    ("rel_competitor_prefs", move_competitor_prefs),
    ("rel_owners", move_relation_owners),
    ("power_links_from", move_links_from),
    ("power_links_to", move_links_to),
    ("intel_sources", move_intel_sources),
    ("intel_subjects", move_intel_subjects),
    ("intel_about", move_intel_about),
    ("exec_pairings_of_contact", move_exec_pairings),
)
