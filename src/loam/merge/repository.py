"""All SQL of the merge domain: merge rows, copies of audit history, and the duplicate finder's reads.

The finder reads the customers, leads and contacts tables directly — a read-only index like
``loam.dedup`` — but every statement is limited to the ids the owning domain says the caller sees
(``<domain>_service.visible_ids(scope)``, R10/R13), so nothing outside the caller's scope is ever listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.kit.listing import paginate
from loam.kit.models import AuditLog
from loam.leads.models import Lead
from loam.merge.models import Merge, MergeDismissal, MergedRecord

MODELS: dict[str, Any] = {"customer": Customer, "lead": Lead, "contact": Contact}


# --- merges ---


def add(session: Session, row: Merge) -> Merge:
    session.add(row)
    session.flush()
    session.add_all(MergedRecord(merge_id=row.id, entity=row.entity, record_id=i) for i in row.merged_ids)
    session.flush()
    return row


def get(session: Session, merge_id: int) -> Merge | None:
    return session.get(Merge, merge_id)


def active_for(session: Session, entity: str, record_id: int) -> Merge | None:
    """The merge (not undone) that merged this record away, if any."""
    stmt = (
        select(Merge)
        .join(MergedRecord, MergedRecord.merge_id == Merge.id)
        .where(MergedRecord.entity == entity, MergedRecord.record_id == record_id, Merge.undone_at.is_(None))
        .order_by(Merge.id.desc())
    )
    return session.scalars(stmt).first()


def merged_into(session: Session, entity: str, ids: Iterable[int]) -> dict[int, int]:
    """``{merged record id: survivor id}`` for the given records that a merge (not undone) took away."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    stmt = (
        select(MergedRecord.record_id, Merge.survivor_id)
        .join(Merge, Merge.id == MergedRecord.merge_id)
        .where(MergedRecord.entity == entity, MergedRecord.record_id.in_(wanted), Merge.undone_at.is_(None))
        .order_by(Merge.id)
    )
    return {int(r): int(s) for r, s in session.execute(stmt)}


def page(session: Session, visible: dict[str, Any], entity: str | None, page: int, size: int) -> tuple[list[Any], int]:
    """Merges whose surviving record is in ``visible[entity]`` (sub-selects of visible ids), newest first."""
    parts = [and_(Merge.entity == e, Merge.survivor_id.in_(ids)) for e, ids in visible.items()]
    stmt = select(Merge).where(or_(*parts))
    if entity is not None:
        stmt = stmt.where(Merge.entity == entity)
    return paginate(session, stmt.order_by(Merge.id.desc()), page, size)


# --- audit history ---


def copy_audit(session: Session, entity: str, from_id: int, to_id: int) -> list[int]:
    """Copy the audit rows of one record onto another (same action, author, time, changes), each marked with
    ``merged_from``; the originals stay untouched. Returns the ids of the copies."""
    rows = list(
        session.execute(
            select(AuditLog.action, AuditLog.user_id, AuditLog.at, AuditLog.changes, AuditLog.note)
            .where(AuditLog.entity == entity, AuditLog.entity_id == from_id)
            .order_by(AuditLog.id)
        )
    )
    if not rows:
        return []
    values = [
        {
            "entity": entity,
            "entity_id": to_id,
            "action": r.action,
            "user_id": r.user_id,
            "at": r.at,
            "changes": {**(r.changes or {}), "merged_from": [None, f"#{from_id}"]},
            "note": r.note,
        }
        for r in rows
    ]
    return sorted(int(i) for i in session.scalars(insert(AuditLog).returning(AuditLog.id), values))


