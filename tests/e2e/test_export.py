"""Exporting a filtered list the way a person does: filter the customer list, press Export Excel, watch the job
on the exports page and download the file — which holds exactly the rows on screen, not the whole table."""

from __future__ import annotations

from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from tests.e2e.conftest import login

NAMES = ("防城港导出测试港务", "防城港导出测试钢铁", "玉林导出测试机械")


def _customer(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/customers")
    page.get_by_test_id("new-customer").click()
    page.fill("#f-name", name)
    page.get_by_test_id("save").click()
    page.wait_for_url("**/customers/*")


def test_export_the_filtered_customer_list(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    login(page, "admin")
    for name in NAMES:
        _customer(page, name)
    page.goto("/customers?q=防城港导出测试")
    expect(page.get_by_text("防城港导出测试港务")).to_be_visible()
    expect(page.get_by_text("玉林导出测试机械")).to_have_count(0)

    with page.expect_navigation():
        page.get_by_test_id("export-xlsx").click()
    assert page.url.endswith("/exports")
    job = page.get_by_test_id("job-progress").first
    expect(job).to_have_attribute("data-status", "done", timeout=60_000)
    with page.expect_download() as download:
        job.get_by_test_id("job-download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    names = sorted(str(r[rows[0].index(next(h for h in rows[0] if "名称" in str(h)))]) for r in rows[1:])
    assert names == ["防城港导出测试港务", "防城港导出测试钢铁"]
