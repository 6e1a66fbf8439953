"""Opportunity to cash, the way people walk it (issue 4), in zh-CN through a real browser:

1. the account manager (ar1 李明) creates a customer and an opportunity with a product line, drags its card on the
   kanban from 验证客户 to 需求分析 (kept after a reload and in the stage history), and records a second
   opportunity that stays open;
2. creates the contract from the opportunity, fills the form, saves it and submits it for approval;
3. the head of ar1's department (director 王建国, the contract flow's first step) approves it from 我的审批: the
   contract is approved, the opportunity won, the customer closed-deal (成交);
4. ar1 plans two receivable periods and records a receipt allocated to the first; finance (finance1 赵敏, the
   receivable flow) approves it and the contract's received / outstanding / overdue amounts follow; ar1's
   dashboard shows the new sections;
5. the director opens the sales funnel (the chart is drawn, the table counts the open opportunity) and the win
   rate report (the won one).

Screenshots of each main page go to the `shots` folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect

from tests.e2e.conftest import login

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the company's day (LOAM_TIMEZONE default)
CUSTOMER = "南宁轨道交通集团运营分公司"
OPPORTUNITY = "南宁地铁5号线传输网扩容"
PHASE_TWO = "南宁地铁5号线传输网二期"
PRODUCT_OTN = "OTN-E2E-01 OTN 光传输设备 华南型 · 150,000.00"
PRODUCT_SVC = "SVC-E2E-01 传输网络安装调测服务 · 2,000.00"
# the chart's ECharts instance exists and its (zrender) animation has run to the end
ANIMATION_DONE = """el => {
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  const anim = chart && chart.getZr().animation;
  return !!chart && (typeof anim.isFinished !== "function" || anim.isFinished());
}"""


def _iso(d: date) -> str:
    return d.isoformat()


def _watch(pg: Page, who: str, errors: list[str]) -> None:
    def on_error(exc: object) -> None:
        errors.append(f"{who}: {exc}")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            errors.append(f"{who}: {response.status} {response.url}")

    pg.on("pageerror", on_error)
    pg.on("response", on_response)


@pytest.fixture
def people(browser: Browser, server: str) -> Iterator[dict[str, Page]]:
    """One logged-in browser context per colleague besides ar1 (who uses the `page` fixture); like that fixture,
    any JavaScript error or server error fails the test."""
    errors: list[str] = []
    contexts = []
    pages: dict[str, Page] = {}
    for username in ("director", "finance1"):
        context = browser.new_context(
            base_url=server, viewport={"width": 1366, "height": 860}, locale="zh-CN", reduced_motion="reduce"
        )
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        _watch(pg, username, errors)
        login(pg, username)
        pages[username] = pg
    yield pages
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors or server errors while browsing: {errors}"


def _column(page: Page, name: str) -> Locator:
    return page.locator(".kanban-col", has=page.locator("header", has_text=name))


def _id(url: str) -> int:
    match = re.search(r"/(\d+)(?:[/?#]|$)", url)
    assert match, url
    return int(match.group(1))


def _new_opportunity(
    page: Page, customer_url: str, name: str, line: tuple[str, str, str, str], stage: str | None
) -> int:
    """From the customer page's opportunities tab: the form with one product line (product, quantity, discount and
    the total the editor must show live), the amount taken from the products."""
    product, qty, discount, total = line
    page.goto(customer_url)
    page.get_by_test_id("tab-opportunities").click()
    with page.expect_navigation():
        page.get_by_test_id("new-opportunity-for-customer").click()
    expect(page.locator("#f-customer_id option:checked")).to_have_text(CUSTOMER)
    page.fill("#f-name", name)
    if stage:
        page.select_option("#f-stage_id", label=stage)
    page.fill("#f-expected_close", _iso(TODAY + timedelta(days=60)))
    page.check("#f-amount_from_lines")
    row = page.get_by_test_id("lines-editor").locator("tr[data-line]").first
    row.locator("select[data-line-product]").select_option(label=product)
    row.locator("input[data-line-quantity]").fill(qty)
    row.locator("input[data-line-discount]").fill(discount)
    expect(page.get_by_test_id("lines-total")).to_have_text(total)
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("opportunity-name")).to_contain_text(name)
    return _id(page.url)


def _step1_opportunity_and_kanban(page: Page, shots: Path) -> tuple[str, int]:
    page.emulate_media(reduced_motion="reduce")  # no Bootstrap fades: the screenshots show settled pages
    login(page, "ar1")
    page.goto("/customers")
    page.get_by_test_id("new-customer").click()
    page.fill("#f-name", CUSTOMER)
    page.select_option("#f-industry", "transport")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    customer_url = page.url

    # 2 × 150,000.00 at 10 % off = 270,000.00, far below the 立项 threshold (5,000,000)
    opp = _new_opportunity(page, customer_url, OPPORTUNITY, (PRODUCT_OTN, "2", "10", "270,000.00"), None)
    expect(page.get_by_test_id("amount")).to_have_text("270,000.00 CNY")
    expect(page.get_by_test_id("status")).to_have_text("跟进中")
    expect(page.locator("[data-testid=stage-bar] [aria-current=step]")).to_contain_text("验证客户")
    page.get_by_test_id("tab-products").click()
    expect(page.locator("#tab-products").get_by_test_id("line-subtotal")).to_have_text("270,000.00")

    # the kanban: a real drag of the card from 验证客户 to 需求分析, saved through the move API
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto("/opportunities/kanban")
    expect(page.locator("[data-kanban][data-ready=true]")).to_be_visible()
    qualify, needs = _column(page, "验证客户"), _column(page, "需求分析")
    card = page.get_by_test_id(f"card-{opp}")
    expect(qualify.get_by_test_id(f"card-{opp}")).to_be_visible()
    with page.expect_response(re.compile(rf"/api/v1/opportunities/{opp}/move")) as moved:
        card.drag_to(needs.locator(".kanban-list"))
    assert moved.value.status == 200, moved.value.text()
    expect(needs.get_by_test_id(f"card-{opp}")).to_be_visible()
    expect(card.locator("[data-prob]")).to_have_text("25")
    page.reload()
    expect(page.locator("[data-kanban][data-ready=true]")).to_be_visible()
    expect(_column(page, "需求分析").get_by_test_id(f"card-{opp}")).to_be_visible()
    expect(_column(page, "验证客户").get_by_test_id(f"card-{opp}")).to_have_count(0)
    page.screenshot(path=str(shots / "opportunities-kanban.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 860})

    page.goto(f"/opportunities/{opp}")
    expect(page.locator("[data-testid=stage-bar] [aria-current=step]")).to_contain_text("需求分析")
    expect(page.get_by_test_id("probability")).to_have_text("25 %")
    page.get_by_test_id("tab-moves").click()
    move = page.get_by_test_id("stage-moves").locator("tbody tr", has_text="李明").filter(has_text="需求分析")
    expect(move).to_have_count(1)
    expect(move.locator("td").nth(2)).to_have_text("验证客户")
    expect(move.locator("td").nth(3)).to_have_text("需求分析")
    page.screenshot(path=str(shots / "opportunity.png"), full_page=True)

    # a second phase, still open at 方案/报价: 100 人天 × 2,000.00 = 200,000.00 (counted by the funnel below)
    _new_opportunity(page, customer_url, PHASE_TWO, (PRODUCT_SVC, "100", "0", "200,000.00"), "方案/报价 (50 %)")
    expect(page.get_by_test_id("amount")).to_have_text("200,000.00 CNY")
    expect(page.locator("[data-testid=stage-bar] [aria-current=step]")).to_contain_text("方案/报价")
    return customer_url, opp


def _step2_contract(page: Page, opp: int) -> tuple[str, str]:
    # "new contract" on the opportunity page (contracts:new?opportunity_id=…)
    page.goto(f"/opportunities/{opp}")
    with page.expect_navigation():
        page.get_by_test_id("new-contract").click()
    expect(page.get_by_test_id("from-opportunity")).to_contain_text(OPPORTUNITY)
    expect(page.get_by_test_id("contract-customer")).to_have_text(CUSTOMER)
    expect(page.get_by_test_id("contract-opportunity")).to_have_text(OPPORTUNITY)
    expect(page.locator("#f-name")).to_have_value(OPPORTUNITY)
    expect(page.get_by_test_id("lines-total")).to_have_text("270,000.00")  # the product lines came along
    page.fill("#f-name", f"{OPPORTUNITY}设备采购合同")
    page.select_option("#f-our_signatory_id", label="李明")
    page.fill("#f-signed_on", _iso(TODAY))
    page.fill("#f-start_on", _iso(TODAY))
    page.fill("#f-end_on", _iso(TODAY + timedelta(days=20)))  # inside the 30-day expiry window
    page.fill("#f-payment_terms", "预付款30%，到货款40%，验收款30%")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/contracts/\d+$"))
    contract_url = page.url
    number = page.get_by_test_id("contract-number").inner_text()
    assert re.fullmatch(rf"HT-{TODAY:%Y%m}-\d{{5}}", number), number
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    expect(page.locator("dl").first).to_contain_text("270,000.00 CNY")
    expect(page.get_by_test_id("opportunity")).to_have_text(OPPORTUNITY)
    expect(page.get_by_test_id("lines-total")).to_contain_text("270,000.00")
    expect(page.get_by_test_id("approval-none")).to_be_visible()

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("submit-approval").click()
    expect(page.get_by_test_id("status")).to_have_text("审批中")
    panel = page.get_by_test_id("approval-panel")
    expect(panel.get_by_test_id("approval-status")).to_have_text("审批中")
    expect(panel.get_by_test_id("step-1")).to_contain_text("王建国: 待审批")
    expect(page.get_by_test_id("edit")).to_have_count(0)  # locked while in approval
    return contract_url, number


def _approve_from_inbox(pg: Page, title: str, comment: str) -> None:
    """My approvals → the pending row → the approval page → approve with a comment."""
    pg.goto("/")
    pg.get_by_role("link", name="审批", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/approvals(\?.*)?$"))
    expect(pg.get_by_test_id("tab-pending")).to_have_class(re.compile(r"\bactive\b"))
    row = pg.get_by_test_id("approval-table").locator("tbody tr", has_text=title)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("approval-status")).to_have_text("审批中")
    with pg.expect_navigation():
        row.get_by_role("link").first.click()
    actions = pg.get_by_test_id("approval-actions")
    actions.locator("textarea[name=comment]").first.fill(comment)
    with pg.expect_navigation():
        actions.get_by_test_id("approve").click()
    expect(pg.get_by_test_id("approval-panel").get_by_test_id("approval-status")).to_have_text("已通过")
    expect(pg.get_by_test_id("approval-history")).to_contain_text(comment)
    expect(pg.get_by_test_id("approval-actions")).to_have_count(0)


def _step3_director_approves(pg: Page, number: str, customer_url: str, opp: int, shots: Path) -> None:
    pg.goto("/approvals")
    expect(pg.get_by_test_id("count-pending")).to_have_text(re.compile(r"^[1-9]\d*$"))
    pg.screenshot(path=str(shots / "approvals-inbox.png"), full_page=True)
    _approve_from_inbox(pg, number, "价格与付款条件已核对，同意签约。")
    with pg.expect_navigation():
        pg.get_by_test_id("document-link").click()
    expect(pg.get_by_test_id("contract-number")).to_have_text(number)
    expect(pg.get_by_test_id("status")).to_have_text("已通过")
    pg.goto(f"/opportunities/{opp}")
    expect(pg.get_by_test_id("status")).to_have_text("赢单")
    expect(pg.locator("[data-testid=stage-bar] [aria-current=step]")).to_contain_text("赢单")
    pg.goto(customer_url)
    expect(pg.locator("h1 + .text-muted")).to_contain_text("已成交")


def _step4_receivables(page: Page, contract_url: str, number: str) -> None:
    page.goto(contract_url)
    expect(page.get_by_test_id("status")).to_have_text("已通过")
    expect(page.get_by_test_id("approval-panel")).to_contain_text("价格与付款条件已核对，同意签约。")
    page.get_by_test_id("tab-receivables").click()
    box = page.get_by_test_id("contract-receivables")
    expect(box.get_by_test_id("total-amount")).to_have_text("270,000.00")
    expect(box.get_by_test_id("total-received")).to_have_text("0.00")

    # two periods in one go, both already due: prepayment 81,000.00 and arrival 108,000.00
    with page.expect_navigation():
        box.get_by_test_id("add-plan").click()
    with page.expect_navigation():
        page.get_by_test_id("mode-batch").click()
    expect(page.locator("#f-contract_id option:checked")).to_contain_text(number)
    rows = page.get_by_test_id("batch-rows")
    for i, (due, amount, milestone) in enumerate(
        ((TODAY - timedelta(days=10), "81000", "prepayment"), (TODAY - timedelta(days=5), "108000", "arrival"))
    ):
        rows.locator(f"input[name=rows-{i}-due_on]").fill(_iso(due))
        rows.locator(f"input[name=rows-{i}-amount]").fill(amount)
        rows.locator(f"select[name=rows-{i}-milestone]").select_option(milestone)
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    page.goto(contract_url)
    page.get_by_test_id("tab-receivables").click()
    box = page.get_by_test_id("contract-receivables")
    expect(box.get_by_test_id("total-planned")).to_have_text("189,000.00")
    expect(box.get_by_test_id("total-overdue")).to_have_text("189,000.00")
    expect(box.get_by_test_id("contract-plans").get_by_test_id("plan-status")).to_have_text(["已逾期", "已逾期"])

    # the receipt, allocated to the oldest due period, saved as a draft and submitted
    with page.expect_navigation():
        box.get_by_test_id("add-receipt").click()
    form = page.get_by_test_id("receipt-form")
    expect(form.locator("#f-contract_id option:checked")).to_contain_text(number)
    expect(form.get_by_test_id("periods").locator("tbody tr")).to_have_count(2)
    form.locator("#f-received_on").fill(_iso(TODAY))
    form.locator("#f-amount").fill("81000.00")
    form.locator("#f-payer").fill(CUSTOMER)
    expect(form.locator("#allocate-auto")).to_be_checked()
    with page.expect_navigation():
        form.get_by_test_id("save").click()
    page.goto(contract_url)
    page.get_by_test_id("tab-receivables").click()
    receipts = page.get_by_test_id("contract-receipts")
    expect(receipts.get_by_test_id("receipt-status")).to_have_text("草稿")
    expect(page.get_by_test_id("total-received")).to_have_text("0.00")  # drafts do not count
    with page.expect_navigation():
        receipts.locator("tbody a").first.click()
    expect(page.get_by_test_id("receipt-title")).to_contain_text("81,000.00")
    expect(page.get_by_test_id("allocated")).to_have_text("81,000.00")
    expect(page.get_by_test_id("allocations").get_by_test_id("allocation-row")).to_have_text(
        re.compile(r"第\s*1\s*期.*81,000\.00.*81,000\.00", re.S)
    )
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("receipt-status")).to_have_text("审批中")
    expect(page.get_by_test_id("approval-panel").get_by_test_id("step-1")).to_contain_text("赵敏: 待审批")


def _step4_after_receipt(page: Page, contract_url: str, number: str, shots: Path) -> None:
    page.goto(contract_url)
    page.get_by_test_id("tab-receivables").click()
    box = page.get_by_test_id("contract-receivables")
    expect(box.get_by_test_id("total-received")).to_have_text("81,000.00")
    expect(box.get_by_test_id("total-outstanding")).to_have_text("189,000.00")
    expect(box.get_by_test_id("total-overdue")).to_have_text("108,000.00")
    expect(box.get_by_test_id("contract-plans").get_by_test_id("plan-status")).to_have_text(["已回款", "已逾期"])
    expect(box.get_by_test_id("contract-receipts").get_by_test_id("receipt-status")).to_have_text("已通过")
    page.screenshot(path=str(shots / "contract.png"), full_page=True)

    page.goto("/receivables")
    page.get_by_test_id("filters").locator("input[name=q]").fill(number)
    page.get_by_test_id("filters").locator("input[name=q]").press("Enter")
    plans = page.get_by_test_id("plan-table").get_by_test_id("plan-row")
    expect(plans).to_have_count(2)
    expect(plans.get_by_test_id("plan-status")).to_have_text(["已回款", "已逾期"])
    page.screenshot(path=str(shots / "receivables.png"), full_page=True)

    # ar1's dashboard: my pipeline (the open second phase), my overdue receivables, my expiring contracts
    page.goto("/")
    expect(page.get_by_test_id("my-pipeline").locator("tbody tr", has_text="方案/报价")).to_contain_text("200,000.00")
    expect(page.get_by_test_id("my-overdue").locator("li", has_text=number)).to_contain_text("108,000.00")
    expect(page.get_by_test_id("expiring-contracts").locator("li", has_text=number)).to_contain_text(
        _iso(TODAY + timedelta(days=20))
    )
    page.screenshot(path=str(shots / "dashboard-o2c.png"), full_page=True)


def _step5_reports(pg: Page, shots: Path) -> None:
    pg.goto("/reports")
    with pg.expect_navigation():
        pg.get_by_test_id("report-funnel").click()
    expect(pg.get_by_test_id("report-title")).to_contain_text("销售漏斗")
    pg.select_option("#f-category_id", label="光传输设备")
    with pg.expect_navigation():
        pg.get_by_test_id("apply-filters").click()
    chart = pg.get_by_test_id("chart-funnel")
    expect(chart).to_have_attribute("data-rendered", "true")
    canvas = chart.locator("canvas, svg").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, box
    expect(pg.get_by_test_id("chart-amounts")).to_have_attribute("data-rendered", "true")
    table = pg.get_by_test_id("table-stages")
    offer = table.locator("tbody tr", has_text="方案/报价")
    expect(offer.locator("[data-col=count]")).to_have_text("1")
    expect(offer.locator("[data-col=amount]")).to_have_text("200,000.00")
    expect(offer.locator("[data-col=weighted]")).to_have_text("100,000.00")
    expect(table.locator("tbody tr", has_text="需求分析").locator("[data-col=count]")).to_have_text("0")  # won: left
    expect(table.locator("tfoot [data-col=count]")).to_have_text("1")
    pg.wait_for_function(ANIMATION_DONE, arg=chart.element_handle())
    pg.screenshot(path=str(shots / "report-funnel.png"), full_page=True)

    # the won opportunity shows in the win rate of this year
    pg.goto("/reports")
    with pg.expect_navigation():
        pg.get_by_test_id("report-winrate").click()
    pg.select_option("#f-period", "this_year")
    pg.select_option("#f-category_id", label="光传输设备")
    with pg.expect_navigation():
        pg.get_by_test_id("apply-filters").click()
    won = pg.get_by_test_id("table-months").locator("tfoot [data-col=won]")
    expect(won).to_have_text("1")


def test_opportunity_to_cash(page: Page, people: dict[str, Page], shots: Path) -> None:
    director, finance = people["director"], people["finance1"]
    customer_url, opp = _step1_opportunity_and_kanban(page, shots)
    contract_url, number = _step2_contract(page, opp)
    _step3_director_approves(director, number, customer_url, opp, shots)
    _step4_receivables(page, contract_url, number)
    _approve_from_inbox(finance, number, "款项已到账，核对无误。")
    _step4_after_receipt(page, contract_url, number, shots)
    _step5_reports(director, shots)
