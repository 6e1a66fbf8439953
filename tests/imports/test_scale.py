"""The benchmarks' 10,000-row versions as correctness checks (not timings, R31): the import benchmark's
realistic customer file (benchmarks/customer_rows.py) imports with every count adding up and no
duplicate, exports, re-imports with no change, and is found by the global search."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

from sqlalchemy import func, select

from loam.customers.models import Customer
from loam.kit import normalize
from tests.exports.helpers import run as export
from tests.helpers import scope_of
from tests.imports.factory import counts, run_import

N = 10_000
BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "customer_rows.py"


def _bench_rows() -> list[list[str]]:
    spec = importlib.util.spec_from_file_location("bench_customer_rows", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [module.HEADER, *module.rows(N)]


def _expected_new(rows: list[list[str]]) -> int:
    """Rows matching no record created before them by normalised name, phone or email (a skipped row adds
    no record, so its keys match nothing later): what the skip policy keeps."""
    seen: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    new = 0
    for row in rows[1:]:
        keys = (normalize.company(row[0]), normalize.phone(row[1]) or "", normalize.email(row[2]) or "")
        if any(k and k in s for k, s in zip(keys, seen, strict=True)):
            continue
        new += 1
        for k, s in zip(keys, seen, strict=True):
            if k:
                s.add(k)
    return new


def test_ten_thousand_realistic_rows_import_export_and_reimport(session, ids) -> None:
    rows = _bench_rows()
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    scope = scope_of(session, ids["admin"])
    job = run_import(session, scope, "customer", content=buf.getvalue().encode("utf-8-sig"), filename="bench.csv")
    c = counts(job)
    assert c["read"] == N and c["failed"] == 0
    assert c["new"] == _expected_new(rows) and c["skipped"] == N - c["new"]
    total = session.scalar(select(func.count()).select_from(Customer))
    distinct = session.scalar(select(func.count(func.distinct(Customer.name_norm))))
    assert distinct == total  # no duplicate customer came in
    _job, path = export(session, ids["admin"], "customer", "xlsx")
    again = run_import(session, scope, "customer", content=path.read_bytes(), filename=path.name, policy="update")
    assert counts(again) == {"read": total, "new": 0, "updated": 0, "skipped": total, "failed": 0}

    from loam.search import service as search_service

    name = rows[1][0]
    hits = [h.name for g in search_service.search(session, scope, name[2:8]).groups for h in g.items]
    assert hits, name
