"""Concurrent claims on a real, committed database: exactly one owner, and every loser gets a clean 409/404.

These tests do not use the rolled-back ``session`` fixture: each thread has its own committed session on
the engine, so the database itself arbitrates. The data is created in committed transactions and
removed in ``finally``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select

from loam import db
from loam.authz.models import RecordMember
from loam.customers.models import Customer
from loam.errors import Conflict, LoamError, NotFound
from loam.kit.models import AuditLog
from loam.notifications.models import Notification
from loam.pools import service
from loam.pools.models import Pool, PoolEvent, PoolMember
from loam.pools.schemas import PoolCreate
from tests.helpers import make_customer, scope_of


@pytest.fixture
def committed_pool_customer(ids) -> Iterator[tuple[int, int]]:
    """(pool id, customer id): a team1 pool (plus the director as a member) holding one customer, committed."""
    # tests/conftest.py resets SessionLocal to join_transaction_mode="conservative_savepoint", which SQLAlchemy 2.1
    # rejects; put back the real default so sessions on the engine can be created after other tests ran.
    db.SessionLocal.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    pool_id = customer_id = None
    try:
        with db.session_scope() as s:
            members = [{"department_id": ids["team1"]}, {"user_id": ids["director"]}]
            data = PoolCreate.model_validate({"name": "并发测试公海", "members": members})
            pool_id = service.create_pool(s, scope_of(s, ids["admin"]), data).id
            customer_id = make_customer(s, ids["ar1"], "并发领取客户").id
            service.release(s, scope_of(s, ids["ar1"]), customer_id, pool_id)
        yield pool_id, customer_id
    finally:
        with db.session_scope() as s:
            if customer_id is not None:
                s.execute(delete(PoolEvent).where(PoolEvent.customer_id == customer_id))
                s.execute(delete(AuditLog).where(AuditLog.entity == "customer", AuditLog.entity_id == customer_id))
                s.execute(
                    delete(RecordMember).where(RecordMember.entity == "customer", RecordMember.record_id == customer_id)
                )
                s.execute(
                    delete(Notification).where(Notification.entity == "customer", Notification.entity_id == customer_id)
                )
                s.execute(delete(Customer).where(Customer.id == customer_id))
            if pool_id is not None:
                s.execute(delete(AuditLog).where(AuditLog.entity == "pool", AuditLog.entity_id == pool_id))
                s.execute(delete(PoolMember).where(PoolMember.pool_id == pool_id))
                s.execute(delete(Pool).where(Pool.id == pool_id))


def _claim_in_thread(user_id: int, customer_id: int, barrier: threading.Barrier, out: dict[int, object]) -> None:
    session = db.SessionLocal(bind=db.engine)
    try:
        scope = scope_of(session, user_id)
        session.rollback()  # start the race from a fresh transaction
        barrier.wait(timeout=10)
        service.claim(session, scope, customer_id)
        session.commit()
        out[user_id] = "won"
    except BaseException as exc:  # noqa: BLE001 - recorded and asserted on by the test
        session.rollback()
        out[user_id] = exc
    finally:
        session.close()


def test_two_concurrent_claims_give_exactly_one_owner(committed_pool_customer, ids):
    _pool_id, customer_id = committed_pool_customer
    claimers = [ids["sr1"], ids["fr1"]]
    barrier = threading.Barrier(len(claimers))
    out: dict[int, object] = {}
    threads = [threading.Thread(target=_claim_in_thread, args=(u, customer_id, barrier, out)) for u in claimers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [u for u, r in out.items() if r == "won"]
    losers = [r for r in out.values() if r != "won"]
    assert len(winners) == 1, out
    # a loser saw the customer still unowned (409) or already someone else's (404); never a 500
    assert all(isinstance(r, Conflict | NotFound) for r in losers), out
    with db.session_scope() as s:
        assert s.scalar(select(Customer.owner_id).where(Customer.id == customer_id)) == winners[0]
        claims = s.scalars(select(PoolEvent).where(PoolEvent.customer_id == customer_id, PoolEvent.action == "claim"))
        assert len(list(claims)) == 1


def test_a_claim_from_a_stale_view_is_409(committed_pool_customer, ids):
    """The loser read the customer as unowned before the winner committed (SQLite: 'database is locked'
    on its write, PostgreSQL: the UPDATE matches no row) and gets a 409, not a 500."""
    _pool_id, customer_id = committed_pool_customer
    loser = db.SessionLocal(bind=db.engine)
    try:
        loser_scope = scope_of(loser, ids["director"])
        assert service.pool_customers(loser, loser_scope, _pool_id)[1] == 1  # the loser's view: still unowned
        with db.session_scope() as winner:
            service.claim(winner, scope_of(winner, ids["sr1"]), customer_id)
        with pytest.raises(LoamError) as err:
            service.claim(loser, loser_scope, customer_id)
        assert err.value.status_code == 409
    finally:
        loser.rollback()
        loser.close()
    with db.session_scope() as s:
        assert s.scalar(select(Customer.owner_id).where(Customer.id == customer_id)) == ids["sr1"]
