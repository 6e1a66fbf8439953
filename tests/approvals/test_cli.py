"""`loam approvals`: flows, inbox, approve, reject."""

from __future__ import annotations

from typer.testing import CliRunner

from loam.approvals import cli, service
from tests.approvals.factories import CODE, make_doc, make_flow, step
from tests.helpers import scope_of


def test_flows_inbox_and_decisions(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head"), step("财务", "role", role_code="finance")], name="命令行流")
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, make_doc(session, docs, ids["ar1"]))
    session.flush()
    runner = CliRunner()
    r = runner.invoke(cli.app, ["flows"])
    assert r.exit_code == 0, r.output
    assert "命令行流" in r.output and "合同审批" in r.output and "dept_head" in r.output
    r = runner.invoke(cli.app, ["inbox", "--as", "director"])
    assert r.exit_code == 0 and f"{inst.id}\t{CODE}" in r.output and "1 approval(s)" in r.output
    assert runner.invoke(cli.app, ["inbox", "--as", "director", "--box", "bogus"]).exit_code == 2
    r = runner.invoke(cli.app, ["approve", str(inst.id), "--as", "director", "--comment", "命令行同意"])
    assert r.exit_code == 0 and "pending\tstep 2" in r.output
    r = runner.invoke(cli.app, ["approve", str(inst.id), "--as", "director"])
    assert r.exit_code == 1 and "error:" in r.output
    r = runner.invoke(cli.app, ["reject", str(inst.id), "--as", "finance1", "--comment", "不行"])
    assert r.exit_code == 0 and "rejected" in r.output
    assert docs.states_of(inst.doc_id) == ["in_approval", "rejected"]
    assert runner.invoke(cli.app, ["flows", "--as", "director"]).exit_code == 1  # no approvals.manage


def test_root_cli_has_the_approvals_command():
    from loam.cli import app

    r = CliRunner().invoke(app, ["approvals", "--help"])
    assert r.exit_code == 0 and "inbox" in r.output
