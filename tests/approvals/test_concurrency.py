"""Two approvers acting at once, on a real committed database (SQLite and PostgreSQL): two threads, two sessions.

These tests do not use the rolled-back ``session`` fixture: each thread commits through its own session on the
engine so that the database itself arbitrates. The data is created in committed transactions and removed in
``finally``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select

from loam import db
from loam.approvals import service
from loam.approvals.models import ApprovalFlow, ApprovalInstance, ApprovalTask
from loam.customers.models import Customer
from loam.errors import Conflict, LoamError
from loam.kit.models import AuditLog
from loam.notifications.models import Notification
from tests.approvals.factories import CODE, make_doc, make_flow, step
from tests.helpers import scope_of


def _committed(ids, docs, mode: str) -> tuple[int, int, int]:
    db.SessionLocal.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    with db.session_scope() as s:
        approvers = [ids["director"], ids["sr1"]]
        flow = make_flow(s, scope_of(s, ids["admin"]), [step("并发", "users", user_ids=approvers, mode=mode)])
        doc = make_doc(s, docs, ids["ar1"], name="并发审批客户")
        inst = service.submit(s, scope_of(s, ids["ar1"]), CODE, doc)
        return flow.id, doc, inst.id


def _cleanup(flow_id: int | None, doc_id: int | None, instance_id: int | None) -> None:
    with db.session_scope() as s:
        if instance_id is not None:
            s.execute(delete(ApprovalInstance).where(ApprovalInstance.id == instance_id))
            s.execute(
                delete(Notification).where(Notification.entity == "approval", Notification.entity_id == instance_id)
            )
            s.execute(delete(AuditLog).where(AuditLog.entity == "approval", AuditLog.entity_id == instance_id))
        if flow_id is not None:
            s.execute(delete(AuditLog).where(AuditLog.entity == "approval_flow", AuditLog.entity_id == flow_id))
            s.execute(delete(ApprovalFlow).where(ApprovalFlow.id == flow_id))
        if doc_id is not None:
            s.execute(delete(AuditLog).where(AuditLog.entity == "customer", AuditLog.entity_id == doc_id))
            s.execute(delete(Customer).where(Customer.id == doc_id))


@pytest.fixture
def race(ids, docs, request) -> Iterator[tuple[int, int]]:
    """(instance id, doc id) of a committed approval waiting for director and sr1 in the given mode."""
    created: tuple[int | None, int | None, int | None] = (None, None, None)
    try:
        created = _committed(ids, docs, request.param)
        yield created[2], created[1]  # type: ignore[misc]
    finally:
        _cleanup(*created)


def _approve_in_thread(user_id: int, instance_id: int, barrier: threading.Barrier, out: dict[int, object]) -> None:
    session = db.SessionLocal(bind=db.engine)
    try:
        scope = scope_of(session, user_id)
        session.rollback()  # start the race from a fresh transaction
        barrier.wait(timeout=10)
        service.approve(session, scope, instance_id, "并发同意")
        session.commit()
        out[user_id] = "won"
    except BaseException as exc:  # noqa: BLE001 - recorded and asserted on by the test
        session.rollback()
        out[user_id] = exc
    finally:
        session.close()


def _race(ids, instance_id: int) -> dict[int, object]:
    users = [ids["director"], ids["sr1"]]
    barrier = threading.Barrier(len(users))
    out: dict[int, object] = {}
    threads = [threading.Thread(target=_approve_in_thread, args=(u, instance_id, barrier, out)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


@pytest.mark.parametrize("race", ["any"], indirect=True)
def test_two_or_sign_approvers_at_once_exactly_one_decision_counts(race, ids, docs):
    instance_id, doc_id = race
    out = _race(ids, instance_id)
    winners = [u for u, r in out.items() if r == "won"]
    losers = [r for r in out.values() if r != "won"]
    assert len(winners) == 1, out
    assert len(losers) == 1 and isinstance(losers[0], Conflict), out
    with db.session_scope() as s:
        inst = s.get(ApprovalInstance, instance_id)
        assert inst.status == "approved"
        tasks = {
            t.user_id: t.status for t in s.scalars(select(ApprovalTask).where(ApprovalTask.instance_id == instance_id))
        }
        assert tasks[winners[0]] == "approved" and list(tasks.values()).count("approved") == 1
        assert docs.states_of(doc_id) == ["in_approval", "approved"]  # the domain heard "approved" once


@pytest.mark.parametrize("race", ["all"], indirect=True)
def test_two_countersign_approvers_at_once_never_lose_or_double_count(race, ids, docs):
    instance_id, _doc_id = race
    out = _race(ids, instance_id)
    assert all(r == "won" or isinstance(r, Conflict) for r in out.values()), out
    winners = [u for u, r in out.items() if r == "won"]
    assert winners, out
    with db.session_scope() as s:
        inst = s.get(ApprovalInstance, instance_id)
        statuses = list(s.scalars(select(ApprovalTask.status).where(ApprovalTask.instance_id == instance_id)))
        assert statuses.count("approved") == len(winners)
        # approved exactly when both approved; otherwise the loser's task is still there to approve
        assert (inst.status == "approved") == (len(winners) == 2)
        if db.engine.dialect.name == "postgresql":
            assert len(winners) == 2  # the second waits for the first's row lock, then counts


@pytest.mark.parametrize("race", ["any"], indirect=True)
def test_a_decision_from_a_stale_view_is_409(race, ids, docs):
    """The loser read the step as open before the winner committed (SQLite: "database is locked" on its write,
    PostgreSQL: the conditional UPDATE matches no row) and gets a 409, not a 500."""
    instance_id, _doc_id = race
    loser = db.SessionLocal(bind=db.engine)
    try:
        loser_scope = scope_of(loser, ids["sr1"])
        assert service.get(loser, loser_scope, instance_id).status == "pending"  # the loser's view: still open
        with db.session_scope() as winner:
            service.approve(winner, scope_of(winner, ids["director"]), instance_id)
        with pytest.raises(LoamError) as err:
            service.approve(loser, loser_scope, instance_id)
        assert err.value.status_code == 409
    finally:
        loser.rollback()
        loser.close()
    with db.session_scope() as s:
        decided = s.scalars(
            select(ApprovalTask.user_id).where(
                ApprovalTask.instance_id == instance_id, ApprovalTask.status == "approved"
            )
        )
        assert list(decided) == [ids["director"]]
