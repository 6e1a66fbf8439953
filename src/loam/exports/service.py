"""Exports: every list (customers, leads, contacts, follow-ups, opportunities, contracts, receivable plans,
receipts, invoices) to xlsx or csv, as a background job.

An export is the list's own statement (same data scope, filters and sort, R13/R17) streamed from a
server-side cursor into a streaming writer, so memory stays flat at any row count. The job runs with
its creator's scope rebuilt from the database when it runs: it never exports more than the creator
can see at that moment. Progress and a heartbeat are committed every ``BATCH`` rows in a short
transaction of their own; a cancel request stops the job at the next batch and removes the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam import db
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.bgjobs import service as job_service
from loam.bgjobs.models import BackgroundJob
from loam.config import settings
from loam.errors import Forbidden, Invalid, LoamError
from loam.exports import layout, writers
from loam.exports import repository as repo
from loam.exports.entities import EXPORTABLE, Exportable
from loam.exports.formatting import compile_rows, neutralise
from loam.exports.schemas import FORMATS
from loam.kit.columns import ENTITY_LABELS
from loam.kit.i18n import get_locale, normalise, use_locale
from loam.kit.i18n import gettext as _
from loam.org import service as org_service

log = logging.getLogger(__name__)
KIND = "export"
BATCH = 10_000  # rows per cursor batch and per progress update
Progress = Callable[[int, int | None], None]


class Cancelled(Exception):
    """The job's owner asked it to stop."""


def _exportable(entity: str) -> Exportable:
    what = EXPORTABLE.get(entity)
    if what is None:
        raise Invalid(_("Unknown list: %(entity)s", entity=str(entity)[:40]))
    return what


def require_export(scope: Scope, entity: str) -> Exportable:
    """403 unless the caller may export and may view ``entity`` (checked before anything is created)."""
    what = _exportable(entity)
    authz_service.require(scope, Permission.data_export)
    authz_service.require(scope, what.view)
    return what


def _filters(what: Exportable, raw: dict[str, Any]) -> BaseModel:
    try:
        return what.filters.model_validate(raw)
    except ValidationError as exc:
        detail = {".".join(str(p) for p in e["loc"]) or "filters": e["msg"] for e in exc.errors()}
        raise Invalid(_("Some filters are not valid."), detail=detail) from None


def _statement(session: Session, scope: Scope, what: Exportable, params: dict[str, Any]) -> Select[Any]:
    return what.statement(session, scope, _filters(what, params.get("filters") or {}), params.get("sort"))


def start_export(
    session: Session,
    scope: Scope,
    entity: str,
    file_format: str,
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    locale: str | None = None,
) -> BackgroundJob:
    """Queue an export of the caller's list: 403 without ``data.export`` and the list's view permission,
    422 on an unknown format, filter or sort key; nothing is created then. The caller enqueues the job
    after the commit (R5). Headers and labels will be in ``locale`` (default: the caller's language)."""
    what = require_export(scope, entity)
    if file_format not in FORMATS:
        raise Invalid(_("Choose xlsx or csv."))
    checked = _filters(what, dict(filters or {}))
    what.statement(session, scope, checked, sort)  # validates the sort key and custom filters (422)
    params = {
        "format": file_format,
        "filters": checked.model_dump(mode="json", exclude_defaults=True),
        "sort": sort,
        "locale": normalise(locale or get_locale()),
    }
    with use_locale(str(params["locale"])):
        title = _("Export %(list)s (%(format)s)", list=_(ENTITY_LABELS[entity]), format=file_format)
    return job_service.create(session, scope, KIND, entity, title, params)


def list_exports(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[BackgroundJob], int]:
    """The caller's export jobs, newest first."""
    return job_service.list_mine(session, scope, KIND, page, size)


def run_job(job_id: int, on_progress: Progress | None = None) -> str:
    """Run a queued export to its end and return its final status (done, failed or cancelled).

    Frames its own transactions. The file is written under a temporary name and renamed when
    complete; on failure or cancel no file is left behind. A job already finished is left alone.
    """
    with db.session_scope(write=True) as session:
        job = job_service.get(session, Scope.system(), job_id, kind=KIND)
        if job.status not in job_service.ACTIVE:
            return job.status
        job_service.start(session, job)
        entity, params, creator, started = job.entity, dict(job.params), job.created_by, time.monotonic()
    for stale in job_service.files_dir().glob(f"export-{job_id}-*.part"):  # left by a worker that died mid-way
        stale.unlink(missing_ok=True)
    name = f"export-{job_id}-{secrets.token_hex(6)}.{params.get('format', 'xlsx')}"
    final = job_service.file_path(name)
    partial = final.with_name(name + ".part")
    try:
        rows = _write(job_id, entity, params, creator, partial, on_progress)
        os.replace(partial, final)
    except Cancelled:
        return _end(job_id, "cancelled", partial)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job, never half-written
        return _end(job_id, "failed", partial, _failure(exc, params))
    result = {"rows": rows, "download_name": _download_name(entity, params), "seconds": _since(started)}
    return _end(job_id, "done", None, None, name, result)


