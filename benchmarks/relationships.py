"""How fast the monthly relationship snapshot and a customer's relationship page are at 10,000 customers.

Builds a fresh database — a SQLite file in a temp directory by default, or the PostgreSQL database named by
``--database-url`` (created here, dropped at the end unless ``--keep``) — migrates it, loads the demo organisation
and :mod:`loam.demo.rel_scale` (default 10,000 customers, 500,000 contacts, 5,000,000 follow-ups with their
relationship profiles, owners, links and checklist marks), then:

1. times ``snapshots.take`` for this month (every customer, in batches of 500, the three layers set-based) — the
   issue's goal: under 5 minutes;
2. adds twelve months of history before it (:func:`loam.demo.rel_scale.history`), so the trend and "the same month
   last year" are read as in production;
3. times the customer relationship page through the real app (FastAPI TestClient, a logged-in browser session):
   the frame and every section route that exists (``relationships:*_section``), as the customer's owner and as
   the admin, over a sample of customers; prints p50 / p95 / max in milliseconds — the goal: under 300 ms.

    .venv/bin/python benchmarks/relationships.py [--customers N --contacts N --followups N] [--sample S] [--keep]
    .venv/bin/python benchmarks/relationships.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/loam_rel
    .venv/bin/python benchmarks/relationships.py --database-url URL --reuse   # measure an already loaded database
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--database-url", default=None, help="PostgreSQL URL of a database to create (default: SQLite)")
ARGS.add_argument("--customers", type=int, default=10_000)
ARGS.add_argument("--contacts", type=int, default=500_000)
ARGS.add_argument("--followups", type=int, default=5_000_000)
ARGS.add_argument("--sample", type=int, default=30, help="customers whose page is timed")
ARGS.add_argument("--keep", action="store_true", help="keep the database afterwards")
ARGS.add_argument("--reuse", action="store_true", help="measure the database as it is (no create, no load)")
OPTS = ARGS.parse_args()
WORK = Path(os.environ.get("LOAM_BENCH_DIR") or tempfile.mkdtemp(prefix="loam-bench-rel-"))
URL = OPTS.database_url or f"sqlite:///{WORK / 'bench.db'}"
os.environ["LOAM_DATABASE_URL"] = URL
os.environ["LOAM_HUEY_PATH"] = str(WORK / "huey.db")
os.environ.setdefault("LOAM_DEMO", "true")

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from loam import db, migrate  # noqa: E402
from loam.app import create_app  # noqa: E402
from loam.demo import org as demo_org  # noqa: E402
from loam.demo import rel_scale  # noqa: E402
from loam.demo.org import DEMO_PASSWORD  # noqa: E402
from loam.relationships import health, snapshots  # noqa: E402

COUNTED = ("customers", "contacts", "contact_profiles", "contact_relation_owners", "power_links", "org_marks",
           "followups", "followup_contacts", "followup_participants", "relationship_snapshots")  # fmt: skip


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
    if OPTS.keep or OPTS.reuse:
        return
    db.engine.dispose()
    if not URL.startswith("postgresql"):
        return
    url, admin = server_admin()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def load() -> None:
    create_database()
    t0 = time.perf_counter()
    migrate.upgrade(URL)
    with db.session_scope() as s:
        demo_org.build(s)
    t1 = time.perf_counter()
    last = [t1]

    def progress(done: int, total: int) -> None:
        if done == total or time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  {done:,} / {total:,} customers ({last[0] - t1:.0f} s)", flush=True)

    with db.session_scope() as s:
        rel_scale.scale(s, OPTS.customers, OPTS.contacts, OPTS.followups, progress=progress)
    t2 = time.perf_counter()
    print(f"migrations and demo org {t1 - t0:.1f} s, bulk load {t2 - t1:.1f} s")


def counts() -> str:
    with db.engine.connect() as c:
        return ", ".join(f"{t} {c.scalar(text(f'SELECT COUNT(*) FROM {t}')):,}" for t in COUNTED)  # noqa: S608


def snapshot() -> None:
    month = health.month_start(health.today())
    t = time.perf_counter()
    with db.session_scope() as s:
        run = snapshots.take(s, month)
    took = time.perf_counter() - t
    print(f"snapshots.take({month:%Y-%m}): {run.taken:,} taken, {run.skipped:,} skipped in {took:.1f} s "
          f"({took / max(1, run.taken) * 1000:.1f} ms per customer)", flush=True)  # fmt: skip
    with db.session_scope() as s:
        added = rel_scale.history(s, month)
    print(f"history: {added:,} snapshots of the 12 months before", flush=True)


def quantiles(runs: list[float]) -> str:
    p95 = statistics.quantiles(runs, n=20, method="inclusive")[18] if len(runs) > 1 else runs[0]
    return f"{statistics.median(runs):7.0f} {p95:7.0f} {max(runs):7.0f}"


def login(app: Any, username: str) -> Any:
    from fastapi.testclient import TestClient

    c = TestClient(app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    data = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1), "next": "/"}
    r = c.post("/login", data=data)
    assert r.status_code == 303, r.text[:300]
    return c


def routes(app: Any) -> list[str]:
    """The relationship page's frame and every section route that exists (routers nest: walk them as the
    templates' ``has_route`` does)."""
    from loam.web.templating import _collect

    found: set[str] = set()
    _collect(app.router.routes, found)
    sections = sorted(n for n in found if n.startswith("relationships:") and n.endswith("_section"))
    return ["relationships:customer", *sections]


