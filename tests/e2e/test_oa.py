"""OA approval in a real browser: ar1 files a leave request (办公 → 新申请 → 请假审批, the type's fields rendered from
its definition), submits it; the head of ar1's department (director 王建国) approves it from 我的审批; ar1 sees it
approved on the request's page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login

TITLE = "年假申请（一月第一周）"


def test_file_a_leave_request_and_the_department_head_approves_it(page: Page, browser, server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, "ar1")
    with page.expect_navigation():
        page.locator("nav a.nav-link[href$='/oa']").click()
    with page.expect_navigation():
        page.get_by_test_id("new-oa").click()
    with page.expect_navigation():
        page.get_by_test_id("pick-leave").click()
    expect(page.get_by_test_id("form-type")).to_have_text("请假审批")
    page.fill("#f-title", TITLE)
    page.select_option("#f-v_leave_kind", "年假")
    page.fill("#f-v_start", "2027-01-04T09:00")
    page.fill("#f-v_end", "2027-01-06T18:00")
    page.fill("#f-v_days", "3")
    page.fill("#f-content", "春节前休年假，工作已交接给陈静。")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("oa-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    expect(page.get_by_test_id("oa-values")).to_contain_text("2027-01-04 09:00")
    request_url = page.url

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("submit-approval").click()
    expect(page.get_by_test_id("status")).to_have_text("审批中")
    panel = page.get_by_test_id("approval-panel")
    expect(panel.get_by_test_id("step-1")).to_contain_text("王建国: 待审批")
    expect(page.get_by_test_id("edit")).to_have_count(0)  # locked while in approval

    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 860}, locale="zh-CN")
    try:
        boss = context.new_page()
        boss.set_default_timeout(15000)
        login(boss, "director")
        boss.get_by_role("link", name="审批", exact=True).first.click()
        boss.wait_for_url(re.compile(r"/approvals(\?.*)?$"))
        row = boss.get_by_test_id("approval-table").locator("tbody tr", has_text=TITLE)
        expect(row).to_have_count(1)
        with boss.expect_navigation():
            row.get_by_role("link").first.click()
        actions = boss.get_by_test_id("approval-actions")
        actions.locator("textarea[name=comment]").first.fill("同意，注意交接。")
        with boss.expect_navigation():
            actions.get_by_test_id("approve").click()
        expect(boss.get_by_test_id("approval-panel").get_by_test_id("approval-status")).to_have_text("已通过")
    finally:
        context.close()

    page.goto(request_url)
    expect(page.get_by_test_id("status")).to_have_text("已通过")
    expect(page.get_by_test_id("approval-panel")).to_contain_text("同意，注意交接。")
    expect(page.get_by_test_id("submit-approval")).to_have_count(0)
