"""Monthly snapshots: every live customer on the 1st of the month, in batches, idempotent; explained later by their
own numbers and settings version, even after the weights change."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.kit.i18n import use_locale
from loam.relationships import health, settings, settings_editor, snapshots
from loam.relationships.models import RelationshipSnapshot
from loam.relationships.settings import SettingsWrite
from tests.helpers import login, post_form, scope_of
from tests.relationships import health_helpers as hh


def _snaps(session, month: date) -> dict[int, RelationshipSnapshot]:
    rows = session.scalars(select(RelationshipSnapshot).where(RelationshipSnapshot.month == month))
    return {s.customer_id: s for s in rows}


def _two_customers(session, ids) -> tuple[int, int]:
    a = hh.customer(session, ids["ar1"], "快照甲")
    b = hh.customer(session, ids["ar2"], "快照乙")
    hh.mark(session, ids["ar1"], a, "strategic_agreement", "exec_meetings")  # org 35 → health 35 × 25 % = 8.75 → 9
    return a, b


def test_take_snapshots_every_live_customer_on_the_first(session, ids) -> None:
    a, b = _two_customers(session, ids)
    gone = hh.customer(session, ids["ar1"], "已删除客户")
    customer_service.delete_(session, Scope.system(), gone)
    session.flush()
    version = settings.current_row(session).version
    seen: list[tuple[int, int]] = []
    run = snapshots.take(session, date(2030, 5, 17), batch=1, progress=lambda d, t: seen.append((d, t)))
    assert (run.month, run.taken, run.skipped, run.settings_version) == (date(2030, 5, 1), 2, 0, version)
    assert seen == [(0, 2), (1, 2), (2, 2)]  # one batch per customer
    stored = _snaps(session, date(2030, 5, 1))
    assert set(stored) == {a, b}  # not the deleted one
    sa = stored[a]
    assert (sa.key_score, sa.broad_score, sa.org_score, sa.health, sa.band) == (0, 0, 35, 9, "critical")
    assert sa.settings_version == version
    assert sa.details["org"]["score"] == 35 and sa.details["weights"] == {"key": 45.0, "broad": 30.0, "org": 25.0}
    assert [p["points"] for p in sa.details["points"]] == [0, 0, 9]
    assert (stored[b].health, stored[b].band) == (0, "critical")


def test_take_is_idempotent(session, ids) -> None:
    _a, b = _two_customers(session, ids)
    month = date(2030, 6, 1)
    assert snapshots.take(session, month).taken == 2
    before = {cid: (s.id, s.health, s.details) for cid, s in _snaps(session, month).items()}
    hh.mark(session, ids["ar2"], b, "joint_plan")  # b would now score differently…
    c = hh.customer(session, ids["ar1"], "新客户")
    run = snapshots.take(session, month)
    assert (run.taken, run.skipped) == (1, 2)  # …but only the new customer is taken
    after = _snaps(session, month)
    assert {cid: (s.id, s.health, s.details) for cid, s in after.items() if cid != c} == before
    assert snapshots.take(session, month).taken == 0


def test_old_snapshot_keeps_its_numbers_after_the_weights_change(session, ids) -> None:
    a, _b = _two_customers(session, ids)
    month = hh.this_month()
    snapshots.take(session, month)
    old = settings.current_row(session).version
    data = settings.defaults()
    data["health"]["weights"] = {"key": 0, "broad": 0, "org": 100}
    admin = scope_of(session, ids["admin"])
    new = settings_editor.save(session, admin, SettingsWrite(data=data, note="只看组织关系"), old).version
    assert new == old + 1
    snap = _snaps(session, month)[a]
    assert (snap.health, snap.settings_version) == (9, old)  # stored, never recomputed
    then = snapshots.explain(snap)
    with use_locale("en"):
        assert [f"{p.signed()} {p.text()}" for p in then.points] == [
            "0 key relationships 0 × 45 %",
            "0 broad relationships 0 × 30 %",
            "+9 organisational relationships 35 × 25 %",
        ]
    now = health.compute(session, [a], health.today())[a]
    assert (now.score, now.settings_version) == (35, new)  # 35 × 100 %
    assert now.trend[-1].health == 9 and now.trend[-1].settings_version == old
    # The page says which version the snapshot was computed with, and that it is not the one in force.
    c = login("ar1")
    page = c.get(f"/customers/{a}/relationships/health/{month:%Y-%m}")
    assert page.status_code == 200
    assert f"按设置版本 {old} 计算" in page.text
    assert "snapshot-version-differs" in page.text
    assert "组织型客户关系 35 × 25 %" in page.text
    assert post_form(c, "/locale", {"locale": "en"}).status_code == 303
    page = c.get(f"/customers/{a}/relationships/health/{month:%Y-%m}")
    assert f"Computed with settings version {old}" in page.text
    assert "organisational relationships 35 × 25 %" in page.text


def test_the_monthly_job_and_the_cli(session, ids) -> None:
    from loam.relationships import cli, tasks_health

    a, b = _two_customers(session, ids)
    out = tasks_health.take_monthly_snapshot.call_local()
    assert out["taken"] == 2 and out["skipped"] == 0
    assert set(_snaps(session, hh.this_month())) == {a, b}
    runner = CliRunner()
    r = runner.invoke(cli.app, ["snapshot", "--month", "2029-02", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {
        "month": "2029-02-01", "taken": 2, "skipped": 0, "settings_version": settings.current_row(session).version
    }  # fmt: skip
    r = runner.invoke(cli.app, ["snapshot", "--month", "2029-02"])
    assert r.exit_code == 0 and "0 snapshots taken, 2 already there" in r.output
    assert runner.invoke(cli.app, ["snapshot", "--month", "2029-13"]).exit_code != 0
    assert runner.invoke(cli.app, ["snapshot", "--month", "soon"]).exit_code != 0
    shown = json.loads(runner.invoke(cli.app, ["settings"]).output)
    assert shown["data"]["health"]["weights"] == {"key": 45, "broad": 30, "org": 25}
    listed = json.loads(runner.invoke(cli.app, ["settings", "--history"]).output)
    assert listed[0]["version"] == shown["version"]
    assert runner.invoke(cli.app, ["settings", "--version", "999"]).exit_code == 1


def test_the_job_is_registered_monthly() -> None:
    from loam.relationships import tasks_health

    task = tasks_health.take_monthly_snapshot.task_class()
    assert task.validate_datetime(datetime(2030, 7, 1, 1, 0))
    assert not task.validate_datetime(datetime(2030, 7, 2, 1, 0))
    assert not task.validate_datetime(datetime(2030, 7, 1, 2, 0))
