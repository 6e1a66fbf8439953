"""Report pages: the index, one page per report with its filters, charts (ECharts option as JSON, no inline
script) and tables, the xlsx export from the page, and the sales-target grid editor (PRG, errors re-rendered)."""

from __future__ import annotations

import io
import json
import re

from python_calamine import CalamineWorkbook

from loam.reports import service
from loam.reports.periods import today
from tests import helpers
from tests.helpers import login, post_form
from tests.reports.factories import CUR


def test_index_lists_the_reports(connection):
    c = login("ar1")
    page = c.get("/reports")
    assert page.status_code == 200
    for name in service.DEFINITIONS:
        assert f'data-testid="report-{name}"' in page.text
    assert 'data-testid="edit-targets"' not in page.text  # ar1 may not manage targets
    assert 'data-testid="edit-targets"' in login("director").get("/reports").text
    assert helpers.client().get("/reports").status_code == 303  # anonymous: to the login page


def test_every_report_page_renders_charts_and_tables(connection, world):
    c = login("admin")
    for name in service.DEFINITIONS:
        page = c.get(f"/reports/{name}", params={"currency": CUR})
        assert page.status_code == 200, (name, page.text[:300])
        assert 'data-testid="report-filters"' in page.text and 'data-testid="export-xlsx"' in page.text
        assert "js/charts.js" in page.text and "vendor/echarts/echarts.min.js" in page.text
        for block in re.findall(r'<script type="application/json" id="(chart-[a-z]+)">(.*?)</script>', page.text, re.S):
            option = json.loads(block[1])
            assert "series" in option and f'data-echarts="{block[0]}"' in page.text
        assert re.search(r"<script>(?!\s*</script>)", page.text) is None  # no inline script (CSP)


def test_funnel_page_shows_the_numbers_and_exports_them(connection, world):
    c = login("ar1")
    page = c.get("/reports/funnel", params={"currency": CUR})
    assert "1,000,000.00" in page.text and "510,000.00" in page.text
    assert 'data-testid="chart-funnel"' in page.text
    export = c.get("/reports/funnel.xlsx", params={"currency": CUR})
    assert export.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert [int(r[2]) for r in rows[1:-1]] == [1, 1, 1, 1] and rows[-1][3] == 1000000.0 and rows[-1][4] == 510000.0


def test_report_page_filters_and_errors(connection, world, ids):
    c = login("admin")
    team2 = c.get(
        "/reports/contracts", params={"currency": CUR, "by": "user", "department_id": ids["team2"], "period": ""}
    )
    assert (
        team2.status_code == 200
        and "张伟" in team2.text
        and "李明" not in team2.text.split('data-testid="table-user"')[1]
    )
    assert c.get("/reports/funnel", params={"period": "nonsense"}).status_code == 422
    assert c.get("/reports/nonsense").status_code == 404
    assert c.get("/reports/funnel", params={"currency": CUR, "pipeline_id": "", "user_id": ""}).status_code == 200


def test_targets_grid_saves_and_rerenders_errors(connection, ids):
    c = login("admin")
    year = today().year
    page = c.get("/reports/targets", params={"year": year, "department_id": ids["team1"]})
    assert page.status_code == 200 and f'data-testid="grid-user-{ids["ar1"]}"' in page.text
    rows = re.findall(r'name="rows-(\d+)-id" value="(\d+)"', page.text)
    kinds = dict(re.findall(r'name="rows-(\d+)-kind" value="(\w+)"', page.text))
    form = {"year": year, "metric": "contract_amount", "department_id": ids["team1"], "currency": CUR}
    for i, rid in rows:
        form |= {f"rows-{i}-kind": kinds[i], f"rows-{i}-id": rid, f"rows-{i}-version": ""}
    ar1_row = next(i for i, rid in rows if kinds[i] == "user" and int(rid) == ids["ar1"])
    form[f"rows-{ar1_row}-m3"] = "1234.50"
    r = post_form(c, "/reports/targets", form)
    assert r.status_code == 303 and "saved=1" in r.headers["location"]
    after = c.get(r.headers["location"])
    assert 'data-testid="saved"' in after.text and "1,234.50" in after.text
    bad = post_form(c, "/reports/targets", form | {f"rows-{ar1_row}-m4": "-5"})
    assert bad.status_code == 422 and 'data-testid="grid-errors"' in bad.text and 'value="-5"' in bad.text
    stale = post_form(c, "/reports/targets", form)  # the row now has version 1, the form still says new
    assert stale.status_code == 409 and 'data-testid="form-error"' in stale.text
    assert login("ar1").get("/reports/targets").status_code == 403
    assert post_form(login("ar1"), "/reports/targets", form).status_code == 403
