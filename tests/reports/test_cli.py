"""`loam reports ...`: the same numbers and scope as the pages, as a table, JSON or an xlsx file."""

from __future__ import annotations

import io
import json

from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from loam.cli import app as root
from loam.reports import cli
from loam.reports.periods import today


def test_funnel_json_in_the_users_scope(session, world):
    runner = CliRunner()
    r = runner.invoke(cli.app, ["funnel", "--pipeline", "1", "--as", "ar1", "--json", "--filter", "currency=XTS"])
    assert r.exit_code == 0, r.output
    stages = json.loads(r.output)["tables"][0]
    assert [row["count"] for row in stages["rows"]] == [1, 1, 1, 1] and stages["total"]["amount"] == "1000000.00"
    table = runner.invoke(cli.app, ["funnel", "--as", "admin", "--filter", "currency=XTS"])
    assert table.exit_code == 0 and "1,050,000.00" in table.output and "515,000.00" in table.output
    assert "funnel" in runner.invoke(root, ["reports", "--help"]).output


def test_ageing_and_targets(session, world, ids):
    runner = CliRunner()
    r = runner.invoke(cli.app, ["ageing", "--as", "ar1", "--json", "--filter", "currency=XTS"])
    assert r.exit_code == 0, r.output
    ageing = next(t for t in json.loads(r.output)["tables"] if t["key"] == "ageing")
    assert ageing["total"]["amount"] == "200000.00"
    text = runner.invoke(cli.app, ["ageing", "--as", "admin", "--filter", "currency=XTS"]).output
    assert "700,000.00" in text and world.contracts["C2"].number in text
    r = runner.invoke(cli.app, ["targets", "--year", str(today().year), "--as", "admin", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["name"] == "attainment"


def test_show_xlsx_and_errors(session, world, tmp_path):
    runner = CliRunner()
    out = tmp_path / "contracts.xlsx"
    r = runner.invoke(
        cli.app,
        ["show", "contracts", "--filter", "by=user", "--filter", "currency=XTS", "--xlsx", str(out), "--as", "admin"],
    )
    assert r.exit_code == 0, r.output
    rows = CalamineWorkbook.from_filelike(io.BytesIO(out.read_bytes())).get_sheet_by_index(0).to_python()
    assert [row[3] for row in rows[1:]] == [1000000.0, 500000.0, 1500000.0]
    bad = runner.invoke(cli.app, ["show", "funnel", "--filter", "pipline=1", "--as", "admin"])
    assert bad.exit_code == 1 and "pipline" in bad.output
    assert runner.invoke(cli.app, ["show", "nonsense", "--as", "admin"]).exit_code == 1
    assert runner.invoke(cli.app, ["funnel", "--as", "nobody"]).exit_code == 1
