"""`loam search query` as the system and as a user (whose data scope applies)."""

from __future__ import annotations

from typer.testing import CliRunner

from loam.cli import app
from tests.helpers import make_customer


def test_query_as_a_user_sees_only_their_scope(session, ids) -> None:
    make_customer(session, ids["ar1"], "广西河池电信分公司")
    make_customer(session, ids["ar2"], "河池移动分公司")
    runner = CliRunner()
    everything = runner.invoke(app, ["search", "query", "河池"])
    assert everything.exit_code == 0
    assert "广西河池电信分公司" in everything.output and "河池移动分公司" in everything.output
    mine = runner.invoke(app, ["search", "query", "河池", "--as", "ar1"])
    assert mine.exit_code == 0 and "广西河池电信分公司" in mine.output and "河池移动分公司" not in mine.output
    nobody = runner.invoke(app, ["search", "query", "河池", "--as", "nobody"])
    assert nobody.exit_code == 1 and "error:" in nobody.output
