"""The dashboard shows the caller's real numbers, and they move when the data does."""

from __future__ import annotations

import re
from datetime import timedelta

from loam.customers import service as customer_service
from loam.customers.schemas import CustomerUpdate
from loam.dashboard import service
from loam.db import utcnow
from loam.leads import service as lead_service
from loam.leads.schemas import LeadCreate
from tests.helpers import login, make_customer, scope_of


def _stat(html: str, testid: str) -> int:
    m = re.search(rf'data-testid="{testid}">(?:<a[^>]*>)?(\d+)', html)
    assert m, testid
    return int(m.group(1))


def test_numbers_are_the_callers_own(session, ids):
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    before1, before2 = service.for_user(session, ar1), service.for_user(session, ar2)
    c = make_customer(session, ids["ar1"], "仪表盘客户")
    customer_service.update(
        session,
        ar1,
        c.id,
        CustomerUpdate(name=c.name, version=c.version, next_contact_at=utcnow() - timedelta(hours=1)),
    )
    lead_service.create(session, ar1, LeadCreate(name="王经理", company="仪表盘线索公司", next_contact_at=utcnow()))
    after1, after2 = service.for_user(session, ar1), service.for_user(session, ar2)
    assert after1.my_customers == before1.my_customers + 1
    assert after1.followups_due == before1.followups_due + 1
    assert after1.leads_today == before1.leads_today + 1
    assert (after2.my_customers, after2.followups_due, after2.leads_today) == (
        before2.my_customers,
        before2.followups_due,
        before2.leads_today,
    )


def test_page_shows_the_numbers(connection):
    c = login("ar2")
    html = c.get("/").text
    mine = _stat(html, "stat-my-customers")
    c.post("/customers", data={"name": "仪表盘页面客户", "csrf_token": c.csrf})
    assert _stat(c.get("/").text, "stat-my-customers") == mine + 1
