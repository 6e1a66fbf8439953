"""The stored ``receivable_plans.received``: exactly what approved live receipts allocate to each plan, after
every change that can move it (approval, rejection, delete / restore / purge — directly and through the recycle
bin — partial allocations across periods), in `loam demo` and `loam demo --scale`, and after the migration's
backfill. Every check compares the stored column with the definition recomputed here in plain SQL."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Numeric, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from loam import db
from loam.receivables import plans, service
from loam.receivables import repository as repo
from loam.receivables.models import ReceivablePlan
from loam.receivables.schemas import PlanUpdate
from loam.recycle import service as recycle_service
from tests.helpers import scope_of
from tests.ops.scratch import WORKER, on_postgresql, run_loam, scratch_database
from tests.receivables.factories import D, decide_all, make_contract, make_plan, make_receipt

MONEY = Numeric(18, 2)
# The definition, written out independently of the code under test (the former column_property).
RECOMPUTED = """
SELECT p.id AS id, p.received AS stored, ROUND(COALESCE((
    SELECT SUM(a.amount) FROM receivable_allocations a JOIN receivables r ON r.id = a.receivable_id
    WHERE a.plan_id = p.id AND r.status = 'approved' AND r.deleted_at IS NULL
), 0), 2) AS expected
FROM receivable_plans p
"""
MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "20261203_i4k_plan_received.py"


def stored(session: Session, *plan_ids: int) -> list[Decimal]:
    """The column as the database holds it (flushes first), in the order asked."""
    stmt = select(ReceivablePlan.id, ReceivablePlan.received).where(ReceivablePlan.id.in_(plan_ids))
    rows = {int(i): v for i, v in session.execute(stmt)}
    return [rows[i] for i in plan_ids]


def mismatches(conn: Connection | Session, plan_ids: list[int] | None = None) -> list[tuple[int, Decimal, Decimal]]:
    """(id, stored, expected) of every plan (or of ``plan_ids``) whose stored value differs from the definition."""
    stmt = text(RECOMPUTED).columns(id=MONEY, stored=MONEY, expected=MONEY)
    rows = [(int(i), s, e) for i, s, e in conn.execute(stmt)]
    return [r for r in rows if r[1] != r[2] and (plan_ids is None or r[0] in plan_ids)]


@pytest.fixture
def deal(session, ids):
    """An approved contract of ar1 for 1,000.00 with periods of 300 (Jan), 400 (Feb) and 300 (Mar)."""
    c = make_contract(session, ids["ar1"], "1000.00")
    p1 = make_plan(session, ids["ar1"], c.id, date(2027, 1, 31), "300.00")
    p2 = make_plan(session, ids["ar1"], c.id, date(2027, 2, 28), "400.00")
    p3 = make_plan(session, ids["ar1"], c.id, date(2027, 3, 31), "300.00")
    return c, p1.id, p2.id, p3.id


def test_a_new_plan_has_received_nothing(session, ids, deal):
    _c, p1, p2, p3 = deal
    assert stored(session, p1, p2, p3) == [D("0.00")] * 3


def test_approval_counts_the_receipt_on_every_plan_it_pays_and_updates_loaded_plans(session, ids, deal):
    c, p1, p2, p3 = deal
    scope = scope_of(session, ids["ar1"])
    r = make_receipt(session, ids["ar1"], c.id, "550.00")  # oldest due first: 300 → p1, 250 → p2
    loaded = session.get(ReceivablePlan, p1)
    assert loaded.received == D("0.00")
    service.submit(session, scope, r.id)
    assert stored(session, p1, p2, p3) == [D("0.00")] * 3  # in approval: not received yet
    decide_all(session, "receivable", r.id)
    assert stored(session, p1, p2, p3) == [D("300.00"), D("250.00"), D("0.00")]
    assert loaded.received == D("300.00")  # the plan already in the session is not stale
    assert (loaded.status_on(date(2027, 6, 1)), session.get(ReceivablePlan, p2).outstanding) == (
        "received",
        D("150.00"),
    )
    assert mismatches(session) == []


def test_a_rejected_receipt_stays_at_zero_until_it_is_approved(session, ids, deal):
    c, p1, p2, _p3 = deal
    scope = scope_of(session, ids["ar1"])
    r = make_receipt(session, ids["ar1"], c.id, "120.00", allocations=[{"plan_id": p2, "amount": "120"}])
    service.submit(session, scope, r.id)
    decide_all(session, "receivable", r.id, "reject")
    session.refresh(r)
    assert r.status == "rejected"
    assert stored(session, p1, p2) == [D("0.00"), D("0.00")]
    service.submit(session, scope, r.id)
    decide_all(session, "receivable", r.id)
    assert stored(session, p1, p2) == [D("0.00"), D("120.00")]
    assert mismatches(session) == []


def test_partial_allocations_of_several_receipts_across_several_plans(session, ids, deal):
    c, p1, p2, p3 = deal
    a = [{"plan_id": p1, "amount": "100.00"}, {"plan_id": p2, "amount": "33.33"}, {"plan_id": p3, "amount": "0.01"}]
    b = [{"plan_id": p2, "amount": "33.33"}, {"plan_id": p3, "amount": "33.34"}]
    make_receipt(session, ids["ar1"], c.id, "133.34", allocations=a, approve=True)
    make_receipt(session, ids["ar1"], c.id, "66.67", allocations=b, approve=True)
    make_receipt(session, ids["ar1"], c.id, "50.00", allocations=[{"plan_id": p1, "amount": "50"}])  # draft
    assert stored(session, p1, p2, p3) == [D("100.00"), D("66.66"), D("33.35")]
    assert mismatches(session) == []
    third = [{"plan_id": p2, "amount": "333.34"}]  # fills p2 exactly: 66.66 + 333.34 = 400.00
    make_receipt(session, ids["ar1"], c.id, "333.34", allocations=third, approve=True)
    assert stored(session, p2) == [D("400.00")]
    assert session.get(ReceivablePlan, p2).status_on(date(2027, 6, 1)) == "received"


@pytest.mark.parametrize("through_bin", [False, True], ids=["service", "recycle_bin"])
def test_delete_restore_and_purge_of_an_approved_receipt(session, ids, deal, through_bin):
    c, p1, p2, p3 = deal
    director, admin = scope_of(session, ids["director"]), scope_of(session, ids["admin"])
    spread = [{"plan_id": p1, "amount": "300"}, {"plan_id": p2, "amount": "100"}]
    r = make_receipt(session, ids["ar1"], c.id, "400.00", allocations=spread, approve=True)
    other = make_receipt(
        session, ids["ar1"], c.id, "50.00", allocations=[{"plan_id": p2, "amount": "50"}], approve=True
    )
    assert stored(session, p1, p2, p3) == [D("300.00"), D("150.00"), D("0.00")]

    service.delete_(session, director, r.id)  # the recycle bin has no "delete": the domain moves it there
    assert stored(session, p1, p2, p3) == [D("0.00"), D("50.00"), D("0.00")]
    if through_bin:
        recycle_service.restore(session, director, "receivable", r.id)
    else:
        service.restore(session, director, r.id)
    assert stored(session, p1, p2, p3) == [D("300.00"), D("150.00"), D("0.00")]

    service.delete_(session, director, r.id)
    assert stored(session, p1, p2, p3) == [D("0.00"), D("50.00"), D("0.00")]
    session.execute(text("UPDATE receivable_plans SET received = 9"))  # purging recomputes its plans too
    if through_bin:
        recycle_service.purge(session, admin, "receivable", r.id)
    else:
        service.purge(session, admin, r.id)
    assert stored(session, p1, p2) == [D("0.00"), D("50.00")]
    assert stored(session, p3) == [D("9.00")]  # not a plan of the purged receipt: untouched
    session.execute(text("UPDATE receivable_plans SET received = 0 WHERE id = :id"), {"id": p3})
    assert other.id is not None and mismatches(session) == []


def test_deleting_a_draft_or_rejected_receipt_changes_nothing(session, ids, deal):
    c, p1, _p2, _p3 = deal
    director = scope_of(session, ids["director"])
    make_receipt(session, ids["ar1"], c.id, "100.00", allocations=[{"plan_id": p1, "amount": "100"}], approve=True)
    draft = make_receipt(session, ids["ar1"], c.id, "20.00", allocations=[{"plan_id": p1, "amount": "20"}])
    service.delete_(session, director, draft.id)
    service.restore(session, director, draft.id)
    assert stored(session, p1) == [D("100.00")]


def test_a_restored_plan_is_exact_again(session, ids, deal):
    """Plan delete / restore (also through the recycle bin) recompute the plan, whatever it held."""
    _c, p1, _p2, _p3 = deal
    director = scope_of(session, ids["director"])
    session.execute(text("UPDATE receivable_plans SET received = 77 WHERE id = :id"), {"id": p1})
    recycle_service.list_deleted(session, director, "receivable_plan")
    plans.delete_(session, director, p1)
    assert stored(session, p1) == [D("0.00")]
    session.execute(text("UPDATE receivable_plans SET received = 77 WHERE id = :id"), {"id": p1})
    recycle_service.restore(session, director, "receivable_plan", p1)
    assert stored(session, p1) == [D("0.00")]


def test_refreshing_keeps_the_plans_version_and_update_time(session, ids, deal):
    """``received`` is derived: a plan form opened before a receipt was approved can still be saved."""
    c, p1, _p2, _p3 = deal
    plan = session.get(ReceivablePlan, p1)
    version, updated_at = plan.version, plan.updated_at
    make_receipt(session, ids["ar1"], c.id, "100.00", allocations=[{"plan_id": p1, "amount": "100"}], approve=True)
    plan = session.get(ReceivablePlan, p1)
    assert (plan.received, plan.version, plan.updated_at) == (D("100.00"), version, updated_at)
    data = PlanUpdate(version=version, due_on=plan.due_on, amount=D("250.00"))
    plans.update(session, scope_of(session, ids["ar1"]), p1, data)
    assert stored(session, p1) == [D("100.00")]


def test_the_lists_and_reports_read_the_stored_column(session, ids, deal):
    """Overdue, ageing and the status filter follow the column (set by hand here, as a stale value would be)."""
    from loam.receivables import ageing
    from loam.receivables.schemas import AgeingFilters, PlanFilters
    from loam.reports import service as report_service
    from loam.reports.schemas import ReportFilters

    c, p1, p2, p3 = deal
    admin = scope_of(session, ids["admin"])
    as_of = date(2027, 4, 15)  # all three periods overdue
    before = ageing.ageing(session, admin, as_of, AgeingFilters(contract_id=c.id))
    assert (before.count, before.amount) == (3, D("1000.00"))
    session.execute(text("UPDATE receivable_plans SET received = amount WHERE id = :id"), {"id": p1})
    session.execute(text("UPDATE receivable_plans SET received = 150 WHERE id = :id"), {"id": p2})
    after = ageing.ageing(session, admin, as_of, AgeingFilters(contract_id=c.id))
    assert (after.count, after.amount) == (2, D("550.00"))
    assert {p.id for p in ageing.overdue(session, admin, as_of, limit=50)} >= {p2, p3}
    assert p1 not in {p.id for p in ageing.overdue(session, admin, as_of, limit=50)}
    received, _n = plans.list_page(session, admin, PlanFilters(contract_id=c.id, status="received"), as_of=as_of)
    assert [p.id for p in received] == [p1]
    window = {"period": "custom", "date_from": date(2027, 1, 1), "date_to": date(2027, 3, 31)}
    report = report_service.run(session, admin, "receivables", ReportFilters(currency="CNY", **window))
    months = next(t for t in report.tables if t.key == "months")
    assert (months.total["planned"], months.total["collected"]) == (D("1000.00"), D("450.00"))


def test_refresh_of_every_plan_repairs_any_value(session, ids, deal):
    """``recompute_received()`` (the bulk loaders' one UPDATE) fixes plans with and without allocations."""
    c, p1, p2, p3 = deal
    make_receipt(session, ids["ar1"], c.id, "500.00", approve=True)  # 300 → p1, 200 → p2
    session.execute(text("UPDATE receivable_plans SET received = 1"))
    assert len(mismatches(session, [p1, p2, p3])) == 3
    service.recompute_received(session)
    assert stored(session, p1, p2, p3) == [D("300.00"), D("200.00"), D("0.00")]
    assert mismatches(session) == []


def test_refresh_of_no_plan_writes_nothing(session, ids, deal):
    _c, p1, _p2, _p3 = deal
    session.execute(text("UPDATE receivable_plans SET received = 5 WHERE id = :id"), {"id": p1})
    repo.refresh_received(session, [])
    assert stored(session, p1) == [D("5.00")]


# --- the migration and the demo loaders, on a database of their own ---


def migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i4k_plan_received", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_backfill_is_the_definition(session, ids, deal):
    """The migration's UPDATE on a freshly added column (0 everywhere) counts approved live receipts only."""
    c, p1, p2, p3 = deal
    make_receipt(session, ids["ar1"], c.id, "350.00", approve=True)  # 300 → p1, 50 → p2
    rejected = make_receipt(session, ids["ar1"], c.id, "10.00", allocations=[{"plan_id": p3, "amount": "10"}])
    service.submit(session, scope_of(session, ids["ar1"]), rejected.id)
    decide_all(session, "receivable", rejected.id, "reject")
    gone = make_receipt(session, ids["ar1"], c.id, "20.00", allocations=[{"plan_id": p3, "amount": "20"}], approve=True)
    service.delete_(session, scope_of(session, ids["director"]), gone.id)
    session.flush()
    session.execute(text("UPDATE receivable_plans SET received = 0"))
    session.execute(text(migration().BACKFILL))
    assert stored(session, p1, p2, p3) == [D("300.00"), D("50.00"), D("0.00")]
    assert mismatches(session) == []


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, int]]]:
    """A migrated database of its own with the demo org (ids by name), for tests that commit."""
    from loam import migrate
    from loam.demo import org as demo_org

    with scratch_database(tmp_path_factory.mktemp("received"), f"loam_received_{WORKER}") as url:
        migrate.upgrade(url)
        engine = db.make_engine(url)
        try:
            with Session(engine) as s:
                users = {k: v.id for k, v in vars(demo_org.build(s)).items()}
                s.commit()
            yield engine, users
        finally:
            engine.dispose()


