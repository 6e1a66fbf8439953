"""The nightly Huey task and `loam pools ...` run the same rules (inside the test transaction here)."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from loam.db import utcnow
from loam.pools import cli, tasks
from tests.helpers import make_customer
from tests.pools.factory import make_pool


def _due_customer(session, ids, name):
    c = make_customer(session, ids["ar1"], name)
    c.owner_since = utcnow() - timedelta(days=40)
    session.flush()
    return c


def test_periodic_task_runs_the_rules(session, ids):
    make_pool(session, ids, no_followup_days=30, warn_days=0)
    c = _due_customer(session, ids, "夜间任务")
    assert tasks.run_pool_rules.call_local() == {"returned": 1, "warned": 0, "checked": 1}
    session.refresh(c)
    assert c.owner_id is None


def test_the_task_is_scheduled_nightly():
    from loam.jobs import huey

    assert "loam.pools.tasks.run_pool_rules" in huey._registry._registry


def test_cli_run_rules_and_list(session, ids):
    make_pool(session, ids, "命令行公海", no_followup_days=30, warn_days=0)
    _due_customer(session, ids, "命令行客户")
    runner = CliRunner()
    r = runner.invoke(cli.app, ["run-rules", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"returned": 1, "warned": 0, "checked": 1}
    r = runner.invoke(cli.app, ["run-rules"])
    assert r.exit_code == 0 and "returned: 0" in r.output
    r = runner.invoke(cli.app, ["list", "--json"])
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert [(row["name"], row["customers"], row["members"]) for row in rows] == [("命令行公海", 1, 1)]
    assert "命令行公海" in runner.invoke(cli.app, ["list"]).output


def test_root_cli_has_the_pools_command():
    from loam.cli import app

    r = CliRunner().invoke(app, ["pools", "--help"])
    assert r.exit_code == 0 and "run-rules" in r.output
