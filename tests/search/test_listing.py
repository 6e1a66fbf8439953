"""List counts stay cheap at any size: exact up to a cap, then "cap or more" (kit/listing.py)."""

from __future__ import annotations

from sqlalchemy import select

from loam.customers.models import Customer
from loam.kit import listing
from loam.kit.schemas import Page
from tests.helpers import login, make_customer


def test_count_is_exact_below_the_cap_and_flagged_above(session, ids, monkeypatch):
    for i in range(7):
        make_customer(session, ids["ar1"], f"计数测试{i}")
    stmt = select(Customer).where(Customer.name.like("计数测试%")).order_by(Customer.id)
    rows, total = listing.paginate(session, stmt, 1, 3)
    assert len(rows) == 3 and total == 7 and not total.capped
    rows, total = listing.paginate(session, stmt, 3, 3)  # the last page knows the count without counting
    assert len(rows) == 1 and total == 7
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    rows, total = listing.paginate(session, stmt, 1, 3)
    assert total == 5 and total.capped
    page = Page[int](items=[1], total=total, page=1, page_size=3)
    assert page.total == 5 and page.total_capped
    assert Page[int](items=[], total=2, page=1, page_size=3).total_capped is False


def test_pager_shows_cap_plus(connection, session, ids, monkeypatch):
    for i in range(30):
        make_customer(session, ids["ar1"], f"分页计数{i}")
    monkeypatch.setattr(listing, "COUNT_CAP", 26)
    page = login("ar1").get("/customers", params={"q": "分页计数"})
    assert page.status_code == 200
    assert "26+" in page.text
