"""Export N customers (default 1,000,000) to xlsx and csv through the real export job runner.

Builds a scratch SQLite database at head with the demo org and N realistic customers (raw
``executemany``), then, each in a fresh process so that its peak RSS is its own:

- the real export (``loam.exports.service.start_export`` + ``run_job``, as admin: every customer) to xlsx and csv;
- the raw floor measured in the same run: the writer alone (rustpy-xlsxwriter; the csv module) writing the
  same number of pre-built rows of the same shape.

Prints the figures and the ratio to the floor (R31: figures, never timed asserts).

    .venv/bin/python benchmarks/export_1m.py [N]
"""

from __future__ import annotations

import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
PROVINCES = {
    "广西": ["南宁", "柳州", "桂林", "梧州", "北海"],
    "广东": ["广州", "深圳", "佛山", "东莞"],
    "四川": ["成都", "绵阳", "德阳"],
    "黑龙江": ["哈尔滨", "齐齐哈尔"],
}
KINDS = ["电信分公司", "移动分公司", "供电局", "高速公路公司", "城商行支行", "制造有限公司", "物流办事处"]
INDUSTRIES = ["telecom", "government", "energy", "finance", "transport", "manufacturing", "education", "other"]
SOURCES = ["exhibition", "referral", "website", "phone", "campaign", "partner", "bid", "other"]
STREETS = ["人民路", "解放路", "中山路", "建设路", "民族大道", "友谊路"]


def customers(n: int, owners: list[tuple[int, int]]) -> Iterator[tuple[object, ...]]:
    """Rows for the customers table (raw values as SQLAlchemy stores them on SQLite)."""
    rnd = random.Random(7)
    start = datetime(2020, 1, 1)
    for i in range(n):
        province = rnd.choice(list(PROVINCES))
        city = rnd.choice(PROVINCES[province])
        name = f"{province}{city}{rnd.choice(KINDS)} {i:07d}"
        phone = (
            f"1{rnd.randint(3, 9)}{rnd.randint(0, 999_999_999):09d}"
            if i % 10
            else f"0771-{rnd.randint(0, 9_999_999):07d}"
        )
        email = None if i % 10 == 3 else f"c{i}@example.com"
        address = None if i % 20 == 5 else f"{city}市{rnd.choice(STREETS)}{rnd.randint(1, 999)}号"
        owner, dept = owners[i % len(owners)]
        created = (start + timedelta(seconds=rnd.randint(0, 180_000_000))).strftime("%Y-%m-%d %H:%M:%S.000000")
        contact = rnd.choice(SURNAMES) + rnd.choice("明伟芳娜敏静丽强磊军")
        yield (
            name,
            name,
            rnd.choice(INDUSTRIES),
            rnd.choice(["key", "normal", "minor"]),
            rnd.choice(SOURCES),
            phone,
            phone,
            email,
            province,
            city,
            address,
            f"联系人 {contact}",
            owner,
            dept,
            0,
            "none",
            "{}",
            owner,
            created,
            created,
            1,
        )


def build(url: str, n: int) -> None:
    from loam import db, migrate
    from loam.demo import org as demo_org

    migrate.upgrade(url)
    with db.session_scope() as s:
        org = demo_org.build(s)
        owners = [(u.id, u.department_id) for u in (org.ar1, org.ar2, org.sr1, org.fr1, org.director)]
    t0 = time.perf_counter()
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    con.execute("PRAGMA cache_size=-262144")
    sql = (
        "INSERT INTO customers (name, name_norm, industry, level, source, phone, phone_norm, email, province, city,"
        " address, remark, owner_id, department_id, locked, deal_status, custom, created_by, created_at, updated_at,"
        " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    with con:
        con.executemany(sql, customers(n, owners))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # readers then start from a clean file, as in production
    con.close()
    print(f"loaded {n:,} customers in {time.perf_counter() - t0:.1f} s")


def export(file_format: str) -> dict[str, object]:
    """One real export job, as admin (every customer), through the same runner the worker uses."""
    from loam import db
    from loam.authz import service as authz_service
    from loam.exports import service

    with db.session_scope() as s:
        admin = authz_service.cli_scope(s, "admin")
        job_id = service.start_export(s, admin, "customer", file_format, locale="zh_CN").id
    t0 = time.perf_counter()
    status = service.run_job(job_id)
    return {"seconds": time.perf_counter() - t0, "status": status}


def floor(file_format: str, n: int) -> dict[str, object]:
    """The writer alone: the same number of pre-built rows of the same shape (19 columns), straight to the file."""
    from loam.exports import writers

    rnd = random.Random(3)
    when = datetime(2024, 5, 6, 7, 8, 9)
    headers = [f"列{i}" for i in range(19)]
    rows = [
        (
            i,
            f"广西南宁电信分公司 {i:07d}",
            "电信",
            None,
            "普通客户",
            "展会",
            f"138{i:08d}",
            f"c{i}@example.com",
            None,
            "广西",
            "南宁",
            f"南宁市人民路{rnd.randint(1, 999)}号",
            "联系人 王明",
            None,
            "未成交",
            "ar1",
            "壤土科技有限公司/广西代表处",
            when,
            when,
        )
        for i in range(n)
    ]
    if file_format == "csv":
        text = [(*r[:17], r[17].isoformat(" ", "seconds"), r[18].isoformat(" ", "seconds")) for r in rows]
        rows = text  # type: ignore[assignment]
    path = Path(tempfile.mkdtemp()) / f"floor.{file_format}"
    t0 = time.perf_counter()
    if file_format == "csv":
        writers.write_csv(path, headers, rows)
    else:
        writers.write_xlsx(path, "客户", headers, rows, [16.0] * 19)
    seconds = time.perf_counter() - t0
    path.unlink()
    return {"seconds": seconds}


def peak_rss_mb() -> int:
    """This process's own peak RSS: VmHWM (ru_maxrss would include the parent's RSS at fork, kept across exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def child(phase: str, file_format: str, url: str, n: int) -> dict[str, object]:
    env = {**os.environ, "LOAM_DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--child", phase, file_format, str(n)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result  # type: ignore[no-any-return]


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        phase, file_format, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
        result = export(file_format) if phase == "export" else floor(file_format, n)
        result["rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    work = Path(tempfile.mkdtemp(prefix="loam-export-bench-"))
    url = f"sqlite:///{work / 'bench.db'}"
    os.environ["LOAM_DATABASE_URL"] = url
    os.environ["LOAM_FILES_PATH"] = str(work / "files")
    build(url, n)
    label = f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n:,}"
    for file_format in ("xlsx", "csv"):
        real = child("export", file_format, url, n)
        raw = child("floor", file_format, url, n)
        assert real["status"] == "done", real
        ratio = float(real["seconds"]) / float(raw["seconds"])  # type: ignore[arg-type]
        print(
            f"export {label} {file_format} {real['seconds']:.1f} s (peak RSS {real['rss_mb']} MB); "
            f"writer alone {raw['seconds']:.1f} s (peak RSS {raw['rss_mb']} MB, pre-built rows); ratio {ratio:.2f}"
        )
    print(f"scratch files in {work} (delete when done)")


if __name__ == "__main__":
    main()