def test_migration_down_and_up_backfills_the_same_values(scratch: tuple[Engine, dict[str, int]]) -> None:
    """Downgrade drops the index and the column (no table rebuild: the allocations stay); upgrade adds them
    back and the backfill gives every plan the same value as before — approved receipts only."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    engine, ids = scratch
    with Session(engine) as s:
        c = make_contract(s, ids["ar1"], "1000.00", name="迁移回填合同")
        p1, p2, p3 = (
            make_plan(s, ids["ar1"], c.id, date(2027, m, 28), a).id for m, a in ((1, "300"), (2, "300"), (3, "400"))
        )
        make_receipt(s, ids["ar1"], c.id, "450.00", approve=True)  # 300 → p1, 150 → p2
        make_receipt(s, ids["ar1"], c.id, "100.00", allocations=[{"plan_id": p3, "amount": "100"}])  # draft
        s.commit()
    module = migration()
    with engine.connect() as conn:
        before = dict(conn.execute(text("SELECT id, received FROM receivable_plans").columns(received=MONEY)).all())
    assert [before[p] for p in (p1, p2, p3)] == [D("300.00"), D("150.00"), D("0.00")]
    with engine.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            module.downgrade()
        names = {c["name"] for c in inspect(conn).get_columns("receivable_plans")}
        indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("receivable_plans")}
        assert "received" not in names and "ix_receivable_plans_open_due" not in indexes
        assert indexes["ix_receivable_plans_due_cover"] == ["due_on", "contract_id", "amount", "currency", "deleted_at"]
        assert conn.scalar(text("SELECT COUNT(*) FROM receivable_allocations")) == 3  # not cascade-deleted
        with Operations.context(MigrationContext.configure(conn)):
            module.upgrade()
    with engine.connect() as conn:
        after = dict(conn.execute(text("SELECT id, received FROM receivable_plans").columns(received=MONEY)).all())
        indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("receivable_plans")}
        assert indexes["ix_receivable_plans_open_due"] == ["due_on", "contract_id", "amount", "received", "currency"]
        assert indexes["ix_receivable_plans_due_cover"][3] == "received"
        assert mismatches(conn) == []
    assert after == before


@pytest.mark.skipif(not on_postgresql(), reason="SQLite serialises writers: no two approvals at once")
def test_two_approvals_at_once_on_one_plan_both_count(scratch: tuple[Engine, dict[str, int]]) -> None:
    """PostgreSQL, READ COMMITTED: the second approval waits for the first (contract lock) and sums both."""
    import threading

    from loam.authz.scope import Scope
    from loam.receivables.models import Receivable

    engine, ids = scratch
    with Session(engine) as s:
        c = make_contract(s, ids["ar1"], "1000.00", name="并发审批合同")
        plan_id = make_plan(s, ids["ar1"], c.id, date(2027, 1, 31), "300.00").id
        pair = [
            make_receipt(s, ids["ar1"], c.id, "10.00", allocations=[{"plan_id": plan_id, "amount": "10"}])
            for _ in range(2)
        ]
        for r in pair:
            service.submit(s, scope_of(s, ids["ar1"]), r.id)
            assert r.status == "in_approval"
        receipt_ids = [r.id for r in pair]
        s.commit()
    first_done, go_on, errors = threading.Event(), threading.Event(), []

    def approve(receipt_id: int, hold: bool) -> None:
        try:
            with Session(engine) as s:
                receipt = s.get(Receivable, receipt_id)
                service.apply_approval(s, Scope.system(), receipt, "approved")
                if hold:
                    first_done.set()
                    go_on.wait(10)
                s.commit()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
            first_done.set()

    first = threading.Thread(target=approve, args=(receipt_ids[0], True))
    first.start()
    assert first_done.wait(10)
    second = threading.Thread(target=approve, args=(receipt_ids[1], False))
    second.start()
    second.join(1.0)
    assert second.is_alive()  # waiting for the first transaction's contract lock
    go_on.set()
    first.join(10)
    second.join(10)
    assert errors == []
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT received FROM receivable_plans WHERE id = :id").columns(received=MONEY), {"id": plan_id}
        )
        assert got.scalar() == D("20.00")
        assert mismatches(conn) == []


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """`loam demo` (through the services) in a database of its own."""
    with scratch_database(tmp_path_factory.mktemp("received_demo"), f"loam_received_demo_{WORKER}") as url:
        result = run_loam(url, "demo")
        assert result.returncode == 0, result.stdout + result.stderr
        engine = db.make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


def test_demo_and_scaled_demo_store_what_was_received(demo_url: tuple[str, Engine]) -> None:
    url, engine = demo_url
    with engine.connect() as conn:
        assert mismatches(conn) == []
        paid = conn.scalar(text("SELECT COUNT(*) FROM receivable_plans WHERE received > 0"))
        waiting = conn.scalar(text("SELECT COUNT(*) FROM receivables WHERE status = 'in_approval'"))
    assert paid and paid > 20 and waiting  # the story approves receipts and leaves one waiting
    result = run_loam(url, "demo", "--scale", "200")
    assert result.returncode == 0, result.stdout + result.stderr
    with engine.connect() as conn:
        assert mismatches(conn) == []
        assert (conn.scalar(text("SELECT COUNT(*) FROM receivable_plans WHERE received > 0")) or 0) > paid
