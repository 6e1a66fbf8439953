"""Log in, switch language, create a customer — through a real browser."""

from __future__ import annotations

from tests.e2e.conftest import login


def test_login_switch_language_and_create_customer(page, shots) -> None:
    page.goto("/login")
    page.screenshot(path=str(shots / "login.png"))
    page.fill("#username", "ar1")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert page.get_by_test_id("login-error").is_visible()
    login(page, "ar1")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("locale-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Customers").first.is_visible()
    page.goto("/customers/new")
    page.fill("#f-name", "桂林移动分公司")
    page.select_option("#f-level", "key")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/customers/*")
    assert page.get_by_test_id("customer-name").inner_text().startswith("桂林移动分公司")
    page.screenshot(path=str(shots / "customer-detail.png"), full_page=True)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("locale-zh_CN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_api_docs_render_offline(page) -> None:
    """The Swagger UI is served from the vendored files and works under the CSP (no CDN, no inline script)."""
    from playwright.sync_api import expect

    page.goto("/api/v1/docs")
    # the OpenAPI document (~500 KB) is built on first use, in 2–3 s: allow it time on a busy machine
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Loam API", timeout=30_000)
    expect(page.locator(".opblock-tag").filter(has_text="customers").first).to_be_visible(timeout=30_000)
