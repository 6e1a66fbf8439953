"""Executive pairings (高层对口): defaults, uniqueness, the due rule, the daily job notifying once per due period,
meetings, audit rows and the recycle bin."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.i18n import gettext as _
from loam.kit.models import AuditLog
from loam.recycle import service as recycle_service
from loam.relationships import execpool
from loam.relationships import settings as method_settings
from loam.relationships.models import ExecMeeting, ExecPairing
from loam.relationships.schemas_network import MeetingCreate, MeetingUpdate, PairingFilters, PairingUpdate
from tests.helpers import scope_of
from tests.relationships import network_factories as f

T = f.TODAY


@pytest.fixture
def pair(session, ids):
    """ar1's customer; its executive 钱总 paired with our director (recorded by ar1)."""
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "总经理办公室", level="executive")
    p = f.pairing(session, ids["ar1"], boss.id, ids["director"])
    return {"c": c, "boss": boss, "p": p}


def test_defaults_and_uniqueness(session, ids, pair):
    p = pair["p"]
    assert (p.customer_id, p.expected_days, p.since, p.last_held_on, p.due) == (pair["c"].id, 90, T, None, False)
    with pytest.raises(Conflict):
        f.pairing(session, ids["ar1"], pair["boss"].id, ids["director"])
    execpool.delete_(session, scope_of(session, ids["ar1"]), p.id)
    with pytest.raises(Conflict) as exc:  # the pair is in the recycle bin: restore it instead
        f.pairing(session, ids["ar1"], pair["boss"].id, ids["director"])
    assert exc.value.message == _(
        "This executive is already paired with this contact; the pairing is in the recycle bin."
    )
    with pytest.raises(Invalid):  # an unknown user
        f.pairing(session, ids["ar1"], pair["boss"].id, 2_000_000)
    # The default comes from the method's settings.
    data = method_settings.current(session) | {"exec": {"default_days": 60}}
    method_settings.save(session, scope_of(session, ids["admin"]), method_settings.SettingsWrite(data=data))
    session.flush()
    assert f.pairing(session, ids["ar1"], pair["boss"].id, ids["sr1"]).expected_days == 60


def _due_on(session, ids, pairing_id, day):
    return execpool.get(session, scope_of(session, ids["ar1"]), pairing_id, as_of=day).due


def test_due_rule(session, ids, pair):
    """Due when the last held meeting (or the pairing day T) is MORE than 90 days before the day asked about."""
    p = pair["p"]
    assert _due_on(session, ids, p.id, T + timedelta(days=90)) is False  # exactly 90 days: not yet
    assert _due_on(session, ids, p.id, T + timedelta(days=91)) is True
    # Planned and cancelled meetings do not count; a held one restarts the period from the day it was held.
    f.meeting(session, ids["ar1"], p.id, T + timedelta(days=40))
    f.meeting(session, ids["ar1"], p.id, T + timedelta(days=45), status="cancelled")
    assert _due_on(session, ids, p.id, T + timedelta(days=91)) is True
    f.meeting(session, ids["ar1"], p.id, T + timedelta(days=50), status="held", held_on=T + timedelta(days=52))
    got = execpool.get(session, scope_of(session, ids["ar1"]), p.id, as_of=T + timedelta(days=142))
    assert (got.last_held_on, got.next_planned_on, got.since) == (
        T + timedelta(days=52),
        T + timedelta(days=40),
        T + timedelta(days=52),
    )
    assert got.due is False  # 142 − 52 = 90
    assert _due_on(session, ids, p.id, T + timedelta(days=143)) is True  # 91 > 90
    # A shorter expected period makes it due sooner.
    scope = scope_of(session, ids["ar1"])
    execpool.update(session, scope, p.id, PairingUpdate(expected_days=30, version=got.version))
    assert _due_on(session, ids, p.id, T + timedelta(days=83)) is True  # 83 − 52 = 31 > 30
    listed = execpool.list_all(session, scope, PairingFilters(due=True), as_of=T + timedelta(days=83))
    assert [x.id for x in listed] == [p.id]
    assert execpool.list_all(session, scope, PairingFilters(due=False), as_of=T + timedelta(days=83)) == []


