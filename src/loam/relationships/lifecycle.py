"""What happens to a customer's relationship records when the customer is merged into another or purged.

Contact-level records (profiles, stage history, competitor preferences, relationship owners, power-map links,
intelligence sources) hang off contacts and follow them. Customer-level records — organisational checklist marks,
intelligence items, executive pairings — are moved here; snapshots stay with the customer they describe.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from loam.relationships.models import ExecPairing, IntelItem, OrgMark, RelationshipSnapshot


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
