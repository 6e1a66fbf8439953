"""`loam demo --scale N`: exactly N opportunities and N/2 contracts more, with consistent links and numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam import db
from loam.contracts.models import Contract, ContractCounter
from loam.customers.models import Customer
from loam.kit.models import AuditLog
from loam.opportunities.models import Opportunity, StageMove
from loam.org.models import User
from loam.products.models import ProductLine
from loam.receivables.models import Receivable, ReceivableAllocation, ReceivablePlan
from tests.ops.scratch import WORKER, run_loam, scratch_database

N = 300
TABLES = (Opportunity, Contract, ReceivablePlan, Receivable, StageMove, AuditLog)


def counts(s: Session) -> dict[str, int]:
    return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in TABLES}


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, dict[str, int], dict[str, int], str]]:
    with scratch_database(tmp_path_factory.mktemp("scale"), f"loam_scale_{WORKER}") as url:
        result = run_loam(url, "demo")
        assert result.returncode == 0, result.stdout + result.stderr
        engine = db.make_engine(url)
        try:
            with Session(engine) as s:
                before = counts(s)
                s.rollback()
                result = run_loam(url, "demo", "--scale", str(N))
                assert result.returncode == 0, result.stdout + result.stderr
                yield s, before, counts(s), result.stdout
        finally:
            engine.dispose()


def test_adds_exactly_what_was_asked(scaled: tuple[Session, dict[str, int], dict[str, int], str]) -> None:
    _s, before, after, output = scaled
    assert after["opportunities"] - before["opportunities"] == N
    assert after["contracts"] - before["contracts"] == N // 2
    assert after["receivable_plans"] - before["receivable_plans"] >= N // 2 * 3 * 0.85  # three per approved/void
    assert after["receivables"] > before["receivables"]
    assert after["stage_moves"] - before["stage_moves"] >= N  # at least the entry of each
    assert f"Added {N:,} opportunities" in output


def test_links_owners_and_statuses_are_consistent(scaled: tuple[Session, dict[str, int], dict[str, int], str]) -> None:
    s = scaled[0]
    departments = dict(s.execute(select(User.id, User.department_id)).all())
    customers = {c.id: c for c in s.scalars(select(Customer))}
    opportunities = {o.id: o for o in s.scalars(select(Opportunity))}
    for o in opportunities.values():
        assert o.customer_id in customers and o.department_id == departments[o.owner_id]
        assert (o.closed_at is None) == (o.status == "open")
        assert o.lost_reason_id is not None if o.status in ("lost", "invalid") else o.lost_reason_id is None
        assert isinstance(o.amount, Decimal) and o.amount > 0
    contracts = list(s.scalars(select(Contract)))
    for c in contracts:
        assert c.customer_id in customers and c.department_id == departments[c.owner_id]
        assert (c.approved_at is not None) == (c.status in ("approved", "void"))
        assert (c.voided_at is not None) == (c.status == "void")
        if c.opportunity_id:
            linked = opportunities[c.opportunity_id]
            assert linked.customer_id == c.customer_id and linked.owner_id == c.owner_id
            assert c.status != "approved" or linked.status == "won"
    won = {o.id for o in opportunities.values() if o.status == "won"}
    assert won == {c.opportunity_id for c in contracts if c.opportunity_id and c.status == "approved"}
    numbers = [c.number for c in contracts]
    assert len(set(numbers)) == len(numbers)
    counters = dict(s.execute(select(ContractCounter.prefix, ContractCounter.value)).all())
    for number in numbers:
        assert int(number[-5:]) <= counters[number[:10]]


def test_plans_receipts_and_lines_add_up(scaled: tuple[Session, dict[str, int], dict[str, int], str]) -> None:
    s = scaled[0]
    contracts = {c.id: c for c in s.scalars(select(Contract))}
    planned: dict[int, Decimal] = defaultdict(Decimal)
    plan_amount = {}
    for p in s.scalars(select(ReceivablePlan)):
        assert p.contract_id in contracts and contracts[p.contract_id].status in ("approved", "void")
        planned[p.contract_id] += p.amount
        plan_amount[p.id] = p.amount
    assert all(total <= contracts[cid].amount for cid, total in planned.items())
    allocated: dict[int, Decimal] = defaultdict(Decimal)
    for a in s.scalars(select(ReceivableAllocation)):
        allocated[a.plan_id] += a.amount
    assert all(total <= plan_amount[pid] for pid, total in allocated.items())
    for r in s.scalars(select(Receivable)):
        assert r.contract_id in contracts and contracts[r.contract_id].status == "approved"
        assert r.allocated <= r.amount and (r.status != "approved" or r.approved_at is not None)
    lines = dict(
        s.execute(
            select(ProductLine.record_id, func.count())
            .where(ProductLine.entity == "contract")
            .group_by(ProductLine.record_id)
        ).all()
    )
    assert all(lines.get(cid) for cid in contracts)


def test_scaling_again_adds_more_with_fresh_numbers(
    scaled: tuple[Session, dict[str, int], dict[str, int], str],
) -> None:
    s, _before, after, _output = scaled
    url = s.get_bind().url.render_as_string(hide_password=False)
    result = run_loam(url, "demo", "--scale", "20")
    assert result.returncode == 0, result.stderr
    s.rollback()
    again = counts(s)
    assert again["opportunities"] - after["opportunities"] == 20 and again["contracts"] - after["contracts"] == 10
    numbers = list(s.scalars(select(Contract.number)))
    assert len(set(numbers)) == len(numbers)
