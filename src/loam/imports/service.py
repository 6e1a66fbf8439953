"""Imports: upload → pick a sheet → map columns → dry run → run, as a background job.

Guarantees:
- Nothing is imported for a user who lacks ``data.import`` and the entity's create permission;
  owner and department cells stay inside the importer's data scope; server-owned fields are never
  read from a file (the column catalog only lists user fields).
- A row that fails is not imported and every other row is; every row read is counted exactly once
  as new, updated, skipped or failed, and the failed ones come back in an error file (the original
  cells plus an error column).
- Crash-safe: rows are written in batches, each committed together with the job's checkpoint, so a
  worker killed mid-way resumes (``loam.bgjobs`` re-queues it) with no duplicate and no lost row;
  re-importing a file with the ``skip`` policy adds nothing. Cancel stops at the next batch.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from loam import db
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.bgjobs import service as job_service
from loam.bgjobs.models import BackgroundJob
from loam.config import settings
from loam.errors import Conflict, Invalid, LoamError
from loam.imports import mapping as mappings
from loam.imports import producer, reader
from loam.imports import repository as repo
from loam.imports.rows import Plan, build_plan
from loam.imports.schemas import ImportOptions
from loam.imports.writers import CustomerWriter, Outcome, writer_for
from loam.kit import bulk
from loam.kit.columns import ENTITY_LABELS
from loam.kit.i18n import gettext as _
from loam.kit.i18n import use_locale
from loam.org import service as org_service

log = logging.getLogger(__name__)
ENTITIES = ("customer", "lead", "contact", "followup")
POLICIES = ("skip", "update", "error")
CREATE_PERMISSIONS = {
    "customer": Permission.customers_create,
    "lead": Permission.leads_create,
    "contact": Permission.contacts_create,
    "followup": Permission.followups_create,
}
BATCH = {"customer": 25_000, "lead": 500, "contact": 500, "followup": 500}
COUNTS = ("read", "new", "updated", "skipped", "failed")
FIRST_ERRORS = 20
ANALYZE_AFTER = 50_000  # new rows after which the table's planner statistics are refreshed
FAST_LOAD_ROWS = 200_000  # a customer file this big, and bigger than the table, loads with indexes suspended


def _check(scope: Scope, entity: str) -> None:
    if entity not in ENTITIES:
        raise Invalid(_("Unknown kind of record: %(entity)s", entity=entity[:30]))
    authz_service.require(scope, Permission.data_import)
    authz_service.require(scope, CREATE_PERMISSIONS[entity])


def upload(session: Session, scope: Scope, entity: str, filename: str, stream: BinaryIO) -> BackgroundJob:
    """Store an uploaded file and open it: a draft import with its sheets, header, suggested mapping and
    a preview. A file that cannot be read is refused (422) and not kept."""
    _check(scope, entity)
    suffix = Path(filename or "").suffix.lower()
    if suffix not in reader.SUFFIXES:
        raise Invalid(_("Upload an .xlsx, .xls, .ods or .csv file."))
    name = f"import-{uuid.uuid4().hex}{suffix}"
    path = job_service.file_path(name)
    _save(stream, path)
    try:
        table = reader.open_table(path, filename)
    except LoamError:
        path.unlink(missing_ok=True)
        raise
    title = _("Import %(entity)s from %(file)s", entity=_(ENTITY_LABELS[entity]), file=filename[:200])
    job = job_service.create(session, scope, "import", entity, title, {}, name, filename)
    job.status = "draft"
    job.params = _describe(session, entity, table, policy="skip", locale=scope.locale)
    session.flush()
    return job


def _save(stream: BinaryIO, path: Path) -> None:
    written = 0
    with path.open("wb") as out:
        while chunk := stream.read(1024 * 1024):
            written += len(chunk)
            if written > settings.import_max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise Invalid(_("The file is larger than %(n)s MB.", n=settings.import_max_bytes // 1024 // 1024))
            out.write(chunk)


def _describe(session: Session, entity: str, table: reader.Table, policy: str, locale: str) -> dict[str, Any]:
    suggested, remembered = mappings.suggest(session, entity, table.header)
    return {
        "sheet": table.sheet,
        "sheets": table.sheets,
        "header": table.header,
        "mapping": suggested,
        "remembered": remembered,
        "on_duplicate": policy,
        "estimated_rows": table.estimated_rows,
        "preview": reader.preview(table),
        "locale": locale,
    }


def get(session: Session, scope: Scope, job_id: int) -> BackgroundJob:
    """An import job the caller started (admins: any), or 404."""
    return job_service.get(session, scope, job_id, kind="import")


def _draft(session: Session, scope: Scope, job_id: int) -> BackgroundJob:
    job = get(session, scope, job_id)
    if job.status != "draft":
        raise Conflict(_("This import has already run; upload the file again to import it once more."))
    _check(scope, job.entity)
    return job


def configure(session: Session, scope: Scope, job_id: int, data: ImportOptions) -> BackgroundJob:
    """Pick the sheet, the mapping (a target per column, or {header: target}) and the duplicate policy."""
    job = _draft(session, scope, job_id)
    params = dict(job.params)
    if data.sheet is not None and data.sheet != params.get("sheet"):
        table = reader.open_table(job_service.file_path(job.input_file or ""), job.input_name or "", data.sheet)
        params = _describe(session, job.entity, table, params["on_duplicate"], params.get("locale", scope.locale))
    if isinstance(data.mapping, dict):
        params["mapping"] = mappings.from_names(session, job.entity, params["header"], data.mapping)
    elif data.mapping is not None:
        params["mapping"] = list(data.mapping)
    if data.on_duplicate is not None:
        params["on_duplicate"] = data.on_duplicate
    mappings.validate(session, job.entity, params["header"], params["mapping"])
    job.params = params
    session.flush()
    return job


def start(session: Session, scope: Scope, job_id: int, dry_run: bool) -> BackgroundJob:
    """Queue a dry run (counts and first errors, nothing kept) or the real run; the caller enqueues the
    job after the commit (``loam.bgjobs.tasks.enqueue``). A real run remembers the mapping."""
    job = _draft(session, scope, job_id)
    params = dict(job.params)
    mappings.validate(session, job.entity, params["header"], params["mapping"])
    if not dry_run:
        mappings.remember(session, scope, job.entity, params["header"], params["mapping"])
    params["mode"] = "dry" if dry_run else "run"
    job.params = params
    job.status = "queued"
    job.done, job.checkpoint, job.total, job.cancel_requested = 0, 0, None, False
    job.started_at = job.finished_at = None
    session.flush()
    return job


def issues(
    session: Session, scope: Scope, job_id: int, outcome: str | None, page: int = 1, size: int = 50
) -> tuple[list[Any], int]:
    """The rows of an import that were not simply added: errors, skipped duplicates, updates."""
    get(session, scope, job_id)
    return repo.issues(session, job_id, outcome, page, size)


def history(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[BackgroundJob], int]:
    """The caller's imports, newest first (files are kept LOAM_JOB_FILES_KEEP_DAYS days)."""
    return job_service.list_mine(session, scope, "import", page, size)


