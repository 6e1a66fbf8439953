"""Crash safety for real: `loam import` killed with SIGKILL mid-run keeps exactly the batches it committed
(each with its checkpoint), `loam import-resume` finishes the file with no duplicate and no lost row, and a
re-import of the same file adds nothing. Plus the selection of jobs whose worker died (resume_stale)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from loam.bgjobs import service as job_service
from loam.bgjobs.models import BackgroundJob
from loam.db import utcnow
from loam.imports import service
from loam.kit import normalize
from tests.helpers import scope_of

ROOT = Path(__file__).resolve().parents[2]
ROWS = service.BATCH["customer"] * 5 // 2  # two and a half batches: a kill after the first leaves the rest
HEADER = ["客户名称", "电话", "城市"]


def _rows() -> list[list[str]]:
    """Mostly new customers; every tenth repeats an earlier name with a legal suffix (same customer), every
    tenth another one's phone, and a few have no name (those rows fail)."""
    out = []
    for i in range(ROWS):
        if i % 10 == 9:
            out.append([f"断点续传测试{i - 5:06d}有限公司", f"139{i:08d}", "南宁"])
        elif i % 10 == 7:
            out.append([f"换名公司{i:06d}", f"139{i - 3:08d}", "柳州"])
        elif i % 5000 == 3:
            out.append(["", f"139{i:08d}", "桂林"])
        else:
            out.append([f"断点续传测试{i:06d}", f"139{i:08d}", "河池"])
    return out


def _expected(rows: list[list[str]]) -> list[str]:
    """What a clean import does with each row (new / skipped / failed), from the file alone, by the same
    normalised keys the importer matches on (name, then phone)."""
    names: set[str] = set()
    phones: set[str] = set()
    out = []
    for name, phone, _city in rows:
        if not name.strip():
            out.append("failed")
            continue
        key, tel = normalize.company(name), normalize.phone(phone)
        if key in names or (tel and tel in phones):
            out.append("skipped")
            continue
        names.add(key)
        if tel:
            phones.add(tel)
        out.append("new")
    return out


