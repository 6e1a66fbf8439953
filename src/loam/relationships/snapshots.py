"""Monthly relationship snapshots: every live customer's three layer scores, health and band on the 1st of a month,
stored with the settings version used and the explanation as computed then — so trends and year-over-year
comparisons are real, and a past score is explained by its own numbers even after the weights change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import NotFound
from loam.kit.i18n import gettext as _
from loam.kit.listing import Total
from loam.relationships import access, health
from loam.relationships import health_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.models import RelationshipSnapshot
from loam.relationships.schemas_health import SnapshotRead

BATCH = 500


@dataclass(frozen=True)
class SnapshotRun:
    """What :func:`take` did: the month, how many snapshots it stored and how many already existed."""

    month: date
    taken: int
    skipped: int
    settings_version: int


def take(
    session: Session, month: date, batch: int = BATCH, progress: Callable[[int, int], None] | None = None
) -> SnapshotRun:
    """Snapshot every live customer as of the 1st of ``month``'s month, ``batch`` customers at a time (the three
    layers set-based per batch). Idempotent: a customer that already has a snapshot of that month keeps it as it
    is. ``progress(done, total)`` is called after each batch. Flushes, never commits."""
    month = health.month_start(month)
    row = method_settings.current_row(session)
    population = repo.live_customer_ids(session)
    existing = repo.snapshotted_ids(session, month)
    todo = [cid for cid in population if cid not in existing]
    taken = done = 0
    if progress:
        progress(0, len(todo))
    for part in repo.chunks(todo, max(1, batch)):
        taken += _store(session, part, month, row.data, row.version)
        done += len(part)
        if progress:
            progress(done, len(todo))
    return SnapshotRun(month, taken, len(population) - taken, row.version)


def _store(session: Session, customer_ids: list[int], month: date, data: dict[str, Any], version: int) -> int:
    """Compute and insert one batch; a customer snapshotted meanwhile by another run is left as that run stored it."""
    scored = health.score(session, customer_ids, month, data, version)
    rows = [_row(h, month, version) for h in scored.values()]
    try:
        with session.begin_nested():
            repo.insert_snapshots(session, rows)
        return len(rows)
    except IntegrityError:  # a concurrent run stored some of them first
        taken = repo.snapshotted_ids(session, month, customer_ids)
        rows = [r for r in rows if r["customer_id"] not in taken]
        with session.begin_nested():
            repo.insert_snapshots(session, rows)
        return len(rows)


def _row(h: health.Health, month: date, version: int) -> dict[str, Any]:
    return {
        "customer_id": h.customer_id,
        "month": month,
        "settings_version": version,
        "key_score": h.key.score,
        "broad_score": h.broad.score,
        "org_score": h.org.score,
        "health": h.score,
        "band": h.band,
        "details": h.details(),
        "created_at": utcnow(),
    }


def of_customer(
    session: Session, scope: Scope, customer_id: int, page: int = 1, size: int = 24
) -> tuple[list[RelationshipSnapshot], Total]:
    """A visible customer's snapshots, newest first (404 if not visible, 403 without relationships.view)."""
    access.customer(session, scope, customer_id)
    return repo.snapshot_page(session, customer_id, page, size)


def summaries(session: Session, scope: Scope, customer_id: int, limit: int = 13) -> list[Any]:
    """A visible customer's newest snapshots without their explanation (the health section's table)."""
    access.customer(session, scope, customer_id)
    return repo.summaries(session, customer_id, limit)


def get(session: Session, scope: Scope, customer_id: int, month: date) -> RelationshipSnapshot:
    """A visible customer's snapshot of ``month`` (404 when there is none)."""
    access.customer(session, scope, customer_id)
    snap = repo.snapshot_of(session, customer_id, health.month_start(month))
    if snap is None:
        raise NotFound(_("No relationship snapshot of that month."))
    return snap


def explain(snap: RelationshipSnapshot) -> health.Health:
    """The snapshot's health with its own layers, points and weights, as computed then (never recomputed)."""
    return health.Health.from_snapshot(snap)


def current_version(session: Session) -> int:
    """The settings version in force (to say when a snapshot was computed with another one)."""
    return method_settings.current_row(session).version


def read(snap: RelationshipSnapshot, current: int) -> SnapshotRead:
    """The API shape of a snapshot, explained by its own contributions and weights."""
    h = explain(snap)
    return SnapshotRead(
        id=snap.id,
        customer_id=snap.customer_id,
        month=snap.month,
        settings_version=snap.settings_version,
        current_settings_version=current,
        key_score=snap.key_score,
        broad_score=snap.broad_score,
        org_score=snap.org_score,
        health=snap.health,
        band=snap.band,  # type: ignore[arg-type]
        weights=h.weights,
        points=health.point_reads(h.points),
        created_at=snap.created_at,
    )
