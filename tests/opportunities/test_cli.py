from __future__ import annotations

import json

from typer.testing import CliRunner

from loam.cli import app as root
from loam.opportunities import cli, moves
from tests.opportunities.factories import default_stages, make_opportunity


def test_list_as_a_user_in_scope(session, ids):
    mine = make_opportunity(session, ids["ar1"], "命令行商机")
    theirs = make_opportunity(session, ids["ar2"], "别人的命令行商机")
    runner = CliRunner()
    r = runner.invoke(cli.app, ["list", "--json", "--as", "ar1"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)["items"]
    assert mine.id in [x["id"] for x in rows] and theirs.id not in [x["id"] for x in rows]
    row = next(x for x in rows if x["id"] == mine.id)
    assert (row["stage"], row["status"], row["amount"], row["probability"]) == ("验证客户", "open", "1000000.00", 10)
    r = runner.invoke(cli.app, ["list", "--as", "ar1"])
    assert r.exit_code == 0 and "命令行商机" in r.output
    assert runner.invoke(cli.app, ["list", "--as", "nobody"]).exit_code == 1
    assert "move" in runner.invoke(root, ["opportunities", "--help"]).output


def test_move_with_the_same_rules(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"], "命令行推进")
    runner = CliRunner()
    r = runner.invoke(cli.app, ["move", str(o.id), "需求分析", "--as", "ar1"])
    assert r.exit_code == 0, r.output
    assert "open, 25%" in r.output
    r = runner.invoke(cli.app, ["move", str(o.id), "Lost", "--as", "ar1"])
    assert r.exit_code == 1 and "error" in r.output
    r = runner.invoke(cli.app, ["move", str(o.id), "Lost", "--reason", "价格", "--as", "ar1"])
    assert r.exit_code == 0 and "lost" in r.output
    assert runner.invoke(cli.app, ["move", str(o.id), "Needs analysis", "--as", "ar2"]).exit_code == 1  # not visible
    assert runner.invoke(cli.app, ["move", str(o.id), "nowhere", "--as", "ar1"]).exit_code == 1
    session.expire_all()
    assert [m.to_stage_id for m in moves.history(session, o.id)] == [
        st["Qualify"].id,
        st["Needs analysis"].id,
        st["Lost"].id,
    ]