def _write(
    job_id: int, entity: str, params: dict[str, Any], creator: int | None, path: Path, on: Progress | None
) -> int:
    what = _exportable(entity)
    file_format = params.get("format", "xlsx")
    with db.session_scope() as session, use_locale(params.get("locale") or "zh_CN"):  # reads only
        scope = _creator_scope(session, creator, entity)
        stmt = _statement(session, scope, what, params)
        plan = layout.build(session, what, file_format)
        total = repo.count(session, stmt)
        tick = _ticker(job_id, total, on)
        narrow = repo.narrowed(session, stmt, plan.attributes, plan.raw_datetimes, settings.timezone, plan.expressions)
        rows = _rows(session, narrow, plan, tick)
        if file_format == "csv":
            writers.write_csv(path, plan.headers, rows)
        else:
            writers.write_xlsx(path, plan.sheet, plan.headers, rows, plan.widths, plan.date_headers)
        return tick(0)


def _creator_scope(session: Session, user_id: int | None, entity: str) -> Scope:
    """The creator's scope as it is now: an inactive user, or one who lost the permission, exports nothing."""
    user = org_service.get_user(session, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise Forbidden(_("The user who started this export can no longer sign in."))
    scope = authz_service.build_scope(session, user)
    require_export(scope, entity)
    return scope


def _rows(session: Session, stmt: Select[Any], plan: layout.Plan, tick: Callable[[int], int]) -> Iterator[Any]:
    convert = compile_rows(plan.cells)
    names, index = plan.customer_names, plan.customer_index
    for batch in repo.stream(session, stmt, BATCH):
        if index is not None:
            names.clear()
            names.update(_neutral_names(session, (r[index] for r in batch)))
        yield from map(convert, batch)
        tick(len(batch))


def _neutral_names(session: Session, ids: Iterator[int | None]) -> dict[int, str]:
    return {i: neutralise(n) for i, n in repo.customer_names(session, ids).items()}


def _ticker(job_id: int, total: int, on_progress: Progress | None) -> Callable[[int], int]:
    """Counts rows; after each batch commits progress + heartbeat and raises Cancelled when asked to stop."""
    done = 0

    def tick(rows: int) -> int:
        nonlocal done
        if rows == 0:
            return done
        done += rows
        with db.session_scope(write=True) as session:
            job = job_service.get(session, Scope.system(), job_id)
            job_service.progress(session, job, done, total)
            stop = job_service.cancel_requested(session, job_id)
        if on_progress is not None:
            on_progress(done, total)
        if stop:
            raise Cancelled
        return done

    with db.session_scope(write=True) as session:
        job_service.progress(session, job_service.get(session, Scope.system(), job_id), 0, total)
    if on_progress is not None:
        on_progress(0, total)
    return tick


def _end(
    job_id: int,
    status: str,
    leftover: Path | None,
    error: str | None = None,
    output_file: str | None = None,
    result: dict[str, Any] | None = None,
) -> str:
    if leftover is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(leftover)
    with db.session_scope(write=True) as session:
        job = job_service.get(session, Scope.system(), job_id)
        if output_file is not None:
            job.output_file = output_file
        if result is not None:
            job.result = {**(job.result or {}), **result}
        job_service.finish(session, job, status, error)
    return status


def _failure(exc: Exception, params: dict[str, Any]) -> str:
    with use_locale(params.get("locale") or "zh_CN"):
        if isinstance(exc, LoamError):
            return exc.message
        log.exception("export failed")
        return _("The export failed: %(error)s", error=f"{type(exc).__name__}: {exc}"[:300])


def _download_name(entity: str, params: dict[str, Any]) -> str:
    stamp = datetime.now(ZoneInfo(settings.timezone)).strftime("%Y%m%d-%H%M")
    return f"{EXPORTABLE[entity].plural}-{stamp}.{params.get('format', 'xlsx')}"


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def finished(session: Session, scope: Scope, job_id: int) -> tuple[BackgroundJob, Path | None]:
    """One of the caller's exports (404 otherwise) and its file, once it is done."""
    job = job_service.get(session, scope, job_id, kind=KIND)
    if job.status != "done":
        return job, None
    return job, job_service.output(session, scope, job_id)[0]
