"""Importing customers from Excel the way a person does: Data → Import, upload an .xlsx with Chinese headers,
check the suggested mapping and fix one column by hand, dry run, import with live progress, read the counts
and open the error file with the failed row and its reason."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from tests.e2e.conftest import login

HEADER = ["公司名称", "手机", "邮箱", "客户级别", "补充说明"]
ROWS = [
    ["南宁轨道交通导入测试", "13800138201", "nngd@example.com", "重点客户", "从旧系统导入"],
    ["柳州钢铁导入测试", "13800138202", "lzgt@example.com", "一般客户", ""],
    ["桂林米粉导入测试", "13800138203", "不是邮箱", "一般客户", "邮箱写错了"],
    ["北海港务导入测试", "", "", "", "只有名称"],
]
BULK = 2000  # enough rows that the run lasts long enough to watch its progress panel


def _workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    sh = wb.add_worksheet("客户")
    sh.write_row(0, 0, HEADER)
    for r, row in enumerate(ROWS, 1):
        for c, value in enumerate(row):
            if value:
                sh.write_string(r, c, value)
    for r in range(len(ROWS) + 1, len(ROWS) + 1 + BULK):
        sh.write_row(r, 0, [f"批量客户{r:05d}", f"1390771{r:04d}"])
    wb.close()
    return path


def _counts(page, prefix: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        k: int(page.get_by_test_id(f"{prefix}-{k}").inner_text().replace(",", ""))
        for k in ("read", "new", "updated", "skipped", "failed")
    }


def test_import_customers_from_xlsx(page, shots, tmp_path) -> None:  # type: ignore[no-untyped-def]
    login(page, "admin")
    page.get_by_test_id("data-menu").click()
    with page.expect_navigation():
        page.locator(".dropdown-menu a[href$='/imports']").click()
    assert page.url.endswith("/imports")

    # upload: the mapping page opens with the columns matched by their Chinese headers
    page.select_option("#f-entity", "customer")
    page.set_input_files("#f-file", str(_workbook(tmp_path / "客户导入.xlsx")))
    with page.expect_navigation():
        page.get_by_test_id("upload").click()
    detail = page.url
    for i, target in enumerate(["name", "phone", "email", "level", ""]):
        expect(page.get_by_test_id(f"map-{i}")).to_have_value(target)
    expect(page.get_by_test_id("mapping")).to_contain_text("南宁轨道交通导入测试")

    # the unknown column by hand: it holds remarks
    page.get_by_test_id("map-4").select_option("remark")

    # dry run: counts, nothing saved, the hand-made mapping kept
    with page.expect_navigation():
        page.get_by_test_id("dry-run").click()
    dry = page.get_by_test_id("dry-run-result")
    expect(dry).to_be_visible(timeout=60_000)
    assert _counts(page, "dry") == {"read": 4 + BULK, "new": 3 + BULK, "updated": 0, "skipped": 0, "failed": 1}
    expect(dry.get_by_test_id("first-errors")).to_contain_text("不是邮箱")
    expect(page.get_by_test_id("map-4")).to_have_value("remark")
    page.goto("/customers?q=导入测试")
    expect(page.get_by_text("南宁轨道交通导入测试")).to_have_count(0)

    # the import: the live progress panel, then the result
    page.goto(detail)
    with page.expect_navigation():
        page.get_by_test_id("run-import").click()
    panel = page.get_by_test_id("job-progress")
    expect(panel).to_be_visible()
    assert panel.get_attribute("data-status") in ("queued", "running")
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible(timeout=60_000)
    expect(panel).to_have_count(0)
    assert _counts(page, "result") == {"read": 4 + BULK, "new": 3 + BULK, "updated": 0, "skipped": 0, "failed": 1}
    expect(result.get_by_test_id("first-errors")).to_contain_text("不是邮箱")
    page.screenshot(path=str(shots / "import.png"), full_page=True)

    # the error file: the failed row as it was, plus an error column
    with page.expect_download() as download:
        page.get_by_test_id("error-file").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert rows[0][:5] == HEADER and len(rows[0]) == 6
    assert len(rows) == 2
    assert rows[1][:5] == ROWS[2]
    assert "不是邮箱" in str(rows[1][5])

    # the imported customers, with the hand-mapped remark
    page.goto("/customers?q=导入测试")
    for name in ("南宁轨道交通导入测试", "柳州钢铁导入测试", "北海港务导入测试"):
        expect(page.get_by_text(name)).to_be_visible()
    expect(page.get_by_text("桂林米粉导入测试")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_text("南宁轨道交通导入测试").click()
    expect(page.locator("body")).to_contain_text("从旧系统导入")
