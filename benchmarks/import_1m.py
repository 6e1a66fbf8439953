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
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 1_000_000
CACHE = Path(tempfile.gettempdir()) / "loam-bench-import"
CACHE.mkdir(exist_ok=True)
WORK = Path(tempfile.mkdtemp(prefix="loam-bench-"))
URL = os.environ.get("LOAM_BENCH_DATABASE_URL") or f"sqlite:///{WORK / 'bench.db'}"
os.environ["LOAM_DATABASE_URL"] = URL
os.environ["LOAM_FILES_PATH"] = str(WORK / "files")

HEADER = [
    "客户名称",
    "电话",
    "邮箱",
    "客户行业",
    "客户级别",
    "省份",
    "城市",
    "详细地址",
    "客户来源",
    "负责人",
    "创建时间",
    "备注",
]
PROVINCES = {
    "广西": ["南宁", "柳州", "桂林", "河池", "百色", "玉林"],
    "广东": ["广州", "深圳", "佛山", "东莞"],
    "云南": ["昆明", "大理", "曲靖"],
}
KINDS = [
    "电信分公司",
    "移动分公司",
    "联通分公司",
    "供电局",
    "高速公路有限公司",
    "城商行支行",
    "制造股份有限公司",
    "科技有限公司",
]
INDUSTRIES = ["电信运营商", "能源与公用事业", "金融", "交通运输", "制造业", "互联网"]
LEVELS = ["重点客户", "普通客户", "非优先客户"]
SOURCES = ["展会", "转介绍", "网站", "电话咨询", "市场活动"]
OWNERS = ["ar1", "ar2", "sr1", "fr1", "director"]


def rows(n: int):
    rnd = random.Random(42)
    start = date(2019, 1, 1)
    names: list[str] = []
    phones: list[str] = []
    for i in range(n):
        province = rnd.choice(list(PROVINCES))
        city = rnd.choice(PROVINCES[province])
        name = f"{province}{city}{rnd.choice(KINDS)}{i:07d}"
        phone = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        if names and rnd.random() < 0.10:  # a duplicate of an earlier row: same name or same phone
            k = rnd.randrange(len(names))
            if rnd.random() < 0.5:
                name = names[k]
            else:
                phone = phones[k]
        if i % 10 == 0 or len(names) < 10_000:
            names.append(name)
            phones.append(phone)
        yield [
            name,
            phone,
            f"contact{i}@example{i % 97}.com",
            rnd.choice(INDUSTRIES),
            rnd.choice(LEVELS),
            province,
            city,
            f"{city}市青秀区民族大道{rnd.randrange(1, 999)}号",
            rnd.choice(SOURCES),
            rnd.choice(OWNERS),
            (start + timedelta(days=rnd.randrange(2500))).isoformat(),
            "" if rnd.random() < 0.7 else "年度框架采购",
        ]


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