def pages() -> None:
    from loam.app import create_app
    from loam.customers.models import Customer
    from loam.org.models import User

    app = create_app()
    names = routes(app)
    with db.SessionLocal() as s:
        ids = list(s.scalars(select(Customer.id).where(Customer.deleted_at.is_(None)).order_by(Customer.id)))
        sample = random.Random(7).sample(ids, min(OPTS.sample, len(ids)))
        owners = dict(s.execute(select(Customer.id, User.username).join(User, User.id == Customer.owner_id)).all())
    print(f"\npage timing over {len(sample)} customers (2 warm-up requests per route), milliseconds")
    print(f"{'user':8} {'route':36} {'p50':>7} {'p95':>7} {'max':>7}")
    admin = login(app, "admin")
    clients: dict[str, Any] = {}
    # The sum counts what the page loads: the frame and the sections its elements fetch on load.
    frame = admin.get(app.url_path_for("relationships:customer", customer_id=sample[0])).text
    fetched = {re.sub(r"^https?://[^/]+", "", u) for u in re.findall(r'hx-get="([^"]+)" hx-trigger="load"', frame)}
    loaded = {"relationships:customer"} | {n for n in names if app.url_path_for(n, customer_id=sample[0]) in fetched}
    for who in ("owner", "admin"):
        totals = [0.0] * len(sample)
        for name in names:
            runs = []
            for i, cid in enumerate([sample[0], sample[0], *sample]):
                c = admin if who == "admin" else clients.setdefault(owners[cid], login(app, owners[cid]))
                url = app.url_path_for(name, customer_id=cid)
                t = time.perf_counter()
                r = c.get(url, headers={} if name == "relationships:customer" else {"HX-Request": "true"})
                took = (time.perf_counter() - t) * 1000
                assert r.status_code == 200, (name, r.status_code, r.text[:300])
                if i >= 2:
                    runs.append(took)
                    if name in loaded:
                        totals[i - 2] += took
            mark = "" if name in loaded else " (not loaded by the page)"
            print(f"{who:8} {name + mark:36} {quantiles(runs)}", flush=True)
        print(f"{who:8} {'frame + what it loads (sum)':36} {quantiles(totals)}", flush=True)


