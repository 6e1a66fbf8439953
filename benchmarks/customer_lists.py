"""How fast the customer list answers as the table grows, for users with different data scopes.

Builds a scratch SQLite database (or uses LOAM_BENCH_DATABASE_URL) with the demo org and N customers
(default 200,000) spread over the demo users, then times the list endpoint's service call — the same
function the page, the API and exports use — for ar1 (本人), director (本部门及下属) and admin (全部):
first page, a name search, a filter, and a sort. Prints one line per case (median of 5 runs).

    .venv/bin/python benchmarks/customer_lists.py [N]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
url = os.environ.get("LOAM_BENCH_DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
os.environ["LOAM_DATABASE_URL"] = url

from sqlalchemy import insert  # noqa: E402

from loam import db, migrate  # noqa: E402
from loam.authz import service as authz_service  # noqa: E402
from loam.customers import service as customer_service  # noqa: E402
from loam.customers.models import Customer  # noqa: E402
from loam.customers.schemas import CustomerFilters  # noqa: E402
from loam.demo import org as demo_org  # noqa: E402
from loam.kit import normalize  # noqa: E402

CITIES = ["南宁", "柳州", "桂林", "梧州", "北海", "河池", "百色", "玉林", "钦州", "贺州"]
KINDS = ["电信分公司", "移动分公司", "联通分公司", "供电局", "高速公路公司", "城商行支行", "制造有限公司"]


def load() -> demo_org.DemoOrg:
    migrate.upgrade(url)
    t0 = time.perf_counter()
    with db.session_scope() as s:
        org = demo_org.build(s)
        owners = [(u.id, u.department_id) for u in (org.ar1, org.ar2, org.sr1, org.fr1, org.director)]
        rnd = random.Random(7)
        now = db.utcnow()
        batch = []
        for i in range(N):
            owner, dept = rnd.choice(owners)
            name = f"广西{rnd.choice(CITIES)}{rnd.choice(KINDS)}{i:07d}"
            batch.append(
                {
                    "name": name,
                    "name_norm": normalize.company(name),
                    "level": rnd.choice(["key", "normal", "minor"]),
                    "industry": rnd.choice(["telecom", "energy", "finance", "transport"]),
                    "owner_id": owner,
                    "department_id": dept,
                    "custom": {},
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "locked": False,
                    "deal_status": "none",
                }
            )
            if len(batch) == 10_000:
                s.execute(insert(Customer), batch)
                batch = []
        if batch:
            s.execute(insert(Customer), batch)
    print(f"loaded {N:,} customers in {time.perf_counter() - t0:.1f} s")
    return org


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    org = load()
    cases = {
        "first page, newest first": (CustomerFilters(), None),
        "search '河池电信'": (CustomerFilters(q="河池电信"), None),
        "filter level=key": (CustomerFilters(level="key"), None),
        "sort by name": (CustomerFilters(), "name"),
    }
    print(f"{'user':10} {'case':28} {'ms':>8} {'total':>9}")
    with db.session_scope() as s:
        for user in (org.ar1, org.director, org.admin):
            scope = authz_service.build_scope(s, s.get(type(user), user.id))
            for label, (filters, sort) in cases.items():
                total = customer_service.list_page(s, scope, filters, 1, 25, sort)[1]
                ms = timed(lambda sc=scope, f=filters, so=sort: customer_service.list_page(s, sc, f, 1, 25, so))
                print(f"{user.username:10} {label:28} {ms:8.1f} {total:9,}")


if __name__ == "__main__":
    main()
