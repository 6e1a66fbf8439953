"""Running an export end to end and reading its file back (python-calamine for xlsx, csv for csv)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook
from sqlalchemy.orm import Session

from loam.bgjobs import service as job_service
from loam.exports import service
from loam.org import service as org_service
from tests.helpers import scope_of


def run(
    session: Session,
    user_id: int,
    entity: str,
    file_format: str = "xlsx",
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    locale: str = "zh_CN",
) -> tuple[Any, Path]:
    """Create the job as ``user_id`` and run it through the real runner; the job and its file."""
    scope = scope_of(session, user_id)
    job = service.start_export(session, scope, entity, file_format, filters, sort, locale)
    session.flush()
    assert service.run_job(job.id) == "done"
    session.refresh(job)
    return job, job_service.file_path(job.output_file)


def read(path: Path) -> list[list[Any]]:
    if path.suffix == ".xlsx":
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def export_rows(session: Session, user_id: int, entity: str, file_format: str = "xlsx", **kw: Any) -> list[list[Any]]:
    return read(run(session, user_id, entity, file_format, **kw)[1])


def grant_export(session: Session, role_code: str) -> None:
    """Give a built-in role ``data.export`` (rolled back with the test)."""
    role = org_service.ensure_builtin_roles(session)[role_code]
    permissions, scopes = org_service.grants_by_role(session, [role.id])[role.id]
    org_service.set_role_grants(session, role, permissions | {"data.export"}, scopes)
