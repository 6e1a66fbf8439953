"""All SQL of the contact scenarios: the catalogue, the scenario record of a follow-up, and the set-based rollup
of ratings per customer (read-only joins to follow-ups; visibility is decided by the callers)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from loam.activities.models import FollowUp
from loam.relationships.models import ContactProfile, ContactScenario, FollowUpScenario

# Ids per IN list: well under SQLite's 32,766 bound parameters; 10,000 customers take one query.
CHUNK = 10_000


def scenarios(session: Session, active_only: bool = False) -> list[ContactScenario]:
    stmt = select(ContactScenario)
    if active_only:
        stmt = stmt.where(ContactScenario.active.is_(True))
    return list(session.scalars(stmt.order_by(ContactScenario.position, ContactScenario.id)))


def scenario(session: Session, scenario_id: int) -> ContactScenario | None:
    return session.get(ContactScenario, scenario_id)


def by_code(session: Session, code: str) -> ContactScenario | None:
    return session.scalar(select(ContactScenario).where(ContactScenario.code == code))


def codes(session: Session) -> set[str]:
    return set(session.scalars(select(ContactScenario.code)))


def next_position(session: Session) -> int:
    top = session.scalar(select(func.max(ContactScenario.position)))
    return (top or 0) + 1


def usage(session: Session) -> dict[int, int]:
    """How many follow-ups (in the recycle bin too) name each scenario."""
    stmt = select(FollowUpScenario.scenario_id, func.count()).group_by(FollowUpScenario.scenario_id)
    return {int(sid): int(n) for sid, n in session.execute(stmt).all()}


def used(session: Session, scenario_id: int) -> bool:
    stmt = select(FollowUpScenario.followup_id).where(FollowUpScenario.scenario_id == scenario_id).limit(1)
    return session.scalar(stmt) is not None


def record(session: Session, followup_id: int) -> FollowUpScenario | None:
    return session.get(FollowUpScenario, followup_id)


def ticks_of(session: Session, scenario_id: int) -> list[tuple[int, list[int]]]:
    """(follow-up id, ticked indexes) of every record of a scenario."""
    stmt = select(FollowUpScenario.followup_id, FollowUpScenario.checked).where(
        FollowUpScenario.scenario_id == scenario_id
    )
    return [(fid, list(checked or [])) for fid, checked in session.execute(stmt)]


def set_ticks(session: Session, rows: list[dict[str, Any]]) -> None:
    """Rewrite ``checked`` of many records at once (``[{"followup_id": …, "checked": […]}, …]``); each record's
    version moves on, so a form showing the old ticks is stale."""
    if rows:
        t = FollowUpScenario.__table__
        stmt = (
            update(t)
            .where(t.c.followup_id == bindparam("fid"))
            .values(checked=bindparam("ticks"), version=t.c.version + 1)
        )
        session.execute(stmt, [{"fid": r["followup_id"], "ticks": r["checked"]} for r in rows])
        for obj in list(session.identity_map.values()):
            if isinstance(obj, FollowUpScenario):
                session.expire(obj, ["checked", "version"])


def profiles(session: Session, contact_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(stage, support) of the contacts that have a relationship profile."""
    ids = list(contact_ids)
    if not ids:
        return {}
    stmt = select(ContactProfile.contact_id, ContactProfile.stage, ContactProfile.support).where(
        ContactProfile.contact_id.in_(ids)
    )
    return {cid: (stage, support) for cid, stage, support in session.execute(stmt)}


def rollup_rows(
    session: Session, customer_ids: list[int], since: datetime
) -> list[tuple[int, str, int, int, int | None]]:
    """Per customer and layer: (customer id, layer, follow-ups with a scenario, rated ones, sum of quality), over
    live follow-ups that happened at or after ``since``. One grouped query per 10,000 customers."""
    out: list[tuple[int, str, int, int, int | None]] = []
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start : start + CHUNK]
        stmt = (
            select(
                FollowUp.customer_id,
                ContactScenario.layer,
                func.count(),
                func.count(FollowUpScenario.quality),
                func.sum(FollowUpScenario.quality),
            )
            .select_from(FollowUpScenario)
            .join(FollowUp, FollowUp.id == FollowUpScenario.followup_id)
            .join(ContactScenario, ContactScenario.id == FollowUpScenario.scenario_id)
            .where(FollowUp.customer_id.in_(chunk), FollowUp.deleted_at.is_(None), FollowUp.occurred_at >= since)
            .group_by(FollowUp.customer_id, ContactScenario.layer)
        )
        out.extend((cid or 0, layer, n, rated, total) for cid, layer, n, rated, total in session.execute(stmt))
    return out
