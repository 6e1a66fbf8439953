"""The parsing process of big customer imports (loam.imports.producer): what it sends is what the in-process
writer prepares from the same file, whether it reads the file itself or is fed the rows of a workbook this
process already parsed; a file that turns bad is a 422, anything else a ProducerError.

The child reads the committed database (the demo org of conftest), not a test's transaction, so these tests
use no session fixture and write nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from loam import db
from loam.authz import service as authz_service
from loam.config import settings
from loam.errors import Invalid
from loam.imports import producer, reader
from loam.imports.rows import build_plan
from loam.imports.writers import CustomerWriter, Prepared
from loam.org import service as org_service

HEADER = ["客户名称", "电话", "城市", "创建时间"]
MAPPING = ["name", "phone", "city", "created_at"]


def _rows(n: int) -> list[list[str]]:
    out = []
    for i in range(n):
        if i % 10 == 9:
            out.append([f"子进程测试{i - 4:05d}有限公司", f"136{i:08d}", "南宁", "2024-03-01"])  # same name
        elif i % 97 == 5:
            out.append(["", f"136{i:08d}", "桂林", "2024-03-01"])  # no name: fails
        elif i % 101 == 7:
            out.append([f"子进程测试{i:05d}", f"136{i:08d}", "柳州", "2999-01-01"])  # in the future: fails
        else:
            out.append([f"子进程测试{i:05d}", f"136{i:08d}", "河池", f"2023-{i % 12 + 1:02d}-15"])
    return out


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def _spec(file: Path, ids: dict[str, int], **kw: Any) -> producer.Spec:
    values: dict[str, Any] = {
        "settings": settings.model_dump(),
        "user_id": ids["admin"],
        "entity": "customer",
        "mapping": MAPPING,
        "policy": "skip",
        "note": "import test",
        "locale": "zh_CN",
        "path": str(file),
        "name": file.name,
        "sheet": None,
        "skip": 0,
        "batch": 120,
    }
    values.update(kw)
    return producer.Spec(**values)


def _received(spec: producer.Spec, rows: Any = None) -> tuple[tuple[int, int], list[tuple[int, Prepared]]]:
    child = producer.Producer(spec, rows)
    try:
        return child.opened(), list(child.batches())
    finally:
        child.close()


def _in_process(path: Path, ids: dict[str, int], size: int) -> list[Prepared]:
    table = reader.open_table(path, path.name)
    with db.session_scope() as session:
        scope = authz_service.build_scope(session, org_service.get_user(session, ids["admin"]))
        plan = build_plan(session, scope, "customer", MAPPING, "skip", False, "import test")
        writer = CustomerWriter(session, plan)
    batch: list[Any] = []
    out = []
    for row in table.rows():
        batch.append(row)
        if len(batch) == size:
            out.append(writer.prepare(None, batch))
            batch = []
    if batch:
        out.append(writer.prepare(None, batch))
    return out


def _flat(prepared: list[Prepared]) -> list[tuple[Any, ...]]:
    return [(o.line, o.kind, o.message) for p in prepared for o in p.outcomes]


def test_the_child_sends_what_the_writer_prepares_here(tmp_path: Path, ids) -> None:
    rows = _rows(500)
    path = _csv(tmp_path / "customers.csv", rows)
    (estimated, existing), batches = _received(_spec(path, ids))
    assert estimated == 500
    assert [n for n, _p in batches] == [120, 120, 120, 120, 20]
    expected = _in_process(path, ids, 120)
    assert existing >= 0 and _flat([p for _n, p in batches]) == _flat(expected)
    assert [r for _n, p in batches for r in p.new_rows] == [r for p in expected for r in p.new_rows]
    kinds = [k for _line, k, _m in _flat(expected)]
    assert kinds.count("new") > 300 and 40 < kinds.count("skipped") <= 50 and kinds.count("error") >= 9
    messages = {m for _line, k, m in _flat(expected) if k == "error"}
    assert any("创建时间不能晚于现在" in m for m in messages), messages  # the zh_CN messages came through


def test_a_resumed_run_skips_the_rows_already_stored(tmp_path: Path, ids) -> None:
    path = _csv(tmp_path / "customers.csv", _rows(300))
    _opened, batches = _received(_spec(path, ids, skip=240))
    assert [n for n, _p in batches] == [60]
    assert batches[0][1].outcomes[0].line == 242  # line 1 is the header


def test_the_child_is_fed_the_rows_of_a_workbook_parsed_here(tmp_path: Path, ids) -> None:
    rows = _rows(260)
    path = tmp_path / "customers.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户")
    for r, row in enumerate([HEADER, *rows]):
        ws.write_row(r, 0, row)
    wb.close()
    table = reader.open_table(path, path.name)
    assert reader.parsed_here(path)
    spec = _spec(path, ids, fed=True, estimated_rows=table.estimated_rows, path=str(tmp_path / "not-read.xlsx"))
    (estimated, _existing), batches = _received(spec, table.rows())
    reader.forget(path)
    assert not reader.parsed_here(path)
    assert estimated == 260 and [n for n, _p in batches] == [120, 120, 20]
    assert _flat([p for _n, p in batches]) == _flat(_in_process(path, ids, 120))


def test_a_file_that_turns_bad_is_a_clear_error(tmp_path: Path, ids, monkeypatch) -> None:
    path = _csv(tmp_path / "customers.csv", _rows(50))
    monkeypatch.setattr(settings, "import_max_rows", 40)
    with pytest.raises(Invalid) as caught:
        _received(_spec(path, ids))
    assert "40" in caught.value.message  # more rows than the cap: the cap is named


def test_a_child_that_cannot_start_its_work_fails_the_job_not_the_parent(tmp_path: Path, ids) -> None:
    path = _csv(tmp_path / "customers.csv", _rows(10))
    with pytest.raises(producer.ProducerError):
        _received(_spec(path, ids, entity="no-such-entity"))
