"""How fast the opportunity-to-cash reports answer with the demo company enlarged to N opportunities.

Builds a fresh database — a SQLite file in a temp directory by default, or the PostgreSQL database named by
``--database-url`` (created here, dropped at the end unless ``--keep``) — migrates it, loads the demo company
(`loam demo`) and ``--scale N`` (default 100,000 opportunities and 50,000 contracts with their plans, receipts
and stage moves), then times the sales funnel, the win rate with lost reasons and the receivables report
(planned against received per month, ageing buckets, the largest overdue periods): the service call
(``loam.reports.service.run``, a new session per run, as a request has) and the HTTP API through the app
(FastAPI TestClient, bearer token), as the director (本部门及下属) and admin (全部), each with the report's
default period and with the last 12 months. Prints p50 / p95 / max in milliseconds over R runs after warm-up,
with the scale and the row counts. The issue's goal: under 1 s each.

    .venv/bin/python benchmarks/o2c_reports.py [--scale N] [--runs R] [--keep]
    .venv/bin/python benchmarks/o2c_reports.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/loam_o2c
    .venv/bin/python benchmarks/o2c_reports.py --database-url URL --reuse   # measure an already loaded database
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--database-url", default=None, help="PostgreSQL URL of a database to create (default: SQLite)")
ARGS.add_argument("--scale", type=int, default=100_000, help="opportunities to add (contracts: half as many)")
ARGS.add_argument("--runs", type=int, default=20, help="timed runs per case (after 2 warm-up runs)")
ARGS.add_argument("--keep", action="store_true", help="keep the database afterwards")
ARGS.add_argument("--reuse", action="store_true", help="measure the database as it is (no create, no load)")
OPTS = ARGS.parse_args()
WORK = Path(tempfile.mkdtemp(prefix="loam-bench-o2c-"))
URL = OPTS.database_url or f"sqlite:///{WORK / 'bench.db'}"
os.environ["LOAM_DATABASE_URL"] = URL
os.environ["LOAM_HUEY_PATH"] = str(WORK / "huey.db")
os.environ.setdefault("LOAM_DEMO", "true")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from loam import db, migrate  # noqa: E402
from loam.authz import service as authz_service  # noqa: E402
from loam.demo import data  # noqa: E402
from loam.demo.org import DEMO_PASSWORD  # noqa: E402
from loam.org.models import User  # noqa: E402
from loam.reports import service as report_service  # noqa: E402
from loam.reports.schemas import ReportFilters  # noqa: E402

REPORTS = ("funnel", "winrate", "receivables")
PERIODS = (None, "last_12_months")  # None: the report's default (funnel: all time, the others: this year)
COUNTED = ("opportunities", "stage_moves", "contracts", "receivable_plans", "receivables", "receivable_allocations")


def server_admin() -> Any:
    url = make_url(URL)
    return url, create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database() -> None:
    if not URL.startswith("postgresql"):
        return
    url, admin = server_admin()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def drop_database() -> None:
    if not URL.startswith("postgresql") or OPTS.keep:
        return
    db.engine.dispose()
    url, admin = server_admin()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def load() -> None:
    create_database()
    t0 = time.perf_counter()
    migrate.upgrade(URL)
    t1 = time.perf_counter()
    with db.session_scope() as s:
        data.load(s)
    t2 = time.perf_counter()
    with db.session_scope() as s:
        data.scale(s, OPTS.scale)
    t3 = time.perf_counter()
    print(f"migrations {t1 - t0:.1f} s, demo company {t2 - t1:.1f} s, --scale {OPTS.scale:,} {t3 - t2:.1f} s")


def counts() -> str:
    with db.engine.connect() as c:
        return ", ".join(f"{t} {c.scalar(text(f'SELECT COUNT(*) FROM {t}')):,}" for t in COUNTED)  # noqa: S608


def quantiles(runs: list[float]) -> str:
    p95 = statistics.quantiles(runs, n=20, method="inclusive")[18]
    return f"{statistics.median(runs):7.0f} {p95:7.0f} {max(runs):7.0f}"


def repeat(fn: Any) -> list[float]:
    for _ in range(2):
        fn()
    runs = []
    for _ in range(OPTS.runs):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return runs


def service_call(username: str, name: str, period: str | None) -> Any:
    def run() -> Any:
        with db.SessionLocal() as s:
            user = s.query(User).filter(User.username == username).one()
            scope = authz_service.build_scope(s, user)
            filters = ReportFilters(period=period) if period else ReportFilters()
            report = report_service.run(s, scope, name, filters)
            s.rollback()
            return report

    return run


def api_call(client: Any, name: str, period: str | None) -> Any:
    def run() -> Any:
        r = client.get(f"/api/v1/reports/{name}", params={"period": period} if period else {})
        assert r.status_code == 200, r.text[:300]
        return r

    return run


def clients() -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from loam.app import create_app

    app = create_app()
    out = {}
    for user in ("director", "admin"):
        c = TestClient(app)
        token = c.post("/api/v1/auth/token", data={"username": user, "password": DEMO_PASSWORD}).json()
        c.headers["Authorization"] = f"Bearer {token['access_token']}"
        out[user] = c
    return out


def measure() -> None:
    print(f"rows: {counts()}")
    print(f"\n{OPTS.runs} runs each after 2 warm-up runs, milliseconds")
    print(f"{'user':9} {'report':12} {'period':15} {'path':8} {'p50':>7} {'p95':>7} {'max':>7}")
    web = clients()
    for user in ("director", "admin"):
        for name in REPORTS:
            for period in PERIODS:
                for path, fn in (
                    ("service", service_call(user, name, period)),
                    ("api", api_call(web[user], name, period)),
                ):
                    label = period or "default"
                    print(f"{user:9} {name:12} {label:15} {path:8} {quantiles(repeat(fn))}", flush=True)


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    dialect = "PostgreSQL" if URL.startswith("postgresql") else "SQLite"
    print(f"database: {dialect} ({URL.split('@')[-1]}), scale {OPTS.scale:,}")
    try:
        if not OPTS.reuse:
            load()
        else:
            migrate.upgrade(URL)
        measure()
    finally:
        drop_database()


if __name__ == "__main__":
    main()
