"""`loam oa types`: the types with their fields."""

from __future__ import annotations

from typer.testing import CliRunner

from loam.oa import cli


def test_types_lists_codes_and_fields(session, ids) -> None:
    r = CliRunner().invoke(cli.app, ["types"])
    assert r.exit_code == 0, r.output
    lines = {line.split("\t")[1]: line for line in r.output.splitlines()}
    assert list(lines)[:6] == ["general", "leave", "trip", "overtime", "expense", "loan"]
    assert "leave_kind:select*" in lines["leave"] and "estimated_cost:money" in lines["trip"]
    assert lines["general"].endswith("\t-")
    assert CliRunner().invoke(cli.app, ["types", "--as", "nobody"]).exit_code == 1
