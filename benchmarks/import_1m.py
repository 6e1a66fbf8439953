"""Import N customers (default 1,000,000) end to end, from .xlsx and .csv, into a scratch database.

The file is realistic: 12 columns (Chinese company names, mobile phones, emails, industry, level,
province, city, address, source, owner login, created date) with 10 % duplicates (same name or phone
as an earlier row). Each run goes through the real path — upload, mapping, the job runner with its
batches, checkpoints, dedup, audit and search index — and prints its time next to the raw-library
floor measured in the same run (python-calamine reading the same sheet; the csv module reading the
same file), so a regression shows despite a noisy machine:

    .venv/bin/python benchmarks/import_1m.py [N] [--csv-only] [--keep]
    LOAM_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/import_1m.py

The generated files are cached in $TMPDIR/loam-bench-import/ (writing a 1M-row xlsx takes minutes).
"""

from __future__ import annotations

import csv
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from customer_rows import HEADER, rows

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 1_000_000
CACHE = Path(tempfile.gettempdir()) / "loam-bench-import"
CACHE.mkdir(exist_ok=True)
WORK = Path(tempfile.mkdtemp(prefix="loam-bench-"))
URL = os.environ.get("LOAM_BENCH_DATABASE_URL") or f"sqlite:///{WORK / 'bench.db'}"
os.environ["LOAM_DATABASE_URL"] = URL
os.environ["LOAM_FILES_PATH"] = str(WORK / "files")


def make_csv(n: int) -> Path:
    path = CACHE / f"customers-{n}.csv"
    if not path.exists():
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            w.writerows(rows(n))
    return path


def make_xlsx(n: int) -> Path:
    path = CACHE / f"customers-{n}.xlsx"
    if not path.exists():
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("客户")
        datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_row(0, 0, HEADER)
        for r, row in enumerate(rows(n), start=1):
            ws.write_row(r, 0, row[:10])
            ws.write_datetime(r, 10, date.fromisoformat(row[10]), datefmt)
            if row[11]:
                ws.write_string(r, 11, row[11])
        wb.close()
    return path


def floor(path: Path) -> float:
    t = time.perf_counter()
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            for _row in csv.reader(f):
                pass
    else:
        from python_calamine import CalamineWorkbook

        for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
            pass
    return time.perf_counter() - t


def fresh_database() -> None:
    from sqlalchemy import text

    from loam import db, migrate
    from loam.demo import org as demo_org

    if URL.startswith("postgresql"):
        with db.engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            conn.commit()
    else:
        Path(URL.removeprefix("sqlite:///")).unlink(missing_ok=True)
        db.configure(URL)
    migrate.upgrade(URL)
    with db.session_scope() as s:
        demo_org.build(s)


def run_import(path: Path) -> tuple[float, dict[str, int]]:
    from loam import db
    from loam.authz import service as authz_service
    from loam.imports import service
    from loam.org import service as org_service

    fresh_database()
    t = time.perf_counter()
    with db.session_scope() as s, path.open("rb") as f:
        admin = next(u for u in org_service.active_users(s) if u.username == "admin")
        scope = authz_service.build_scope(s, admin)
        job = service.upload(s, scope, "customer", path.name, f)
        service.start(s, scope, job.id, dry_run=False)
        job_id = job.id
    service.run_job(job_id)
    elapsed = time.perf_counter() - t
    with db.session_scope() as s:
        job = service.job_service.load(s, job_id)
        assert job is not None and job.status == "done", (job.status if job else None, job.error if job else None)
        return elapsed, dict(job.result["counts"])


def main() -> None:
    backend = "PostgreSQL" if URL.startswith("postgresql") else "SQLite"
    files = [make_csv(N)]
    if "--csv-only" not in sys.argv:
        files.append(make_xlsx(N))
    for path in files:
        raw = floor(path)
        elapsed, counts = run_import(path)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kind = path.suffix.lstrip(".")
        print(
            f"import {N:,} {kind} into {backend}: {elapsed:.1f} s; "
            f"{'calamine' if kind == 'xlsx' else 'csv module'} read alone {raw:.1f} s; ratio {elapsed / raw:.1f}; "
            f"peak RSS so far {rss:,.0f} MB; counts {counts}",
            flush=True,
        )


if __name__ == "__main__":
    main()