# --- the run (a Huey task, or the CLI in-process) ---


def run_job(job_id: int, on_progress: Any = None) -> None:
    """Run a queued import (or resume a running one from its checkpoint). Frames its own transactions."""
    with db.session_scope(write=True) as session:
        job = job_service.load(session, job_id)
        if job is None or job.kind != "import" or job.status not in ("queued", "running"):
            return
        if job.cancel_requested:
            job_service.finish(session, job, "cancelled")
            return
        job_service.start(session, job)
        scope = authz_service.build_scope(session, org_service.get_user(session, job.created_by or 0))
        params = dict(job.params)
        resume = params.get("mode") == "run" and job.checkpoint > 0
        counts = dict(job.result.get("counts") or {}) if resume else {}
        state = _State(
            job.id,
            job.entity,
            params,
            job.checkpoint if resume else 0,
            counts,
            job.input_file or "",
            job.input_name or "",
        )
    try:
        with use_locale(params.get("locale") or scope.locale):
            _execute(state, scope, on_progress)
    except LoamError as exc:
        _fail(job_id, exc.message)
    except Exception:
        log.exception("import job %s failed", job_id)
        _fail(job_id, _("The import stopped because of an internal error; rows imported so far are kept."))


class _State:
    def __init__(
        self,
        job_id: int,
        entity: str,
        params: dict[str, Any],
        checkpoint: int,
        counts: dict[str, int],
        file: str,
        name: str,
    ) -> None:
        self.job_id, self.entity, self.params, self.checkpoint = job_id, entity, params, checkpoint
        self.counts = {k: int(counts.get(k, 0)) for k in COUNTS}
        self.first_errors: list[list[Any]] = []
        self.file, self.name = file, name
        self.dry = params.get("mode") == "dry"
        self.started = time.monotonic()
        self.finished = False