def test_the_list_reads_every_pairing_in_chunks(session, ids, pair, monkeypatch):
    """No cap: with chunks of two, seven pairings over three executives all come back, by executive, and the due
    filter applies to every chunk."""
    monkeypatch.setattr(execpool, "CHUNK", 2)
    c = pair["c"]
    bosses = [f.contact(session, ids["ar1"], c.id, f"高管{i}", "公司领导", level="executive") for i in range(3)]
    made = [pair["p"]]
    for boss in bosses:
        made += [f.pairing(session, ids["ar1"], boss.id, u) for u in (ids["director"], ids["sr1"])]
    scope = scope_of(session, ids["ar1"])
    listed = execpool.list_all(session, scope, as_of=T + timedelta(days=10))
    assert [p.id for p in listed] == [p.id for p in sorted(made, key=lambda p: (p.user_id, p.id))]
    held = T + timedelta(days=95)
    f.meeting(session, ids["ar1"], made[3].id, held, status="held", held_on=held)
    due = execpool.list_all(session, scope, PairingFilters(due=True), as_of=T + timedelta(days=100))
    assert sorted(p.id for p in due) == sorted(p.id for p in made if p is not made[3])
    assert execpool.list_page(session, scope, PairingFilters(), 2, 3, as_of=T)[1] == 7


def test_the_daily_job_notifies_once_per_due_period(session, ids, pair):
    p = pair["p"]
    key = f"exec_pairing_due:{p.id}:{T.isoformat()}"
    run = execpool.notify_due(session, as_of=T + timedelta(days=90))
    assert (run.due, run.notified) == (0, 0)
    run = execpool.notify_due(session, as_of=T + timedelta(days=91))
    assert (run.due, run.notified, run.pairing_ids) == (1, 2, [p.id])
    # The paired executive and the customer's owner.
    assert sorted(f.notifications(session, "exec_pairing_due")) == sorted([(ids["director"], key), (ids["ar1"], key)])
    run = execpool.notify_due(session, as_of=T + timedelta(days=95))  # the same period: nothing new
    assert (run.due, run.notified) == (1, 0)
    held = T + timedelta(days=100)
    f.meeting(session, ids["ar1"], p.id, held, status="held", held_on=held)
    assert execpool.notify_due(session, as_of=T + timedelta(days=150)).due == 0
    run = execpool.notify_due(session, as_of=held + timedelta(days=91))  # a new period, a new reminder
    assert run.notified == 2
    assert len(f.notifications(session, "exec_pairing_due")) == 4


def test_the_job_skips_deleted_pairings_customers_and_contacts(session, ids, pair):
    other = f.contact(session, ids["ar1"], pair["c"].id, "周副总", level="executive")
    second = f.pairing(session, ids["ar1"], other.id, ids["sr1"])
    execpool.delete_(session, scope_of(session, ids["ar1"]), pair["p"].id)
    from loam.contacts import service as contact_service

    contact_service.delete_(session, scope_of(session, ids["ar1"]), other.id)
    session.flush()
    assert execpool.notify_due(session, as_of=T + timedelta(days=200)).checked == 0
    contact_service.restore(session, scope_of(session, ids["ar1"]), other.id)
    session.flush()
    assert execpool.notify_due(session, as_of=T + timedelta(days=200)).pairing_ids == [second.id]


def test_meetings_rules_and_versions(session, ids, pair):
    scope = scope_of(session, ids["ar1"])
    with pytest.raises(ValidationError):  # a held meeting has its date
        MeetingCreate(planned_on=T, status="held")
    with pytest.raises(ValidationError):  # a planned one has none
        MeetingCreate(planned_on=T, held_on=T)
    m = f.meeting(session, ids["ar1"], pair["p"].id, T + timedelta(days=7), summary="年度高层会晤")
    with pytest.raises(Invalid) as exc:
        execpool.update_meeting(session, scope, m.id, MeetingUpdate(status="held", version=m.version))
    assert "held_on" in exc.value.detail
    v1 = m.version
    m = execpool.update_meeting(session, scope, m.id, MeetingUpdate(status="held", held_on=T, version=v1))
    session.flush()
    assert (m.status, m.held_on, m.summary, m.version) == ("held", T, "年度高层会晤", v1 + 1)
    with pytest.raises(Conflict):
        execpool.update_meeting(session, scope, m.id, MeetingUpdate(summary="旧版本", version=v1))
    # A follow-up must be of the pairing's customer.
    other = f.customer(session, ids["ar1"], "另一个客户")
    foreign = f.touch(session, ids["ar1"], other.id, [], f.days_ago(1))
    own = f.touch(session, ids["ar1"], pair["c"].id, [pair["boss"].id], f.days_ago(1))
    with pytest.raises(Invalid):
        f.meeting(session, ids["ar1"], pair["p"].id, T, followup_id=foreign.id)
    assert f.meeting(session, ids["ar1"], pair["p"].id, T, followup_id=own.id).followup_id == own.id


