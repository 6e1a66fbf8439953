"""Contract numbers: pattern rendering, period reset, and uniqueness under concurrency (threads, separate
connections, committed transactions — the way concurrent requests really run)."""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import OperationalError

from loam import db
from loam.contracts import numbering
from loam.contracts.models import ContractCounter
from loam.errors import Invalid


def test_render_tokens() -> None:
    day = date(2026, 12, 3)
    assert numbering.render("HT-{yyyy}{mm}-{seq:05}", day, 7) == "HT-202612-00007"
    assert numbering.render("{yy}{mm}{dd}/{seq:03}", day, 12) == "261203/012"
    assert numbering.render("C{seq}", day, 123456) == "C123456"
    assert numbering.render("HT-{seq:02}", day, 345) == "HT-345"  # the width is a minimum


def test_prefix_is_the_period_key() -> None:
    assert numbering.prefix("HT-{yyyy}{mm}-{seq:05}", date(2026, 12, 31)) == "HT-202612-{seq:05}"
    assert numbering.prefix("HT-{yyyy}{mm}-{seq:05}", date(2027, 1, 1)) == "HT-202701-{seq:05}"
    assert numbering.prefix("HT-{yyyy}-{seq:05}", date(2026, 3, 1)) == numbering.prefix(
        "HT-{yyyy}-{seq:05}", date(2026, 11, 1)
    )


@pytest.mark.parametrize(
    "pattern",
    ["HT-{yyyy}", "HT-{seq}-{seq:03}", "HT-{month}-{seq}", "HT-{seq:05", "HT-}{seq}", "X" * 36 + "{seq:05}"],
)
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(Invalid):
        numbering.validate(pattern)


def test_sequence_resets_per_period(session) -> None:
    tag = uuid.uuid4().hex[:6]
    pattern = f"T{tag}-{{yyyy}}{{mm}}-{{seq:04}}"
    dec, jan = date(2026, 12, 20), date(2027, 1, 2)
    assert numbering.allocate(session, pattern, dec) == f"T{tag}-202612-0001"
    assert numbering.allocate(session, pattern, dec) == f"T{tag}-202612-0002"
    assert numbering.allocate(session, pattern, jan) == f"T{tag}-202701-0001"
    assert numbering.allocate(session, pattern, dec) == f"T{tag}-202612-0003"
    yearly = f"Y{tag}-{{yyyy}}-{{seq:03}}"
    assert numbering.allocate(session, yearly, dec) == f"Y{tag}-2026-001"
    assert numbering.allocate(session, yearly, date(2026, 1, 1)) == f"Y{tag}-2026-002"
    assert numbering.current(session, pattern, dec) == 3


def _allocate_in_threads(pattern: str, day: date, n: int) -> tuple[list[str], list[BaseException]]:
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(n)
    lock = threading.Lock()

    def work() -> None:
        try:
            start.wait(timeout=30)
            with db.session_scope() as s:  # its own connection and transaction, committed
                number = numbering.allocate(s, pattern, day)
            with lock:
                numbers.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return numbers, errors


def test_concurrent_allocations_are_distinct_and_consecutive() -> None:
    """N threads, each with its own connection, allocating at once — including the very first number, when the
    counter row does not exist yet and every thread races to create it."""
    tag = uuid.uuid4().hex[:8]
    pattern = f"C{tag}-{{yyyy}}-{{seq:04}}"
    day = date(2026, 12, 3)
    n = 12
    try:
        numbers, errors = _allocate_in_threads(pattern, day, n)
        assert not errors, errors
        expected = {numbering.render(pattern, day, i) for i in range(1, n + 1)}
        assert sorted(numbers) == sorted(expected)
    finally:
        with db.session_scope() as s:
            s.execute(delete(ContractCounter).where(ContractCounter.prefix.like(f"C{tag}-%")))


def test_concurrent_contract_creations_get_distinct_consecutive_numbers(ids) -> None:
    """Whole contract creations through the service, each in its own committed transaction at the same time."""
    from sqlalchemy import func, select

    from loam.contracts import options, service
    from loam.contracts.models import Contract
    from loam.contracts.schemas import ContractCreate
    from loam.kit.models import AuditLog
    from tests.helpers import make_customer, scope_of

    tag = uuid.uuid4().hex[:6]
    pattern = f"K{tag}-{{seq:03}}"
    with db.session_scope() as s:
        first_audit = int(s.scalar(select(func.max(AuditLog.id))) or 0)  # every audit row after it is this test's
        customer_id = make_customer(s, ids["ar1"], f"并发客户{tag}").id
        admin = scope_of(s, ids["admin"])
        before = options.load(s)
        options.save(s, admin, before.model_copy(update={"number_pattern": pattern}))
    n, numbers, errors = 8, [], []
    start, lock = threading.Barrier(n), threading.Lock()

    def work(i: int) -> None:
        try:
            start.wait(timeout=30)
            for attempt in range(20):
                try:
                    with db.session_scope() as s:
                        c = service.create(
                            s, scope_of(s, ids["ar1"]), ContractCreate(name=f"并发{i}", customer_id=customer_id)
                        )
                        number = c.number
                    break
                except OperationalError:  # SQLite: "database is locked" for a reader turned writer — retried
                    if attempt == 19:
                        raise
            with lock:
                numbers.append(number)
        except BaseException as exc:  # noqa: BLE001
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        assert sorted(numbers) == [f"K{tag}-{i:03d}" for i in range(1, n + 1)]
    finally:
        with db.session_scope() as s:
            from loam.customers.models import Customer

            s.execute(delete(Contract).where(Contract.customer_id == customer_id))
            s.execute(delete(ContractCounter).where(ContractCounter.prefix.like(f"K{tag}-%")))
            options.save(s, scope_of(s, ids["admin"]), before)
            s.execute(delete(Customer).where(Customer.id == customer_id))
            # audit rows of the committed records (customer, contracts, settings) would haunt later tests that
            # get the same ids
            s.execute(delete(AuditLog).where(AuditLog.id > first_audit))
