"""The main flow a person walks: log in, create a customer and a contact, record a follow-up, release the
customer to the public pool and claim it back, and see the dashboard change. Screenshots of each main page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import login


def _stat(page, testid: str) -> int:  # type: ignore[no-untyped-def]
    page.goto("/")
    return int(page.get_by_test_id(testid).inner_text().strip())


def test_customer_contact_followup_pool_and_dashboard(page, shots) -> None:
    login(page, "ar1")
    mine = _stat(page, "stat-my-customers")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    # a customer
    page.goto("/customers")
    page.get_by_test_id("new-customer").click()
    page.fill("#f-name", "广西河池电信分公司")
    page.select_option("#f-industry", "telecom")
    page.fill("#f-phone", "0778-2288123")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/customers/*")
    customer_url = page.url
    assert _stat(page, "stat-my-customers") == mine + 1

    # a contact, from the customer page
    page.goto(customer_url)
    page.get_by_test_id("tab-contacts").click()
    page.get_by_test_id("new-contact").click()
    page.fill("#f-name", "黄志强")
    page.fill("#f-title", "网络部主任")
    page.select_option("#f-level", "middle")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    page.goto(customer_url)
    page.get_by_test_id("tab-contacts").click()
    expect(page.get_by_test_id("contact-table").get_by_text("黄志强")).to_be_visible()

    # a follow-up on the timeline
    page.goto(customer_url)
    form = page.get_by_test_id("followup-form")
    form.locator("select[name=kind]").select_option("visit")
    form.locator("textarea[name=content]").fill("拜访网络部黄主任，交流5G专网扩容需求")
    form.locator("select[name='contact_ids[]']").select_option(label="黄志强 · 网络部主任")
    with page.expect_navigation():
        page.get_by_test_id("followup-save").click()
    expect(page.get_by_test_id("timeline").get_by_text("交流5G专网扩容需求")).to_be_visible()
    page.screenshot(path=str(shots / "customer-360.png"), full_page=True)

    # release to the pool, then claim it back
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("release").click()
    assert _stat(page, "stat-my-customers") == mine
    page.goto("/pools")
    page.screenshot(path=str(shots / "pools.png"), full_page=True)
    row = page.get_by_test_id("pool-table").locator("tr", has_text="广西河池电信分公司")
    with page.expect_navigation():
        row.get_by_test_id("claim").click()
    assert _stat(page, "stat-my-customers") == mine + 1
    page.goto(customer_url)
    expect(page.get_by_test_id("owner")).to_have_text("李明")


def test_main_pages_render(page, shots) -> None:
    login(page, "admin")
    for path, name in (
        ("/customers", "customers"),
        ("/leads", "leads"),
        ("/contacts", "contacts"),
        ("/followups", "followups"),
        ("/settings/departments", "departments"),
        ("/settings/users", "users"),
        ("/settings/roles", "roles"),
        ("/settings/custom-fields", "custom-fields"),
        ("/pools/manage", "pool-rules"),
        ("/recycle", "recycle-bin"),
        ("/notifications", "notifications"),
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