def test_scope_permissions_audit_and_recycle_bin(session, ids, pair):
    p, scope = pair["p"], scope_of(session, ids["ar1"])
    with pytest.raises(NotFound):
        execpool.get(session, scope_of(session, ids["ar2"]), p.id)
    with pytest.raises(NotFound):
        f.pairing(session, ids["ar2"], pair["boss"].id, ids["ar2"])
    m = f.meeting(session, ids["ar1"], p.id, T)
    with pytest.raises(NotFound):
        execpool.get_meeting(session, scope_of(session, ids["ar2"]), m.id)
    viewer = replace(scope, permissions=scope.permissions - {"relationships.update"})
    assert execpool.get(session, viewer, p.id).id == p.id
    with pytest.raises(Forbidden):
        execpool.add_meeting(session, viewer, p.id, MeetingCreate(planned_on=T))
    with pytest.raises(Forbidden):
        execpool.delete_(session, viewer, p.id)
    assert [x.id for x in execpool.list_all(session, scope_of(session, ids["director"]))] == [p.id]
    assert execpool.list_all(session, scope_of(session, ids["ar2"])) == []
    execpool.update(session, scope, p.id, PairingUpdate(remark="每季度一次", version=p.version))
    execpool.delete_(session, scope, p.id)
    session.flush()
    with pytest.raises(NotFound):
        execpool.get(session, scope, p.id)
    with pytest.raises(NotFound):  # its meetings go with it
        execpool.get_meeting(session, scope, m.id)
    deleted, _total = recycle_service.list_deleted(session, scope, "exec_pairing")
    assert [recycle_service.label(d) for d in deleted if d.id == p.id] == ["王建国 – 钱总"]
    recycle_service.restore(session, scope, "exec_pairing", p.id)
    assert execpool.get(session, scope, p.id).meetings[0].id == m.id
    execpool.delete_(session, scope, p.id)
    with pytest.raises(Forbidden):
        recycle_service.purge(session, scope, "exec_pairing", p.id)
    recycle_service.purge(session, scope_of(session, ids["admin"]), "exec_pairing", p.id)
    session.flush()
    assert session.get(ExecPairing, p.id) is None and session.get(ExecMeeting, m.id) is None
    actions = list(
        session.scalars(
            select(AuditLog.action)
            .where(AuditLog.entity == "exec_pairing", AuditLog.entity_id == p.id)
            .order_by(AuditLog.id)
        )
    )
    assert actions == ["create", "update", "delete", "restore", "delete", "purge"]
    assert (
        session.scalar(select(AuditLog.action).where(AuditLog.entity == "exec_meeting", AuditLog.entity_id == m.id))
        == "create"
    )


def test_meeting_stats_for_the_organisational_checklist(session, ids, pair):
    p = pair["p"]
    f.meeting(session, ids["ar1"], p.id, T - timedelta(days=400), status="held", held_on=T - timedelta(days=400))
    f.meeting(session, ids["ar1"], p.id, T - timedelta(days=100), status="held", held_on=T - timedelta(days=100))
    f.meeting(session, ids["ar1"], p.id, T - timedelta(days=10), status="held", held_on=T - timedelta(days=10))
    f.meeting(session, ids["ar1"], p.id, T + timedelta(days=10))  # planned: not counted
    empty = f.customer(session, ids["ar1"], "没有对口的客户")
    stats = execpool.meeting_stats(session, [pair["c"].id, empty.id], T - timedelta(days=365))
    assert stats == {pair["c"].id: (2, T - timedelta(days=10), 1)}


def test_the_daily_task(session, ids, pair):
    """The periodic task runs the job as the system on today: a pairing made 91 days ago is due."""
    from datetime import datetime

    from loam.jobs import huey
    from loam.relationships import tasks_network

    session.get(ExecPairing, pair["p"].id).created_at = f.days_ago(91)
    session.flush()
    assert tasks_network.notify_exec_pairings_due.call_local() == {"checked": 1, "due": 1, "notified": 2}
    assert tasks_network.notify_exec_pairings_due.call_local() == {"checked": 1, "due": 1, "notified": 0}
    assert "loam.relationships.tasks_network.notify_exec_pairings_due" in huey._registry._registry
    task = tasks_network.notify_exec_pairings_due.task_class()
    assert task.validate_datetime(datetime(2026, 12, 3, 0, 45)) and not task.validate_datetime(
        datetime(2026, 12, 3, 1, 45)
    )
