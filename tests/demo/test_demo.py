"""`loam demo`: the demo company loads into a fresh database of its own (tests/demo/conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from loam import db
from loam.activities.models import FollowUp
from loam.auth import service as auth_service
from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.customers.schemas import CustomerFilters
from loam.demo.data import DEMO_USERS
from loam.demo.org import DEMO_PASSWORD
from loam.kit import normalize
from loam.kit.models import CustomField
from loam.leads.models import Lead
from loam.org.models import User
from loam.pools.models import Pool
from tests.demo.conftest import Demo
from tests.ops.scratch import run_loam


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def visible(session: Session, username: str) -> list[Customer]:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    scope = authz_service.build_scope(session, user)
    out: list[Customer] = []
    page = 1
    while True:
        rows, total = customer_service.list_page(session, scope, CustomerFilters(), page, 200)
        out += rows
        if len(out) >= total or not rows:
            return out
        page += 1


def test_loads_a_realistic_company_and_prints_a_summary(demo: Demo, s: Session) -> None:
    assert count(s, Customer) >= 200
    assert count(s, Contact) >= 1000
    assert count(s, FollowUp) >= 3000
    assert count(s, Pool) >= 2
    assert count(s, Lead) >= 50
    assert count(s, User) == len(DEMO_USERS)
    assert {f.key for f in s.scalars(select(CustomField))} >= {"code", "network_scale", "wechat"}
    assert "loaded in" in demo.output and DEMO_PASSWORD in demo.output
    assert "customers" in demo.output and "ar1" in demo.output
    print(f"demo load (subprocess, incl. interpreter start and migrations): {demo.seconds:.1f} s")


def test_every_demo_user_can_log_in(s: Session) -> None:
    for username in DEMO_USERS:
        assert auth_service.authenticate(s, username, DEMO_PASSWORD).username == username


def test_if_empty_is_a_no_op_and_plain_demo_refuses(demo: Demo, s: Session) -> None:
    before = (count(s, Customer), count(s, FollowUp), count(s, User))
    again = run_loam(demo.url, "demo", "--if-empty")
    assert again.returncode == 0, again.stderr
    assert "not loaded" in again.stdout
    refused = run_loam(demo.url, "demo")
    assert refused.returncode == 1
    assert "--reset" in refused.stderr
    s.rollback()
    assert (count(s, Customer), count(s, FollowUp), count(s, User)) == before


def test_ar1_and_ar2_do_not_see_each_others_customers(s: Session) -> None:
    ids = {u.username: u.id for u in s.scalars(select(User))}
    ar1_sees, ar2_sees = visible(s, "ar1"), visible(s, "ar2")
    assert sum(c.owner_id == ids["ar1"] for c in ar1_sees) >= 50
    assert sum(c.owner_id == ids["ar2"] for c in ar2_sees) >= 50
    assert not [c for c in ar1_sees if c.owner_id == ids["ar2"]]
    # ar2 sees exactly those of ar1's customers where ar2 is a team member (协作人).
    shared = set(
        s.scalars(
            select(RecordMember.record_id).where(RecordMember.entity == "customer", RecordMember.user_id == ids["ar2"])
        )
    )
    assert shared
    assert {c.id for c in ar2_sees if c.owner_id == ids["ar1"]} == shared
    # Both see pool customers (owner NULL) only of pools they belong to.
    industry_pool = s.scalar(select(Pool.id).where(Pool.name == "行业客户公海"))
    assert not [c for c in ar1_sees if c.owner_id is None and c.pool_id == industry_pool]
    assert [c for c in ar2_sees if c.owner_id is None and c.pool_id == industry_pool]


def test_derived_fields_are_consistent(s: Session) -> None:
    customers = list(s.scalars(select(Customer)))
    latest = dict(
        s.execute(select(FollowUp.customer_id, func.max(FollowUp.occurred_at)).group_by(FollowUp.customer_id)).all()
    )
    departments = dict(s.execute(select(User.id, User.department_id)).all())
    for c in customers:
        assert c.name_norm == normalize.company(c.name)
        assert c.phone_norm == normalize.phone(c.phone)
        assert c.last_followup_at == latest[c.id]
        if c.owner_id is None:
            assert c.pool_id is not None and c.previous_owner_id is not None and c.released_at is not None
        else:
            assert c.department_id == departments[c.owner_id] and c.owner_since is not None
    assert len({c.custom["code"] for c in customers}) == len(customers)  # the unique custom field holds
    assert sum(c.owner_id is None for c in customers) >= 10
    assert sum(c.locked for c in customers) >= 3
    assert sum(c.deal_status == "closed" for c in customers) >= 20
    now = db.utcnow()
    stale = [
        c
        for c in customers
        if c.owner_id and not c.locked and c.deal_status == "none" and c.last_followup_at < now - timedelta(days=30)
    ]
    assert len(stale) >= 5  # work for the pool rules

    boss = s.execute(
        select(Contact.customer_id, Contact.level, Contact.phone, Contact.phone_norm, Contact.reports_to_id)
    ).all()
    customer_of = dict(s.execute(select(Contact.id, Contact.customer_id)).all())
    for customer_id, _level, phone, phone_norm, reports_to in boss:
        assert phone.startswith(("13", "15", "18")) and len(phone) == 11
        assert phone_norm == "+86" + phone
        assert reports_to is None or customer_of[reports_to] == customer_id
    levels = [level for _c, level, *_rest in boss]
    assert levels.count("staff") > levels.count("middle") > levels.count("executive") > 0


def test_some_leads_are_due_today(s: Session) -> None:
    leads = list(s.scalars(select(Lead).where(Lead.status == "open")))
    end_of_today = customer_service.end_of_today()
    start_of_today = end_of_today - timedelta(days=1)
    due_today = [
        lead for lead in leads if lead.next_contact_at and start_of_today < lead.next_contact_at <= end_of_today
    ]
    assert len(due_today) >= 3
    assert len({lead.source for lead in leads}) >= 4 and {lead.grade for lead in leads} == {"A", "B", "C"}


def test_reset_reloads_the_same_company(demo: Demo, s: Session) -> None:
    from loam.contracts.models import Contract
    from loam.opportunities.models import Opportunity

    def snapshot() -> tuple[list[tuple[str, str | None]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        names = dict(s.execute(select(User.id, User.username)).all())
        customers = sorted((c.name, names.get(c.owner_id)) for c in s.scalars(select(Customer)))
        deals = sorted(s.execute(select(Opportunity.name, Opportunity.amount, Opportunity.status)).all())
        papers = sorted(s.execute(select(Contract.name, Contract.amount, Contract.status)).all())
        return customers, deals, papers

    before = snapshot()
    assert before[1] and before[2]
    s.rollback()
    result = run_loam(demo.url, "demo", "--reset")
    assert result.returncode == 0, result.stderr
    s.expire_all()
    assert snapshot() == before  # a fixed seed: the same customers, owners, deals and contracts
    assert count(s, User) == len(DEMO_USERS)
    # Rows the migrations seed stay: the OA request types, and the token row the scope cache is keyed on.
    assert s.scalar(text("SELECT count(*) FROM oa_types")) == 6
    assert s.scalar(text("SELECT count(*) FROM authz_state")) == 1
