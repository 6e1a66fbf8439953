"""GET /api/v1/customers/{id}/relationship/coverage and the coverage section of the relationship page."""

from __future__ import annotations

import json
import re

from tests.helpers import api, client, login, post_form
from tests.relationships.layers_factories import AS_OF, contact, customer, days_before, touch


def _small(session, ids):
    """Default template (7 departments) + 'Lab': 技术部 executive covered by ar1 and sr1, 财务部 staff covered by
    ar1 alone, Lab middle opposed; Σ weight·covered = 3 + 1 = 4 of (3+2+1)·8 = 48 → 8.3 % → 8, D."""
    cust = customer(session, ids["ar1"], "接口覆盖客户")
    tech = contact(session, ids["ar1"], cust.id, "技术总监", "技术部", "executive", support=2)
    fin = contact(session, ids["ar1"], cust.id, "出纳<b>", "财务部", "staff")
    lab = contact(session, ids["ar1"], cust.id, "实验员", "Lab", "middle", support=-2)
    contact(session, ids["ar1"], cust.id, "无部门", None, "staff")
    touch(session, ids["ar1"], cust.id, [tech.id], days_before(3), participants=[ids["sr1"]])
    touch(session, ids["ar1"], cust.id, [fin.id, lab.id], days_before(60))
    session.flush()
    return cust


def test_api_coverage(session, ids):
    cust = _small(session, ids)
    r = api("ar1").get(f"/api/v1/customers/{cust.id}/relationship/coverage", params={"as_of": AS_OF.isoformat()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["score"], body["grade"], body["percent"], body["as_of"]) == (8, "D", 8.3, "2025-06-30")
    assert body["rows"][-1] == "Lab" and len(body["rows"]) == 8 and len(body["cells"]) == 24
    # Points: executive 3/48 = 6.25, middle 0, staff 1/48 = 2.08 → floors 6 + 0 + 2 = 8 = the score.
    assert [p["points"] for p in body["points"][:3]] == [6, 0, 2]
    assert body["points"][0]["msgid"] == "executive level: %(covered)s of %(total)s departments covered"
    cells = {(c["dept"], c["level"]): c for c in body["cells"]}
    assert cells[("技术部", "executive")]["coverers"] == sorted([ids["ar1"], ids["sr1"]])
    assert cells[("财务部", "staff")]["single_thread"] is True
    assert cells[("Lab", "middle")]["covered"] is False
    assert [u["name"] for u in body["unassigned"]] == ["无部门"]
    assert {p["id"] for p in body["people"]} == {ids["ar1"], ids["sr1"]} and all(p["name"] for p in body["people"])
    assert body["settings_version"] >= 1


def test_api_coverage_access(session, ids):
    cust = _small(session, ids)
    url = f"/api/v1/customers/{cust.id}/relationship/coverage"
    assert client().get(url).status_code == 401
    assert api("ar2").get(url).status_code == 404
    assert api("director").get(url).status_code == 200
    assert api("ar1").get("/api/v1/customers/2000000000/relationship/coverage").status_code == 404
    assert api("ar1").get(url, params={"as_of": "30/06/2025"}).status_code == 422


def _chart_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="coverage-data-\d+">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_section_renders_in_both_languages(session, ids):
    cust = _small(session, ids)
    c = login("ar1")
    url = f"/customers/{cust.id}/relationships/coverage?as_of={AS_OF.isoformat()}"
    zh = c.get(url)
    assert zh.status_code == 200
    assert 'data-testid="coverage-grade"' in zh.text and ">D<" in zh.text
    assert "部门" in zh.text and "高层" in zh.text  # the table: department, executive
    assert "出纳&lt;b&gt;" in zh.text and "出纳<b>" not in zh.text  # names escaped
    data = _chart_data(zh.text)
    assert data["levels"] == ["高层", "中层", "基层"] and data["rows"][0] == "技术部"
    tech = next(cell for cell in data["cells"] if cell["x"] == 0 and cell["y"] == 0)
    assert tech["state"] == "covered" and len(tech["coverers"]) == 2 and tech["contacts"] == ["技术总监 (+2)"]
    assert [cell["state"] for cell in data["cells"] if data["rows"][cell["y"]] == "财务部"] == [
        "empty",
        "empty",
        "single",
    ]
    assert zh.text.count('data-testid="coverage-row"') == 8
    assert "js/coverage.js" in zh.text and "echarts.min.js" in zh.text
    post_form(c, "/locale", {"locale": "en"})
    en = c.get(url)
    assert "Broad relationships: coverage" in en.text and "Missing information" in en.text
    assert "executive level: 1 of 8 departments covered" in en.text
    assert 'data-state="single"' in en.text and "Covered by one person only" in en.text
    assert _chart_data(en.text)["levels"] == ["Executive", "Middle management", "Staff"]


def test_section_on_the_page_and_access(session, ids):
    cust = _small(session, ids)
    page = login("ar1").get(f"/customers/{cust.id}/relationships")
    assert page.status_code == 200 and 'id="rel-coverage"' in page.text  # filled by the layers request
    assert f"/customers/{cust.id}/relationships/layers" in page.text
    assert login("ar2").get(f"/customers/{cust.id}/relationships/coverage").status_code == 404
    anon = client().get(f"/customers/{cust.id}/relationships/coverage")
    assert anon.status_code == 303 and "/login" in anon.headers["location"]


def test_empty_customer_section(session, ids):
    cust = customer(session, ids["ar1"], "空客户")
    session.flush()
    r = login("ar1").get(f"/customers/{cust.id}/relationships/coverage")
    assert r.status_code == 200
    data = _chart_data(r.text)
    assert {cell["state"] for cell in data["cells"]} == {"empty"} and len(data["cells"]) == 21
    assert 'data-testid="coverage-score">0<' in r.text
