"""`loam import` and `loam import-resume` through Typer's runner."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from loam.cli import app
from loam.customers.models import Customer
from tests.imports.factory import csv_bytes


def test_import_with_json_summary_and_exit_codes(session, tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([["名头", "电话"], ["命令行客户", "13800000003"], ["", "1"]], encoding="gb18030"))
    runner = CliRunner()
    args = ["import", "customer", str(path), "--as", "ar1", "--mapping", '{"名头": "name"}', "--json"]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 3, dry.output
    assert json.loads(dry.output.strip().splitlines()[-1])["status"] == "dry_run"
    assert session.scalar(select(Customer).where(Customer.name == "命令行客户")) is None
    result = runner.invoke(app, args)
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 3 and summary["counts"] == {"read": 2, "new": 1, "updated": 0, "skipped": 0, "failed": 1}
    assert summary["error_file"].endswith(".xlsx") and summary["elapsed_seconds"] is not None
    assert session.scalar(select(Customer).where(Customer.name == "命令行客户")).owner_id is not None


def test_refusals_exit_1_with_a_message(tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"")
    runner = CliRunner()
    r = runner.invoke(app, ["import", "customer", str(path), "--as", "admin"])
    assert r.exit_code == 1 and "文件是空的" in r.output  # the admin's language
    path.write_bytes(csv_bytes([["公司名称"], ["甲"]]))
    r = runner.invoke(app, ["import", "customer", str(path), "--as", "finance1"])
    assert r.exit_code == 1 and "error:" in r.output
    r = runner.invoke(app, ["import", "customer", str(path), "--as", "nobody"])
    assert r.exit_code == 1
    r = runner.invoke(app, ["import", "customer", str(path), "--as", "admin", "--mapping", "{not json"])
    assert r.exit_code == 1 and "JSON" in r.output