def _loam(env: dict[str, str], *args: str, **kw: Any) -> Any:
    return subprocess.Popen(
        [sys.executable, "-m", "loam.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _summary(proc: Any, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    out, err = proc.communicate(timeout=timeout)
    assert out.strip(), err[-2000:]
    return proc.returncode, json.loads(out.strip().splitlines()[-1])


def _query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def _scratch(tmp_path: Path, split: bool) -> tuple[Path, dict[str, str], list[list[str]], Path]:
    """A SQLite database of its own with the demo org, the environment for `loam`, the rows and their file."""
    db = tmp_path / "crash.db"
    env = dict(
        os.environ,
        LOAM_DATABASE_URL=f"sqlite:///{db}",
        LOAM_FILES_PATH=str(tmp_path / "files"),
        LOAM_HUEY_PATH=str(tmp_path / "huey.db"),
        # the parsing process (loam.imports.producer) takes files from this size on: all of them, or none
        LOAM_IMPORT_SPLIT_MIN_BYTES="0" if split else str(10**12),
    )
    env.pop("LOAM_TEST_BACKEND", None)
    setup = (
        "from loam import db, migrate\n"
        "from loam.demo import org\n"
        "migrate.upgrade()\n"
        "with db.session_scope() as s:\n"
        "    org.build(s)\n"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, check=True, timeout=120)
    rows = _rows()
    file = tmp_path / "customers.csv"
    with file.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return db, env, rows, file


def _first_checkpoint(proc: Any, db: Path) -> tuple[int, int]:
    """(job id, checkpoint) once the import has committed its first batch."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = _query(db, "SELECT id, checkpoint FROM background_jobs WHERE kind = 'import'")
        if found and found[0][1] > 0:
            return found[0]
        time.sleep(0.02)
    return 0, 0


SUBPROCESS_ONLY = pytest.mark.skipif(
    os.environ.get("LOAM_TEST_BACKEND") == "postgresql",
    reason="drives `loam import` in a subprocess on a SQLite file of its own; PostgreSQL runs the same code path",
)


@SUBPROCESS_ONLY
@pytest.mark.parametrize("split", [False, True], ids=["one-process", "parsing-process"])
def test_killed_import_resumes_without_duplicates_or_lost_rows(tmp_path: Path, split: bool) -> None:
    db, env, rows, file = _scratch(tmp_path, split)
    expected = _expected(rows)
    clean = {k: expected.count(k) for k in ("new", "skipped", "failed")}
    assert clean["skipped"] > ROWS // 10 and clean["failed"] > 0  # the file really has duplicates and bad rows

    # 1. start the import and kill -9 it once its first batch is committed
    proc = _loam(env, "import", "customer", str(file), "--as", "admin", "--json")
    job_id, checkpoint = _first_checkpoint(proc, db)
    proc.kill()
    proc.communicate(timeout=30)
    assert checkpoint > 0, "the import never committed a batch (or finished before it could be killed)"
    assert checkpoint % service.BATCH["customer"] == 0 and checkpoint < ROWS

    # 2. what the crash left: a running job, and exactly the committed rows' new customers
    job = _query(db, "SELECT status, checkpoint, result FROM background_jobs WHERE id = ?", job_id)
    ((status, saved, result),) = job
    assert (status, saved) == ("running", checkpoint)
    done = expected[:checkpoint]
    counts = json.loads(result)["counts"]
    assert counts == {
        "read": checkpoint,
        "new": done.count("new"),
        "updated": 0,
        "skipped": done.count("skipped"),
        "failed": done.count("failed"),
    }
    assert _query(db, "SELECT count(*) FROM customers") == [(done.count("new"),)]
    first_part = {normalize.company(r[0]) for r, k in zip(rows[:checkpoint], done, strict=True) if k == "new"}
    assert {n for (n,) in _query(db, "SELECT name_norm FROM customers")} == first_part
    assert _query(db, "SELECT max(row_no) FROM import_issues WHERE job_id = ?", job_id)[0][0] <= checkpoint + 1

    # 3. resume: the rest of the file, once
    code, summary = _summary(_loam(env, "import-resume", str(job_id), "--json"))
    assert summary["status"] == "done", summary
    assert summary["counts"] == {"read": ROWS, "updated": 0, **clean}
    assert code == 3  # done, with failed rows in an error file
    customers, distinct = _query(db, "SELECT count(*), count(DISTINCT name_norm) FROM customers")[0]
    assert customers == distinct == clean["new"]
    assert {n for (n,) in _query(db, "SELECT name_norm FROM customers")} == {
        normalize.company(r[0]) for r, k in zip(rows, expected, strict=True) if k == "new"
    }
    phones = _query(db, "SELECT count(phone_norm), count(DISTINCT phone_norm) FROM customers")[0]
    assert phones == (clean["new"], clean["new"])
    # every row accounted for once: one audit row per customer, one issue per row that was not new
    assert _query(db, "SELECT count(*), count(DISTINCT entity_id) FROM audit_log WHERE action = 'import'") == [
        (clean["new"], clean["new"])
    ]
    issues = _query(db, "SELECT count(*), count(DISTINCT row_no) FROM import_issues WHERE job_id = ?", job_id)
    assert issues == [(ROWS - clean["new"], ROWS - clean["new"])]
    assert _query(db, "SELECT status, checkpoint, attempts FROM background_jobs WHERE id = ?", job_id) == [
        ("done", ROWS, 2)
    ]
    errors = CalamineWorkbook.from_path(summary["error_file"]).get_sheet_by_index(0).to_python()
    assert len(errors) == 1 + clean["failed"]
    assert [r[1] for r in errors[1:]] == [r[1] for r, k in zip(rows, expected, strict=True) if k == "failed"]

    # 4. the same file again, default policy skip: nothing new
    code, again = _summary(_loam(env, "import", "customer", str(file), "--as", "admin", "--json"))
    assert again["counts"] == {
        "read": ROWS,
        "new": 0,
        "updated": 0,
        "skipped": ROWS - clean["failed"],
        "failed": clean["failed"],
    }
    assert _query(db, "SELECT count(*) FROM customers") == [(clean["new"],)]


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


@SUBPROCESS_ONLY
def test_a_cancelled_import_stops_its_parsing_process_and_keeps_what_it_committed(tmp_path: Path) -> None:
    db, env, _, file = _scratch(tmp_path, split=True)
    proc = _loam(env, "import", "customer", str(file), "--as", "admin", "--json")
    job_id, checkpoint = _first_checkpoint(proc, db)
    assert checkpoint > 0, "the import never committed a batch (or finished before it could be cancelled)"
    children = _children(proc.pid)
    assert children  # the parsing process (and multiprocessing's resource tracker)
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute("UPDATE background_jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))
    _code, summary = _summary(proc)
    assert summary["status"] == "cancelled", summary
    counts = summary["counts"]
    assert counts["read"] % service.BATCH["customer"] == 0 and counts["read"] < ROWS
    assert sum(counts[k] for k in ("new", "updated", "skipped", "failed")) == counts["read"]
    assert _query(db, "SELECT count(*) FROM customers") == [(counts["new"],)]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{c}").exists() for c in children):
        time.sleep(0.1)
    assert not [c for c in children if Path(f"/proc/{c}").exists()], "the parsing process outlived its import"


def test_stale_jobs_picks_running_jobs_whose_heartbeat_stopped(session, ids) -> None:
    from loam.bgjobs import tasks
    from loam.jobs import huey

    scope = scope_of(session, ids["admin"])
    old = utcnow() - job_service.STALE_AFTER - timedelta(seconds=5)

    def job(status: str, heartbeat: Any, created: Any = old) -> BackgroundJob:
        j = job_service.create(session, scope, "import", "customer", f"stale test {status}", {})
        j.status, j.heartbeat_at, j.created_at = status, heartbeat, created
        return j

    dead = job("running", old)
    fresh = job("running", utcnow())
    queued = job("queued", None)  # queued long ago and never picked up
    just_queued = job("queued", None, utcnow())
    finished = [job(s, old) for s in ("draft", "done", "failed", "cancelled")]
    session.flush()

    stale = dict(job_service.stale_jobs(session))
    mine = {dead.id, fresh.id, queued.id, just_queued.id, *(j.id for j in finished)}
    assert {i for i in stale if i in mine} == {dead.id, queued.id}
    assert stale[dead.id] == "import"

    before = {t.id for t in huey.pending()}
    resumed = tasks.resume_stale.call_local()
    assert {i for i in resumed if i in mine} == {dead.id, queued.id}
    queued_now = [t for t in huey.pending() if t.id not in before]
    try:
        assert sorted(tuple(t.args) for t in queued_now if t.args[0] in mine) == sorted(
            [(dead.id, "import"), (queued.id, "import")]
        )
    finally:
        for t in queued_now:  # no worker runs in the tests; make sure none ever runs these
            huey.revoke_by_id(t.id)
