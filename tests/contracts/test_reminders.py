"""Expiry reminders: approved contracts ending within the configured window notify their owner once per
contract and end date; the list filter and the CLI show the same contracts."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from loam.contracts import lifecycle, options, service
from loam.notifications.models import Notification
from tests.contracts.factories import make_contract
from tests.helpers import scope_of


def _expiring(session, ids, days: int, status: str = "approved", owner: str = "ar1"):
    c = make_contract(session, ids[owner], f"到期{days}天")
    c.status = status
    c.end_on = service.today() + timedelta(days=days)
    session.flush()
    return c


def _notes(session, contract_id: int) -> list[Notification]:
    stmt = select(Notification).where(
        Notification.kind == "contract_expiring",
        Notification.entity == "contract",
        Notification.entity_id == contract_id,
    )
    return list(session.scalars(stmt))


def test_reminders_respect_the_window_status_and_dedupe(session, ids) -> None:
    soon = _expiring(session, ids, 10)
    later = _expiring(session, ids, 45)
    draft = _expiring(session, ids, 5, status="draft")
    past = _expiring(session, ids, -1)
    result = lifecycle.remind_expiring(session)
    assert result.notified >= 1
    notes = _notes(session, soon.id)
    assert len(notes) == 1 and notes[0].user_id == ids["ar1"]
    assert notes[0].params == {"contract": f"{soon.number} {soon.name}", "date": soon.end_on.isoformat()}
    assert not _notes(session, later.id) and not _notes(session, draft.id) and not _notes(session, past.id)
    lifecycle.remind_expiring(session)  # the next day's run: no second reminder
    assert len(_notes(session, soon.id)) == 1
    soon.end_on = soon.end_on + timedelta(days=3)  # a changed end date reminds again
    session.flush()
    lifecycle.remind_expiring(session)
    assert len(_notes(session, soon.id)) == 2


def test_the_window_is_a_setting(session, ids) -> None:
    later = _expiring(session, ids, 45)
    conf = options.load(session).model_copy(update={"expiry_days": 60})
    options.save(session, scope_of(session, ids["admin"]), conf)
    lifecycle.remind_expiring(session)
    assert len(_notes(session, later.id)) == 1
    assert later.id in {c.id for c in lifecycle.expiring(session, scope_of(session, ids["ar1"]))}
    assert later.id not in {c.id for c in lifecycle.expiring(session, scope_of(session, ids["ar1"]), days=30)}
    assert later.id not in {c.id for c in lifecycle.expiring(session, scope_of(session, ids["ar2"]))}


def test_the_periodic_task_runs_the_reminders(session, ids, connection) -> None:
    from loam.contracts import tasks

    soon = _expiring(session, ids, 3)
    session.commit()  # the task opens its own session (on the test's connection)
    out = tasks.remind_expiring_contracts.call_local()
    assert out["notified"] >= 1
    assert len(_notes(session, soon.id)) == 1


def test_cli_lists_expiring_contracts(session, ids, connection) -> None:
    from typer.testing import CliRunner

    from loam.cli import app

    soon = _expiring(session, ids, 7)
    session.commit()
    runner = CliRunner()
    r = runner.invoke(app, ["contracts", "expiring", "--days", "30", "--json", "--as", "ar1"])
    assert r.exit_code == 0, r.output
    assert soon.number in {row["number"] for row in json.loads(r.stdout)}
    r = runner.invoke(app, ["contracts", "list", "--json", "--as", "ar2"])
    assert r.exit_code == 0 and soon.number not in {row["number"] for row in json.loads(r.stdout)}
    r = runner.invoke(app, ["contracts", "list", "--as", "ar1", "--status", "approved"])
    assert r.exit_code == 0 and soon.number in r.stdout
    r = runner.invoke(app, ["contracts", "list", "--as", "nobody"])
    assert r.exit_code == 2
