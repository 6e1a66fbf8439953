"""The demo company's opportunity-to-cash story: what a newcomer needs to find in a fresh `loam demo`."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam import db
from loam.approvals import reads as approval_reads
from loam.approvals.models import ApprovalInstance
from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.scope import Scope
from loam.config import settings
from loam.contracts.models import Contract, ContractCounter
from loam.kit.models import AuditLog
from loam.opportunities import service as opportunity_service
from loam.opportunities.models import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityContact,
    PipelineStage,
    StageMove,
)
from loam.opportunities.schemas import OpportunityFilters
from loam.org.models import Department, User
from loam.products.models import Product, ProductCategory, ProductLine
from loam.receivables import service as receivable_service
from loam.receivables.models import Invoice, Receivable, ReceivablePlan
from loam.reports import service as report_service
from loam.reports.models import SalesTarget
from loam.reports.schemas import ReportFilters
from tests.demo.conftest import Demo

NUMBER = re.compile(r"^HT-(\d{4})(\d{2})-\d{5}$")


def scope_of(s: Session, username: str) -> Scope:
    user = s.scalar(select(User).where(User.username == username))
    assert user is not None
    return authz_service.build_scope(s, user)


def test_the_summary_names_the_new_records(demo: Demo) -> None:
    for key in ("products", "opportunities", "contracts", "receivable_plans", "receivables", "sales_targets"):
        assert key in demo.output, demo.output
    print(f"demo load (subprocess, incl. interpreter start and migrations): {demo.seconds:.1f} s")


def test_a_product_catalogue_in_categories(s: Session) -> None:
    categories = set(s.scalars(select(ProductCategory.name)))
    assert {"无线", "传输", "数通", "云与软件", "服务"} <= categories
    products = list(s.scalars(select(Product)))
    assert len(products) >= 20
    assert all(p.list_price > 0 and p.currency == "CNY" and p.unit for p in products)
    assert {p.status for p in products} == {"active", "inactive"}
    retired = next(p for p in products if p.status == "inactive")
    used = s.scalar(select(func.count()).select_from(ProductLine).where(ProductLine.product_id == retired.id))
    assert used, "the discontinued product still sits on the lines of earlier deals"


def test_opportunities_in_every_stage_with_their_history(s: Session) -> None:
    opportunities = list(s.scalars(select(Opportunity)))
    assert 50 <= len(opportunities) <= 70
    statuses = Counter(o.status for o in opportunities)
    assert statuses["won"] >= 10 and statuses["lost"] >= 5 and statuses["invalid"] >= 2 and statuses["open"] >= 20
    kinds = dict(s.execute(select(PipelineStage.id, PipelineStage.kind)).all())
    open_stages = {o.stage_id for o in opportunities if o.status == "open"}
    assert len(open_stages) == 4 and all(kinds[i] == "open" for i in open_stages)
    assert all(o.lost_reason_id for o in opportunities if o.status in ("lost", "invalid"))
    assert all(o.closed_at for o in opportunities if o.status != "open")
    assert all(o.amount_from_lines and o.amount > 0 for o in opportunities)
    moves = list(s.scalars(select(StageMove).order_by(StageMove.opportunity_id, StageMove.at, StageMove.id)))
    now = db.utcnow()
    assert now - min(m.at for m in moves) > timedelta(days=300), "history spread over the past year"
    assert max(m.at for m in moves) < now
    by_opportunity: dict[int, list[StageMove]] = defaultdict(list)
    for move in moves:
        by_opportunity[move.opportunity_id].append(move)
    for opportunity in opportunities:
        history = by_opportunity[opportunity.id]
        assert history[0].from_stage_id is None and history[0].at == opportunity.created_at
        assert history[-1].to_stage_id == opportunity.stage_id and history[-1].at == opportunity.stage_entered_at
        for before, after in itertools.pairwise(history):
            assert after.from_stage_id == before.to_stage_id
            assert after.duration_seconds == int((after.at - before.at).total_seconds()) >= 0
    assert sum(len(h) > 3 for h in by_opportunity.values()) >= 15


def test_opportunities_have_contacts_competitors_and_a_team(s: Session) -> None:
    roles = Counter(s.scalars(select(OpportunityContact.role)))
    assert roles["decision_maker"] >= 50 and len(roles) >= 4
    competitors = list(s.scalars(select(OpportunityCompetitor)))
    assert {c.name for c in competitors} >= {"中兴通讯", "新华三"} and "华为" not in {c.name for c in competitors}
    assert all(c.quoted_price and c.quoted_price > 0 for c in competitors)
    assert {c.status for c in competitors} == {"active", "eliminated", "won"}
    team = Counter(s.scalars(select(RecordMember.role).where(RecordMember.entity == "opportunity")))
    assert team["SR"] >= 40 and team["FR"] >= 20 and team["AR"] >= 1


def test_the_history_happened_when_the_story_says(s: Session) -> None:
    created = dict(s.execute(select(Opportunity.id, Opportunity.created_at)).all())
    rows = s.execute(select(AuditLog.entity_id, AuditLog.at).where(AuditLog.entity == "opportunity")).all()
    assert all(at >= created[i] for i, at in rows)
    first = dict(
        s.execute(
            select(AuditLog.entity_id, func.min(AuditLog.at))
            .where(AuditLog.entity == "opportunity", AuditLog.action == "create")
            .group_by(AuditLog.entity_id)
        ).all()
    )
    assert first == created


def test_approved_contracts_numbered_by_their_month(s: Session) -> None:
    contracts = list(s.scalars(select(Contract)))
    assert 25 <= len(contracts) <= 40
    assert Counter(c.status for c in contracts).keys() >= {"approved", "in_approval", "rejected", "void", "draft"}
    assert len({c.number for c in contracts}) == len(contracts)
    tz = ZoneInfo(settings.timezone)
    per_prefix: dict[str, int] = Counter()
    for c in contracts:
        match = NUMBER.match(c.number)
        assert match, c.number
        local = c.created_at.astimezone(tz)
        assert (int(match[1]), int(match[2])) == (local.year, local.month)
        per_prefix[c.number[:10]] = max(per_prefix[c.number[:10]], int(c.number[-5:]))
    assert dict(s.execute(select(ContractCounter.prefix, ContractCounter.value)).all()) == per_prefix
    approved = [c for c in contracts if c.status == "approved"]
    assert len(approved) >= 20 and all(c.approved_at and c.signed_on for c in approved)
    won = {o.id: o for o in s.scalars(select(Opportunity).where(Opportunity.status == "won"))}
    linked = [c for c in approved if c.opportunity_id]
    assert {c.opportunity_id for c in linked} == set(won)
    for c in linked:
        assert won[c.opportunity_id].customer_id == c.customer_id and won[c.opportunity_id].amount == c.amount
    ids = [c.id for c in approved]
    instances = s.scalars(select(ApprovalInstance).where(ApprovalInstance.doc_type == "contract"))
    assert {i.doc_id for i in instances if i.status == "approved"} >= set(ids)


def test_the_director_and_finance_have_approvals_waiting(s: Session) -> None:
    assert approval_reads.counts(s, scope_of(s, "director"))["pending"] >= 2
    assert approval_reads.counts(s, scope_of(s, "finance1"))["pending"] >= 1
    waiting = s.scalars(select(Receivable).where(Receivable.status == "in_approval")).all()
    assert len(waiting) == 1


def test_receivables_with_overdue_plans_in_every_bucket(s: Session) -> None:
    ageing = receivable_service.ageing(s, scope_of(s, "admin"))
    assert [b.key for b in ageing.buckets] == ["0-30", "31-60", "61-90", "90+"]
    assert all(b.count >= 1 for b in ageing.buckets), ageing.buckets
    plans = list(s.scalars(select(ReceivablePlan)))
    assert {p.milestone for p in plans} >= {"prepayment", "arrival", "acceptance", "final"}
    assert any(p.site for p in plans)
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for p in plans:
        planned[p.contract_id] += p.amount
    amounts = dict(s.execute(select(Contract.id, Contract.amount)).all())
    assert all(total <= amounts[cid] for cid, total in planned.items())
    assert s.scalar(select(func.count()).select_from(Receivable).where(Receivable.status == "approved")) >= 20
    invoices = Counter(s.scalars(select(Invoice.status)))
    assert invoices["issued"] >= 5 and invoices["not_issued"] >= 1


def test_targets_for_this_year(s: Session) -> None:
    year = db.utcnow().year
    ids = dict(s.execute(select(User.username, User.id)).all())
    account = s.scalar(select(Department.id).where(Department.name == "广西电信系统部"))
    targets = list(s.scalars(select(SalesTarget).where(SalesTarget.year == year)))
    subjects = {(t.metric, t.user_id, t.department_id) for t in targets}
    for metric in ("contract_amount", "receipts"):
        assert {(metric, ids["ar1"], None), (metric, ids["ar2"], None), (metric, None, account)} <= subjects
    assert all(t.total > 0 for t in targets)


def test_ar1_sees_own_and_team_deals_and_the_reports_have_numbers(s: Session) -> None:
    ar1 = scope_of(s, "ar1")
    rows, total = opportunity_service.list_page(s, ar1, OpportunityFilters(), 1, 200)
    shared = set(
        s.scalars(
            select(RecordMember.record_id).where(
                RecordMember.entity == "opportunity", RecordMember.user_id == ar1.user_id
            )
        )
    )
    assert total == len(rows) and rows
    assert all(o.owner_id == ar1.user_id or o.id in shared for o in rows)
    director = scope_of(s, "director")
    for name in ("funnel", "winrate", "receivables"):
        report = report_service.run(s, director, name, ReportFilters(period="last_12_months"))
        assert any(t.rows for t in report.tables), name


def test_the_computed_probability_is_filled_in(s: Session) -> None:
    open_ones = list(s.scalars(select(Opportunity).where(Opportunity.status == "open")))
    assert sum(o.computed_probability is not None for o in open_ones) == len(open_ones)
