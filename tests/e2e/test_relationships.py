"""The customer's relationship page in a real browser (DESIGN.md R29): every section loads, the coverage heat map
draws from the grid, the single-thread cell is marked with who covers it, and the health section shows its number."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _api(pg, method: str, path: str, body: dict) -> dict:  # type: ignore[no-untyped-def]
    token = json.loads(pg.locator("body").get_attribute("hx-headers"))["X-CSRF-Token"]
    r = pg.request.fetch(path, method=method, data=json.dumps(body),
                           headers={"Content-Type": "application/json", "X-CSRF-Token": token})  # fmt: skip
    assert r.ok, r.text()
    return r.json()


def test_open_the_coverage_heat_map(page, shots) -> None:  # type: ignore[no-untyped-def]
    login(page, "ar1")
    customer = _api(page, "POST", "/api/v1/customers", {"name": "覆盖热力图浏览器客户", "industry": "telecom"})
    cid = customer["id"]
    chief = _api(
        page,
        "POST",
        "/api/v1/contacts",
        {"customer_id": cid, "name": "韦总", "level": "executive", "dept_name": "网络部"},
    )
    visit = {"customer_id": cid, "kind": "visit", "content": "规划交流", "contact_ids": [chief["id"]]}
    _api(page, "POST", "/api/v1/followups", visit)

    page.goto(f"/customers/{customer['id']}/relationships")
    card = page.get_by_test_id("coverage-card")
    expect(card).to_be_visible()
    chart = page.get_by_test_id("coverage-chart")
    expect(chart).to_have_attribute("data-rendered", "true")  # ECharts drew the heat map
    expect(chart.locator("canvas").first).to_be_visible()
    # The telecom template's ten departments are rows, so the empty ones show as gaps.
    expect(page.get_by_test_id("coverage-row")).to_have_count(10)
    planning = page.get_by_test_id("coverage-row").filter(has_text="网络部")
    executive = planning.get_by_test_id("cell-0")
    expect(executive).to_have_attribute("data-state", "single")  # covered, but by ar1 alone
    expect(executive.get_by_test_id("coverers")).to_have_text("李明")
    # 1 of 10 executive cells (weight 3) out of 10 × (3 + 2 + 1) = 60: 3 / 60 = 5 % → 5, grade D.
    expect(page.get_by_test_id("coverage-score")).to_have_text("5")
    expect(page.get_by_test_id("coverage-grade")).to_contain_text("D")
    expect(page.get_by_test_id("rel-health")).not_to_contain_text("…")  # the health section loaded too
    page.screenshot(path=str(shots / "relationship-coverage.png"), full_page=True)
