"""Run an import through the real service (upload → configure → start → run_job) in a test (R27)."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.imports import service
from loam.imports.schemas import ImportOptions


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def run_import(
    session: Session,
    scope: Scope,
    entity: str,
    rows: list[list[Any]] | None = None,
    *,
    content: bytes | None = None,
    filename: str = "data.csv",
    mapping: dict[str, str] | list[str] | None = None,
    policy: str = "skip",
    dry_run: bool = False,
) -> Any:
    """The finished job (status done / draft after a dry run / failed)."""
    data = content if content is not None else csv_bytes(rows or [])
    job = service.upload(session, scope, entity, filename, io.BytesIO(data))
    service.configure(session, scope, job.id, ImportOptions(mapping=mapping, on_duplicate=policy))  # type: ignore[arg-type]
    service.start(session, scope, job.id, dry_run=dry_run)
    session.flush()
    service.run_job(job.id)
    session.expire_all()
    return service.get(session, scope, job.id)


def counts(job: Any) -> dict[str, int]:
    c = dict(job.result["counts"])
    assert c["new"] + c["updated"] + c["skipped"] + c["failed"] == c["read"], c
    return c
