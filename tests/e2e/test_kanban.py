"""Drag an opportunity across the kanban in a real browser (Playwright + system Chromium, DESIGN.md R29):
a move to an open stage is saved through the move API; dropping on "lost" asks for the reason; cancelling the
dialog snaps the card back."""

from __future__ import annotations

import json
import re

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


def _column(pg, name: str):  # type: ignore[no-untyped-def]
    return pg.locator(".kanban-col", has=pg.locator("header", has_text=name))


def test_drag_across_the_kanban(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "ar1")
    customer = _api(page, "POST", "/api/v1/customers", {"name": "看板浏览器客户"})
    opp = _api(
        page,
        "POST",
        "/api/v1/opportunities",
        {"name": "拖拽浏览器商机", "customer_id": customer["id"], "amount": "8800.00"},
    )
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto("/opportunities/kanban")
    expect(page.locator("[data-kanban][data-ready=true]")).to_be_visible()
    card = page.get_by_test_id(f"card-{opp['id']}")
    qualify, needs, lost = _column(page, "验证客户"), _column(page, "需求分析"), _column(page, "输单")
    expect(qualify.get_by_test_id(f"card-{opp['id']}")).to_be_visible()

    with page.expect_response(re.compile(r"/api/v1/opportunities/\d+/move")) as moved:
        card.drag_to(needs.locator(".kanban-list"))
    assert moved.value.status == 200
    expect(needs.get_by_test_id(f"card-{opp['id']}")).to_be_visible()
    expect(needs.locator("[data-count]")).to_have_text(re.compile(r"^[1-9]"))
    expect(card.locator("[data-prob]")).to_have_text("25")

    card.drag_to(lost.locator(".kanban-list"))  # asks for the reason; cancel → back where it was
    dialog = page.get_by_test_id("reason-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="取消").last.click()
    expect(dialog).to_be_hidden()
    expect(needs.get_by_test_id(f"card-{opp['id']}")).to_be_visible()

    card.drag_to(lost.locator(".kanban-list"))
    expect(dialog).to_be_visible()
    dialog.locator("select[name=lost_reason_id]").select_option(label="价格")
    with page.expect_response(re.compile(r"/api/v1/opportunities/\d+/move")) as moved:
        page.get_by_test_id("reason-submit").click()
    assert moved.value.status == 200
    expect(lost.get_by_test_id(f"card-{opp['id']}")).to_be_visible()
    page.goto(f"/opportunities/{opp['id']}")
    expect(page.get_by_test_id("status")).to_have_text(re.compile("^(输单|Lost)$"))  # until the catalog is merged


def test_a_refused_move_snaps_back_with_the_message(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "admin")
    pipeline = _api(page, "POST", "/api/v1/pipelines", {"name_zh": "浏览器流程", "name_en": "Browser pipeline"})
    needs = pipeline["stages"][1]
    body = {
        "name_zh": needs["name_zh"],
        "name_en": needs["name_en"],
        "probability": 25,
        "required_fields": ["competitors"],
    }
    _api(page, "PUT", f"/api/v1/pipelines/{pipeline['id']}/stages/{needs['id']}", body)
    customer = _api(page, "POST", "/api/v1/customers", {"name": "拒绝移动客户"})
    opp = _api(
        page,
        "POST",
        "/api/v1/opportunities",
        {"name": "缺竞争对手", "customer_id": customer["id"], "pipeline_id": pipeline["id"]},
    )
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(f"/opportunities/kanban?pipeline_id={pipeline['id']}")
    expect(page.locator("[data-kanban][data-ready=true]")).to_be_visible()
    card = page.get_by_test_id(f"card-{opp['id']}")
    with page.expect_response(re.compile(r"/api/v1/opportunities/\d+/move")) as moved:
        card.drag_to(page.get_by_test_id(f"column-{needs['id']}").locator(".kanban-list"))
    assert moved.value.status == 409
    expect(page.get_by_test_id("kanban-error")).to_contain_text(re.compile("竞争对手|Competitors"))
    first = pipeline["stages"][0]
    expect(page.get_by_test_id(f"column-{first['id']}").get_by_test_id(f"card-{opp['id']}")).to_be_visible()
    expect(page.get_by_test_id(f"column-{needs['id']}").locator("[data-count]")).to_have_text("0")
