"""All SQL of imports: per-row outcomes and remembered mappings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.imports.models import ImportIssue, ImportMapping
from loam.kit import bulk


def remembered_mapping(session: Session, entity: str, header_key: str) -> list[str] | None:
    row = session.scalar(
        select(ImportMapping).where(ImportMapping.entity == entity, ImportMapping.header_key == header_key)
    )
    return list(row.mapping.get("targets", [])) if row is not None else None


def save_mapping(session: Session, entity: str, header_key: str, targets: list[str], user_id: int | None) -> None:
    row = session.scalar(
        select(ImportMapping).where(ImportMapping.entity == entity, ImportMapping.header_key == header_key)
    )
    if row is None:
        row = ImportMapping(entity=entity, header_key=header_key)
        session.add(row)
    row.mapping = {"targets": list(targets)}
    row.updated_by = user_id
    session.flush()


def add_issues(session: Session, job_id: int, rows: Sequence[tuple[int, str, str, int | None]]) -> None:
    """(line, outcome, message, record id) rows for one job, in bulk."""
    if not rows:
        return
    table = ImportIssue.__table__
    names = ["id", "row_no", "outcome", "message", "record_id"]
    inserter = bulk.Inserter(session, table, names, {"job_id": job_id})  # type: ignore[arg-type]
    ids = inserter.allocate_ids(len(rows))
    inserter.insert([(i, *row) for i, row in zip(ids, rows, strict=True)])


def issues(session: Session, job_id: int, outcome: str | None, page: int, size: int) -> tuple[list[ImportIssue], int]:
    stmt = select(ImportIssue).where(ImportIssue.job_id == job_id)
    if outcome is not None:
        stmt = stmt.where(ImportIssue.outcome == outcome)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ImportIssue.row_no).limit(size).offset((page - 1) * size))
    return list(rows), int(total)


def error_messages(session: Session, job_id: int) -> Any:
    """(line, message) of a job's failed rows in file order, streamed."""
    stmt = (
        select(ImportIssue.row_no, ImportIssue.message)
        .where(ImportIssue.job_id == job_id, ImportIssue.outcome == "error")
        .order_by(ImportIssue.row_no)
    )
    return session.execute(stmt.execution_options(yield_per=10_000))