def browser_like(separate: bool = False) -> None:
    """The page as a browser gets it from ``loam serve`` (one uvicorn process, in a subprocess): the frame, then its
    sections at once over six connections (a browser's limit per host), timed until the last one has arrived."""
    import socket
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "loam.app:create_app", "--factory", "--port", str(port), "--log-level",
         "warning"],
        env=os.environ | {"LOAM_DATABASE_URL": URL},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        from loam.customers.models import Customer
        from loam.org.models import User

        app = create_app()
        with db.SessionLocal() as s:
            ids = list(s.scalars(select(Customer.id).where(Customer.deleted_at.is_(None)).order_by(Customer.id)))
            sample = random.Random(7).sample(ids, min(OPTS.sample, len(ids)))
            owners = dict(s.execute(select(Customer.id, User.username).join(User, User.id == Customer.owner_id)).all())
        clients: dict[str, httpx.Client] = {}

        def client(username: str) -> httpx.Client:
            if username not in clients:
                c = httpx.Client(base_url=base, limits=httpx.Limits(max_connections=6), timeout=30)
                token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
                assert token
                data = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1), "next": "/"}
                assert c.post("/login", data=data).status_code == 303
                clients[username] = c
            return clients[username]

        totals = []
        requests = 0
        with ThreadPoolExecutor(6) as pool:
            for i, cid in enumerate([sample[0], sample[0], *sample]):
                c = client(owners[cid])
                t = time.perf_counter()
                frame = c.get(app.url_path_for("relationships:customer", customer_id=cid))
                assert frame.status_code == 200
                # What the browser loads next: every element of the frame with hx-trigger="load".
                found = re.findall(r'hx-get="([^"]+)" hx-trigger="load"', frame.text)
                urls = [re.sub(r"^https?://[^/]+", "", u) for u in found]  # paths, whether url_for made them absolute
                assert urls, "the frame loads no section"
                if separate:  # for comparison: the four layer sections as four requests, as before the shared one
                    layers = app.url_path_for("relationships:layers_section", customer_id=cid)
                    urls = [u for u in urls if u != layers] + [
                        app.url_path_for(f"relationships:{k}_section", customer_id=cid)
                        for k in ("health", "key", "coverage", "org")
                    ]
                got = list(pool.map(lambda u, c=c: c.get(u, headers={"HX-Request": "true"}).status_code, urls))
                assert got == [200] * len(urls), got
                requests = len(urls)
                if i >= 2:
                    totals.append((time.perf_counter() - t) * 1000)
        how = "the four layer sections as separate requests" if separate else "the section requests it makes"
        print(f"\nthe whole page from `loam serve` (frame, then {how}: {requests}, over 6 connections), "
              f"{len(totals)} customers as their owners, ms")  # fmt: skip
        print(f"{'owner':8} {'frame + sections, until the last':36} {quantiles(totals)}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("loam").setLevel(logging.WARNING)
    dialect = "PostgreSQL" if URL.startswith("postgresql") else "SQLite"
    size = "as loaded" if OPTS.reuse else f"{OPTS.customers:,} customers, {OPTS.contacts:,} contacts, " \
        f"{OPTS.followups:,} follow-ups"  # fmt: skip
    print(f"database: {dialect} ({URL.split('@')[-1]}); {size}", flush=True)
    try:
        if not OPTS.reuse:
            load()
        else:
            migrate.upgrade(URL)
        print(f"rows: {counts()}", flush=True)
        with db.SessionLocal() as s:
            month = health.month_start(health.today())
            from loam.relationships.models import RelationshipSnapshot

            have = s.scalar(select(RelationshipSnapshot.id).where(RelationshipSnapshot.month == month).limit(1))
        if have is None:
            snapshot()
        else:
            print("this month's snapshots exist already: not timed again")
        pages()
        browser_like()
        browser_like(separate=True)
    finally:
        drop_database()


if __name__ == "__main__":
    main()
