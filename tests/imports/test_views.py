"""The import pages: upload, mapping, dry run / run buttons, results."""

from __future__ import annotations

import re

from loam.imports import service
from tests.helpers import login, post_form
from tests.imports.factory import csv_bytes


def _upload(c, content: bytes, name: str = "c.csv"):  # type: ignore[no-untyped-def]
    return c.post(
        "/imports", data={"entity": "customer", "csrf_token": c.csrf}, files={"file": (name, content, "text/csv")}
    )


def test_upload_map_dry_run_and_run_through_the_pages(connection) -> None:
    c = login("admin")
    assert c.get("/imports").status_code == 200
    r = _upload(c, csv_bytes([["公司名称", "电话", "无关列"], ["页面客户", "13800000002", "x"]]))
    assert r.status_code == 303
    url = r.headers["location"]
    page = c.get(url)
    assert page.status_code == 200 and 'data-testid="mapping"' in page.text
    assert re.search(r'name="map_0".*?<option value="name" selected', page.text, re.S)
    assert re.search(r'name="map_2"[^>]*>\s*<option value="">', page.text)
    job_id = int(url.rstrip("/").split("/")[-1])
    form = {"map_0": "name", "map_1": "phone", "map_2": "", "on_duplicate": "skip", "sheet": ""}
    r = post_form(c, url, {**form, "action": "dry_run"})
    assert r.status_code == 303
    assert 'data-testid="job-progress"' in c.get(url).text
    service.run_job(job_id)
    assert 'data-testid="dry-run-result"' in c.get(url).text
    assert post_form(c, url, {**form, "action": "run"}).status_code == 303
    service.run_job(job_id)
    done = c.get(url).text
    assert 'data-testid="import-result"' in done and 'data-testid="result-new">1<' in done
    assert "页面客户" in c.get("/customers", params={"q": "页面客户"}).text


def test_errors_are_shown_on_the_page(connection) -> None:
    c = login("admin")
    r = _upload(c, b"", "empty.csv")
    assert r.status_code == 422 and 'data-testid="upload-error"' in r.text
    url = _upload(c, csv_bytes([["公司名称"], ["甲"]])).headers["location"]
    r = post_form(c, url, {"map_0": "", "on_duplicate": "skip", "action": "run"})
    assert r.status_code == 422 and 'data-testid="import-error"' in r.text


def test_a_user_without_import_permission_gets_403(connection) -> None:
    c = login("finance1")
    assert _upload(c, csv_bytes([["公司名称"], ["甲"]])).status_code == 403


def test_the_result_lists_the_rows_not_added_as_new(connection) -> None:
    c = login("admin")
    content = csv_bytes([["公司名称", "邮箱"], ["列表客户", ""], ["列表客户", ""], ["坏行客户", "bad"]])
    url = _upload(c, content).headers["location"]
    job_id = int(url.rstrip("/").split("/")[-1])
    assert (
        post_form(c, url, {"map_0": "name", "map_1": "email", "on_duplicate": "skip", "action": "run"}).status_code
        == 303
    )
    service.run_job(job_id)
    page = c.get(url).text
    table = page[page.index('data-testid="import-rows"') :]
    assert "<td>3</td>" in table and "<td>4</td>" in table and "<td>2</td>" not in table  # the new row is not listed