def _execute(state: _State, scope: Scope, on_progress: Any) -> None:
    note = _("Import #%(id)s", id=state.job_id)
    with db.session_scope() as session:
        plan = build_plan(
            session, scope, state.entity, state.params["mapping"], state.params["on_duplicate"], state.dry, note
        )
    # Customers without custom fields and without the update policy need nothing from the database while
    # their rows are parsed: parsing and storing then run side by side (in two processes for a big file).
    pipelined = state.entity == "customer" and not state.dry and plan.policy != "update" and not plan.check_custom
    path = job_service.file_path(state.file)
    if pipelined and path.stat().st_size >= settings.import_split_min_bytes:
        _execute_split(state, scope, plan, on_progress)
        return
    table = reader.open_table(path, state.name, state.params.get("sheet"))
    reader.forget(path)  # the table holds what it needs
    with db.session_scope() as session:
        writer = writer_for(session, plan)
    batches = _batches(table.rows(skip=state.checkpoint), BATCH[state.entity])
    run = _pipelined if pipelined else _sequential
    _run(state, table.estimated_rows, len(writer.index.owners), lambda: run(state, writer, batches, on_progress))
    if state.finished:
        _complete(state, table)


def _execute_split(state: _State, scope: Scope, plan: Plan, on_progress: Any) -> None:
    """A big customer file: a child process reads, parses and deduplicates (``loam.imports.producer``),
    this one stores each batch with its checkpoint."""
    path = job_service.file_path(state.file)
    table = reader.open_table(path, state.name, state.params.get("sheet")) if reader.parsed_here(path) else None
    reader.forget(path)
    spec = producer.Spec(
        settings=settings.model_dump(),
        user_id=scope.user_id or 0,
        entity=state.entity,
        mapping=list(state.params["mapping"]),
        policy=plan.policy,
        note=plan.note,
        locale=str(state.params.get("locale") or scope.locale),
        path=str(path),
        name=state.name,
        sheet=state.params.get("sheet"),
        skip=state.checkpoint,
        batch=BATCH[state.entity],
        fed=table is not None,
        estimated_rows=table.estimated_rows if table is not None else 0,
    )
    child = producer.Producer(spec, table.rows(skip=state.checkpoint) if table is not None else None)
    try:
        estimated, existing = child.opened()
        writer = CustomerWriter(None, plan)

        def store_all() -> bool:
            for size, prepared in child.batches():
                if not _commit_batch(state, size, lambda s, p=prepared: _store(s, state, writer, p), on_progress):
                    return False
            return True

        _run(state, estimated, existing, store_all)
    finally:
        child.close()
    if state.finished:
        _complete(state, table)


def _run(state: _State, estimated: int, existing: int, work: Any) -> None:
    """Record the expected total, suspend the indexes for a big load, do ``work`` (False: cancelled); the
    indexes come back here unless the job finished (then ``_complete`` restores them) or was killed (then
    the resumed run does)."""
    with db.session_scope(write=True) as session:
        job = job_service.load(session, state.job_id)
        assert job is not None
        job_service.progress(session, job, state.checkpoint, max(estimated, state.checkpoint))
    _suspend_indexes(state, estimated, existing)
    try:
        state.finished = bool(work())
    finally:
        if not state.finished:
            _restore_indexes(state)


def _suspend_indexes(state: _State, estimated: int, existing: int) -> None:
    """A customer load much bigger than the table runs with the secondary indexes dropped; the
    DDL is kept on the job so that whoever finishes the job — this run or a resumed one — re-creates them."""
    big = estimated >= FAST_LOAD_ROWS and estimated > existing
    if state.entity != "customer" or state.dry or "suspended_indexes" in state.params or not big:
        return
    from loam.customers import service as customer_service

    with db.session_scope(write=True) as session:
        job = job_service.load(session, state.job_id)
        assert job is not None
        state.params["suspended_indexes"] = customer_service.import_suspend_indexes(session)
        job.params = {**job.params, "suspended_indexes": state.params["suspended_indexes"]}


def _restore_indexes(state: _State) -> None:
    if not state.params.get("suspended_indexes"):
        return
    from loam.customers import service as customer_service

    with db.session_scope(write=True) as session:
        customer_service.import_finished(session, state.params["suspended_indexes"])


