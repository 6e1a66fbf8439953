"""Global search and customer lists at scale, measured through the HTTP API.

Builds a scratch database (SQLite by default, or LOAM_BENCH_DATABASE_URL) with the demo org, N
customers (default 1,000,000) and N/10 each of contacts and leads, written by raw bulk insert
(``loam.kit.bulk``: sqlite3 ``executemany`` / PostgreSQL ``COPY``) the way the importer writes them,
so the search index is kept by the database's triggers / indexes, not by the ORM. The rows are the
import benchmark's (``benchmarks/import_1m.py``: Chinese company names with 10 % duplicates, mobile
phones, e-mails, province/city, five owners). Then it times, through FastAPI's TestClient with bearer
tokens, p50 / p95 / max over R runs (after warm-up) of: the customer list with a filter and a sort
(as ar1 and admin), a list ``q`` search, and the global search for 2-, 3-, 4+-character Chinese, a
phone number, an e-mail and a query that matches nothing.

With SQLite it also reports what the search triggers cost a raw ``executemany`` of N customers: the
same rows into a second scratch database with and without the triggers (the FTS5 flush at commit
shown separately).

    .venv/bin/python benchmarks/search_lists.py [N] [--runs R] [--no-trigger-cost] [--reuse]
    LOAM_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/loam_bench \
        .venv/bin/python benchmarks/search_lists.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import customer_rows as bench_rows  # the benchmarks' realistic rows (no side effects)

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 1_000_000
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 40
WORK = Path(tempfile.mkdtemp(prefix="loam-bench-search-"))
URL = os.environ.get("LOAM_BENCH_DATABASE_URL") or f"sqlite:///{WORK / 'bench.db'}"
os.environ["LOAM_DATABASE_URL"] = URL
os.environ["LOAM_HUEY_PATH"] = str(WORK / "huey.db")

from sqlalchemy import text  # noqa: E402

from loam import db, migrate  # noqa: E402
from loam.contacts.models import Contact  # noqa: E402
from loam.customers.models import Customer  # noqa: E402
from loam.demo import org as demo_org  # noqa: E402
from loam.demo.org import DEMO_PASSWORD  # noqa: E402
from loam.kit import bulk, normalize  # noqa: E402
from loam.kit.choices import INDUSTRIES  # noqa: E402
from loam.leads.models import Lead  # noqa: E402
from loam.search import service as search_service  # noqa: E402

LEVEL_CODES = dict(zip(bench_rows.LEVELS, ("key", "normal", "minor"), strict=True))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
BATCH = 50_000


def customer_rows(n: int, owners: dict[str, tuple[int, int | None]]) -> Any:
    """Batches of customer dicts built from the import benchmark's rows (same names, phones, owners)."""
    rnd = random.Random(11)
    industries = list(INDUSTRIES)
    now = db.utcnow()
    batch = []
    for row in bench_rows.rows(n):
        name, phone, email, _ind, level, province, city = row[:7]
        owner, dept = owners[row[9]]
        stamp = now.replace(microsecond=0) - timedelta(seconds=rnd.randrange(3 * 10**7))
        batch.append(
            {
                "name": name,
                "name_norm": normalize.company(name),
                "phone": phone,
                "phone_norm": normalize.phone(phone),
                "email": email,
                "industry": rnd.choice(industries),
                "level": LEVEL_CODES[level],
                "province": province,
                "city": city,
                "owner_id": owner,
                "department_id": dept,
                "owner_since": stamp,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def person_rows(n: int, customers: int, owners: list[tuple[int, int | None]]) -> tuple[list[dict], list[dict]]:
    rnd = random.Random(12)
    contacts, leads = [], []
    for i in range(n):
        owner, dept = rnd.choice(owners)
        person = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        phone = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        common = {"phone": phone, "phone_norm": "+86" + phone, "owner_id": owner, "department_id": dept}
        contacts.append({**common, "name": person, "customer_id": rnd.randrange(1, customers + 1)})
        contacts[-1]["email"] = f"p{i}@example{i % 89}.cn"
        company = f"{rnd.choice(bench_rows.PROVINCES['广西'])}{rnd.choice(bench_rows.KINDS)}{i:06d}"
        leads.append({**common, "name": person, "company": company, "company_norm": normalize.company(company)})
    return contacts, leads


def demo_users() -> dict[str, tuple[int, int | None]]:
    with db.session_scope() as s:
        org = demo_org.build(s)
        return {u.username: (u.id, u.department_id) for u in (org.ar1, org.ar2, org.sr1, org.fr1, org.director)}


def insert_customers(s: Any, users: dict[str, tuple[int, int | None]]) -> float:
    """Raw bulk insert of the N customers in the session's transaction; returns the seconds spent inserting."""
    bulk.bigger_cache(s)
    spent = 0.0
    for batch in customer_rows(N, users):
        t = time.perf_counter()
        bulk.insert_dicts(s, Customer.__table__, batch)  # type: ignore[arg-type]
        spent += time.perf_counter() - t
    return spent


def load() -> None:
    migrate.upgrade(URL)
    users = demo_users()
    t0 = time.perf_counter()
    with db.session_scope() as s:
        inserted = insert_customers(s, users)
        contacts, leads = person_rows(N // 10, N, list(users.values()))
        bulk.insert_dicts(s, Contact.__table__, contacts)  # type: ignore[arg-type]
        bulk.insert_dicts(s, Lead.__table__, leads)  # type: ignore[arg-type]
        t = time.perf_counter()
        search_service.flush_index(s)  # what the commit does anyway; timed on its own here
        flushed = time.perf_counter() - t
    total = time.perf_counter() - t0
    print(f"database: {db.engine.dialect.name} {db.engine.dialect.server_version_info or ''} ({URL.split('@')[-1]})")
    print(f"loaded {N:,} customers + {N // 10:,} contacts + {N // 10:,} leads in {total:.1f} s ", end="")
    print(f"(customer executemany/COPY {inserted:.1f} s, search-index flush at commit {flushed:.1f} s)")
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as c:
            c.execute(text("ANALYZE"))
            c.commit()


def sample_phone_and_email() -> tuple[str, str]:
    with db.engine.connect() as c:
        phone, email = c.execute(text("SELECT phone, email FROM customers WHERE id = :i"), {"i": N // 2}).one()
    return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", email.upper()


def timed(client: Any, url: str, params: dict[str, Any]) -> tuple[list[float], Any]:
    for _ in range(3):
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text[:300]
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = client.get(url, params=params)
        runs.append((time.perf_counter() - t) * 1000)
    return runs, r.json()


def measure() -> None:
    from fastapi.testclient import TestClient

    from loam.app import create_app

    app = create_app()
    clients = {}
    for user in ("ar1", "admin"):
        c = TestClient(app)
        token = c.post("/api/v1/auth/token", data={"username": user, "password": DEMO_PASSWORD}).json()
        c.headers["Authorization"] = f"Bearer {token['access_token']}"
        clients[user] = c
    phone, email = sample_phone_and_email()
    cases = [
        ("list level=key sort -updated_at", "/api/v1/customers", {"level": "key", "sort": "-updated_at"}),
        ("list industry=telecom sort name", "/api/v1/customers", {"industry": "telecom", "sort": "name"}),
        ("list q=河池电信 sort -updated_at", "/api/v1/customers", {"q": "河池电信", "sort": "-updated_at"}),
        ("search 2-char 河池", "/api/v1/search", {"q": "河池"}),
        ("search 2-char no match 鲸鲨", "/api/v1/search", {"q": "鲸鲨"}),
        ("search 2-char common 公司", "/api/v1/search", {"q": "公司"}),
        ("list q=河池 sort -updated_at", "/api/v1/customers", {"q": "河池", "sort": "-updated_at"}),
        ("search 3-char 河池电", "/api/v1/search", {"q": "河池电"}),
        ("search 4+ char 河池电信分公司", "/api/v1/search", {"q": "河池电信分公司"}),
        (f"search phone {phone}", "/api/v1/search", {"q": phone}),
        (f"search email {email[:18]}", "/api/v1/search", {"q": email}),
        ("search 4-char no match 不存在的", "/api/v1/search", {"q": "不存在的"}),
    ]
    print(f"\n{RUNS} runs each after 3 warm-up runs, milliseconds through the HTTP API (TestClient)")
    print(f"{'user':6} {'case':44} {'p50':>7} {'p95':>7} {'max':>7}  result")
    for user, client in clients.items():
        for label, url, params in cases:
            runs, body = timed(client, url, params)
            p95 = statistics.quantiles(runs, n=20, method="inclusive")[18]
            if "total" in body:
                got = f"total {body['total']:,}{'+' if body.get('total_capped') else ''}"
            else:
                got = " ".join(f"{g['entity'][:4]}={len(g['items'])}{'+' if g['more'] else ''}" for g in body["groups"])
            print(f"{user:6} {label:44} {statistics.median(runs):7.1f} {p95:7.1f} {max(runs):7.1f}  {got}")


def trigger_cost() -> None:
    """Seconds per N raw-inserted customers into a fresh SQLite file, with and without the search triggers."""
    print(f"\nraw executemany of {N:,} customers into a fresh SQLite database (row building not timed):")
    for label, triggers in (("without search triggers", False), ("with search triggers", True)):
        url = f"sqlite:///{WORK / f'cost-{triggers}.db'}"
        db.configure(url)
        migrate.upgrade(url)
        users = demo_users()
        if not triggers:
            with db.engine.begin() as c:
                for suffix in ("ai", "au", "ad"):
                    c.exec_driver_sql(f"DROP TRIGGER customers_search_{suffix}")
        with db.SessionLocal() as s:
            inserted = insert_customers(s, users)
            t = time.perf_counter()
            search_service.flush_index(s)
            flushed = time.perf_counter() - t
            t = time.perf_counter()
            s.commit()
            committed = time.perf_counter() - t
        print(f"  {label:24} executemany {inserted:6.1f} s, index flush {flushed:5.1f} s, commit {committed:4.1f} s")


def main() -> None:
    if "--reuse" in sys.argv:  # measure an existing benchmark database (LOAM_BENCH_DATABASE_URL) again
        migrate.upgrade(URL)
    else:
        load()
    measure()
    if db.engine.dialect.name == "sqlite" and "--no-trigger-cost" not in sys.argv:
        trigger_cost()


if __name__ == "__main__":
    main()
