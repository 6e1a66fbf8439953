"""The power map in a real browser (Playwright + system Chromium, DESIGN.md R29): open a customer's map, click a
contact's node on the ECharts graph, raise their support in the edit panel and watch the status badge change
colour (red → amber), then make them the coach (→ green); export the graph as a PNG."""

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


def _click_node(pg, contact_id: int) -> None:  # type: ignore[no-untyped-def]
    """A real click on the canvas, where the graph drew the contact's node."""
    chart = pg.get_by_test_id("pm-chart")
    expect(chart).to_have_attribute("data-ready", "true")
    x, y = pg.evaluate("id => window.loamPowerMap.pixelOf(id)", contact_id)
    box = chart.bounding_box()
    pg.mouse.click(box["x"] + x, box["y"] + y)


def test_edit_support_from_the_graph_changes_the_status(page, shots) -> None:  # type: ignore[no-untyped-def]
    login(page, "ar1")
    customer = _api(page, "POST", "/api/v1/customers", {"name": "权力地图浏览器客户"})
    boss = _api(page, "POST", "/api/v1/contacts",
                {"customer_id": customer["id"], "name": "黄局长", "level": "executive", "title": "局长"})  # fmt: skip
    body = {"customer_id": customer["id"], "name": "李工", "level": "middle", "reports_to_id": boss["id"]}
    staff = _api(page, "POST", "/api/v1/contacts", body)
    base = f"/api/v1/customers/{customer['id']}/power-map"
    _api(page, "PATCH", f"{base}/nodes/{boss['id']}", {"decision_role": "decision_maker"})
    _api(
        page,
        "POST",
        f"{base}/links",
        {"from_contact_id": staff["id"], "to_contact_id": boss["id"], "kind": "influences"},
    )

    page.goto(f"/customers/{customer['id']}/power-map")
    badge = page.locator("#pm-status-badge [data-testid=pm-status]")
    expect(badge).to_have_attribute("data-status", "red")
    expect(badge).to_have_class(r"badge text-bg-danger")
    expect(page.get_by_test_id(f"pm-row-{boss['id']}")).to_have_attribute("data-support", "0")

    _click_node(page, boss["id"])
    panel = page.get_by_test_id("pm-panel")
    expect(panel).to_have_attribute("data-contact-id", str(boss["id"]))
    expect(page.get_by_test_id("pm-panel-name")).to_have_text("黄局长")
    page.get_by_test_id("pm-support").select_option("2")
    page.get_by_test_id("pm-save").click()
    expect(page.get_by_test_id("pm-saved")).to_be_visible()
    expect(badge).to_have_attribute("data-status", "amber")  # a supportive decision maker, no coach yet
    expect(badge).to_have_class("badge text-bg-warning")
    expect(page.get_by_test_id(f"pm-row-{boss['id']}")).to_have_attribute("data-support", "2")  # tables refreshed
    expect(page.get_by_test_id("pm-chart")).to_have_attribute("data-status", "amber")  # the graph was redrawn

    _click_node(page, boss["id"])  # the panel again (with the new profile version): tick "coach"
    expect(page.get_by_test_id("pm-saved")).to_have_count(0)  # the fresh panel replaced the saved one
    expect(page.get_by_test_id("pm-support")).to_have_value("2")
    page.get_by_test_id("pm-coach").check()
    page.get_by_test_id("pm-save").click()
    expect(badge).to_have_attribute("data-status", "green")
    expect(badge).to_have_class("badge text-bg-success")
    page.screenshot(path=str(shots / "power-map.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("pm-export").click()
    assert download.value.suggested_filename == f"power-map-{customer['id']}.png"

    deal = _api(page, "POST", "/api/v1/opportunities",
                {"name": "权力地图浏览器商机", "customer_id": customer["id"], "amount": "8800.00"})  # fmt: skip
    page.goto(f"/opportunities/{deal['id']}")  # the badge lands out of band; the deal has no overlay yet
    expect(page.get_by_test_id("pm-badge").locator("[data-status]")).to_have_attribute("data-status", "green")
    page.goto("/opportunities")
    expect(page.get_by_test_id(f"pm-badge-{deal['id']}").locator("[data-status]")).to_have_attribute(
        "data-status", "green"
    )
    page.goto(f"/opportunities/{deal['id']}")
    page.get_by_test_id("power-map").click()  # the deal's map: nobody is linked yet, so everyone is dimmed
    expect(page.get_by_test_id("pm-title")).to_contain_text("权力地图浏览器商机")
    expect(page.get_by_test_id("pm-chart")).to_have_attribute("data-ready", "true")

    page.goto(f"/customers/{customer['id']}/relationships/powermap")  # the section of the relationship page
    expect(page.get_by_test_id("powermap-section").get_by_test_id("pm-status")).to_have_attribute(
        "data-status", "green"
    )