def _batches(rows: Any, size: int) -> Any:
    batch: list[tuple[int, list[Any]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sequential(state: _State, writer: Any, batches: Any, on_progress: Any) -> bool:
    return all(_commit_batch(state, len(b), lambda s, b=b: _write(s, state, writer, b), on_progress) for b in batches)


def _pipelined(state: _State, writer: Any, batches: Any, on_progress: Any) -> bool:
    """Customers without custom fields: parse and deduplicate batch N+1 while a second thread stores batch N
    (SQLite and PostgreSQL do their B-tree work without holding the GIL), one batch in flight at a time."""
    from concurrent.futures import Future, ThreadPoolExecutor

    pending: Future[bool] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-store") as pool:
        for batch in batches:
            prepared = writer.prepare(None, batch)
            if pending is not None and not pending.result():
                return False
            pending = pool.submit(
                _commit_batch, state, len(batch), lambda s, p=prepared: _store(s, state, writer, p), on_progress
            )
        return pending is None or pending.result()


def _commit_batch(state: _State, size: int, write: Any, on_progress: Any) -> bool:
    """Write one batch (``write(session)`` → outcomes) and the checkpoint in one transaction; False when
    the job was cancelled (the batch is then not written)."""
    with db.session_scope(write=True) as session:
        job = job_service.load(session, state.job_id)
        assert job is not None
        if job_service.cancel_requested(session, state.job_id):
            job_service.finish(session, job, "cancelled")
            return False
        job_service.progress(session, job, state.checkpoint)  # takes SQLite's write lock before ids are allocated
        if state.entity == "customer":
            bulk.bigger_cache(session)
        outcomes = write(session)
        state.checkpoint += size
        _tally(state, outcomes)
        job.checkpoint = 0 if state.dry else state.checkpoint
        job.result = _result(state)
        job_service.progress(session, job, state.checkpoint, max(job.total or 0, state.checkpoint))
    if on_progress is not None:
        on_progress(state.checkpoint)
    return True


def _store(session: Session, state: _State, writer: Any, prepared: Any) -> list[Outcome]:
    outcomes = list(writer.store(session, prepared))
    repo.add_issues(
        session, state.job_id, [(o.line, o.kind, o.message, o.record_id) for o in outcomes if o.kind != "new"]
    )
    return outcomes


def _write(session: Session, state: _State, writer: Any, batch: list[tuple[int, list[Any]]]) -> list[Outcome]:
    if state.dry:
        savepoint = session.begin_nested()
        try:
            return list(writer.write(session, batch))
        finally:
            savepoint.rollback()
    outcomes = list(writer.write(session, batch))
    repo.add_issues(
        session, state.job_id, [(o.line, o.kind, o.message, o.record_id) for o in outcomes if o.kind != "new"]
    )
    return outcomes


def _tally(state: _State, outcomes: list[Outcome]) -> None:
    state.counts["read"] += len(outcomes)
    for o in outcomes:
        key = "failed" if o.kind == "error" else o.kind
        state.counts[key] += 1
        if o.kind == "error" and len(state.first_errors) < FIRST_ERRORS:
            state.first_errors.append([o.line, o.message])


def _result(state: _State) -> dict[str, Any]:
    return {
        "counts": dict(state.counts),
        "first_errors": state.first_errors,
        "elapsed": round(time.monotonic() - state.started, 2),
        "dry_run": state.dry,
    }


def _complete(state: _State, table: reader.Table | None) -> None:
    with db.session_scope(write=True) as session:
        job = job_service.load(session, state.job_id)
        assert job is not None
        job.result = _result(state)
        job.total = job.done = state.checkpoint
        if state.dry:
            job.params = {**job.params, "last_dry_run": job.result}
            job_service.finish(session, job, "draft")
            return
        suspended = state.params.get("suspended_indexes")
        if state.entity == "customer" and (suspended or state.counts["new"] >= ANALYZE_AFTER):
            from loam.customers import service as customer_service

            customer_service.import_finished(session, suspended)
        if state.counts["failed"]:
            job.output_file = _error_file(session, state, table)
            job.result = {**job.result, "download_name": f"errors-import-{state.job_id}.xlsx"}
        job_service.finish(session, job, "done")


def _error_file(session: Session, state: _State, table: reader.Table | None) -> str:
    """The failed rows as they were in the file, plus an error column, as xlsx."""
    from loam.imports import errorfile

    if table is None:  # the file was read by the parsing process
        table = reader.open_table(job_service.file_path(state.file), state.name, state.params.get("sheet"))
    name = f"import-{state.job_id}-errors-{uuid.uuid4().hex[:8]}.xlsx"
    errorfile.write(job_service.file_path(name), table, repo.error_messages(session, state.job_id))
    return name


def _fail(job_id: int, message: str) -> None:
    with db.session_scope(write=True) as session:
        job = job_service.load(session, job_id)
        if job is not None:
            job_service.finish(session, job, "failed", message)


def copy_file(source: Path, filename: str) -> str:
    """Copy a local file into the jobs folder (the CLI); returns the stored name."""
    name = f"import-{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    shutil.copyfile(source, job_service.file_path(name))
    return name