def delete_audit(session: Session, entity: str, record_id: int, ids: list[int]) -> int:
    """Remove copies made by a merge (only rows that are still on ``record_id``)."""
    if not ids:
        return 0
    result = session.execute(
        delete(AuditLog)
        .where(AuditLog.id.in_(ids), AuditLog.entity == entity, AuditLog.entity_id == record_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- duplicate finder ---


@dataclass(frozen=True)
class KeySpec:
    """A match kind and the expressions that must all be equal (and not empty) for two records to match."""

    kind: str
    columns: tuple[Any, ...]


def key_specs(entity: str) -> list[KeySpec]:
    if entity == "customer":
        return [
            KeySpec("name", (Customer.name_norm,)),
            KeySpec("phone", (Customer.phone_norm,)),
            KeySpec("email", (func.lower(Customer.email),)),
        ]
    if entity == "lead":
        return [
            KeySpec("company", (Lead.company_norm,)),
            KeySpec("phone", (Lead.phone_norm,)),
            KeySpec("email", (func.lower(Lead.email),)),
        ]
    return [  # contacts: duplicates only within one customer
        KeySpec("name", (Contact.customer_id, func.lower(func.replace(Contact.name, " ", "")))),
        KeySpec("phone", (Contact.customer_id, Contact.phone_norm)),
        KeySpec("email", (Contact.customer_id, func.lower(Contact.email))),
    ]


def exact_matches(session: Session, entity: str, spec: KeySpec, visible: Select[Any], limit: int) -> list[Any]:
    """Rows ``(id, k0, k1…)`` of visible records sharing every key column with another visible record.

    One GROUP BY over the visible ids (indexed keys) finds at most ``limit`` duplicate keys; then their records."""
    model = MODELS[entity]
    cols = spec.columns
    present = [c.is_not(None) for c in cols] + [cols[-1] != ""]
    dup = (
        select(*[c.label(f"k{i}") for i, c in enumerate(cols)])
        .where(model.id.in_(visible), *present)
        .group_by(*cols)
        .having(func.count() > 1)
        .order_by(*cols)
        .limit(limit)
        .subquery()
    )
    join = and_(*[c == dup.c[f"k{i}"] for i, c in enumerate(cols)])
    keys = [dup.c[f"k{i}"] for i in range(len(cols))]
    stmt = select(model.id, *keys).join(dup, join).where(model.id.in_(visible)).order_by(model.id)
    return list(session.execute(stmt))


def fuzzy_rows(session: Session, entity: str, visible: Select[Any], limit: int) -> list[Any]:
    """The ``limit`` most recently changed visible records with what the similar-name search compares:
    ``(id, text, extra)``: the normalised company and the city (customers, leads), or the name and the
    customer id (contacts)."""
    if entity == "customer":
        stmt = select(Customer.id, Customer.name_norm.label("text"), Customer.city.label("extra"))
        order = Customer.updated_at.desc()
    elif entity == "lead":
        stmt = select(Lead.id, Lead.company_norm.label("text"), Lead.city.label("extra"))
        order = Lead.updated_at.desc()
    else:
        stmt = select(Contact.id, Contact.name.label("text"), Contact.customer_id.label("extra"))
        order = Contact.updated_at.desc()
    model = MODELS[entity]
    return list(session.execute(stmt.where(model.id.in_(visible)).order_by(order, model.id.desc()).limit(limit)))


def records(session: Session, entity: str, ids: Iterable[int], visible: Select[Any]) -> list[Any]:
    """The visible records with these ids."""
    model = MODELS[entity]
    wanted = list(set(ids))
    if not wanted:
        return []
    return list(session.scalars(select(model).where(model.id.in_(wanted), model.id.in_(visible))))


# --- pairs marked as not duplicates ---


def dismissed_pairs(session: Session, entity: str) -> set[tuple[int, int]]:
    """Every (low id, high id) pair of ``entity`` marked as not duplicates."""
    stmt = select(MergeDismissal.low_id, MergeDismissal.high_id).where(MergeDismissal.entity == entity)
    return {(int(a), int(b)) for a, b in session.execute(stmt)}


def add_dismissals(session: Session, entity: str, pairs: list[tuple[int, int]], user_id: int | None) -> int:
    """Store the pairs not stored yet; returns how many were new."""
    have = dismissed_pairs_among(session, entity, {i for pair in pairs for i in pair})
    new = [p for p in pairs if p not in have]
    session.add_all(MergeDismissal(entity=entity, low_id=a, high_id=b, created_by=user_id) for a, b in new)
    session.flush()
    return len(new)


def dismissed_pairs_among(session: Session, entity: str, ids: set[int]) -> set[tuple[int, int]]:
    stmt = select(MergeDismissal.low_id, MergeDismissal.high_id).where(
        MergeDismissal.entity == entity, MergeDismissal.low_id.in_(ids), MergeDismissal.high_id.in_(ids)
    )
    return {(int(a), int(b)) for a, b in session.execute(stmt)}


def get_dismissal(session: Session, dismissal_id: int) -> MergeDismissal | None:
    return session.get(MergeDismissal, dismissal_id)


def delete_dismissal(session: Session, row: MergeDismissal) -> None:
    session.delete(row)
    session.flush()


def dismissal_page(
    session: Session, entity: str, visible: Select[Any], page: int, size: int
) -> tuple[list[MergeDismissal], int]:
    """Pairs of ``entity`` whose two records are both among ``visible`` (the caller's scope), newest first."""
    stmt = (
        select(MergeDismissal)
        .where(MergeDismissal.entity == entity, MergeDismissal.low_id.in_(visible), MergeDismissal.high_id.in_(visible))
        .order_by(MergeDismissal.id.desc())
    )
    return paginate(session, stmt, page, size)
