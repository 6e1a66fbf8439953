"""The health section of the customer's relationship page, an old snapshot explained, and the company view, in
zh_CN and en; scope first (404), then permission (403)."""

from __future__ import annotations

import json
import re

from loam.relationships import snapshots
from tests.helpers import login, post_form
from tests.relationships import health_helpers as hh


def _customer_with_history(session, ids) -> int:
    cid = hh.customer(session, ids["ar1"], "页面客户", tier="A")
    hh.mark(session, ids["ar1"], cid, "strategic_agreement", "exec_meetings", "joint_plan")  # org 45 → health 11
    hh.stored(session, cid, hh.months_ago(12), 62)
    hh.stored(session, cid, hh.months_ago(1), 40)
    snapshots.take(session, hh.this_month())  # the real snapshot of this month: 11
    return cid


def test_the_health_section(session, ids) -> None:
    cid = _customer_with_history(session, ids)
    web = login("ar1")
    r = web.get(f"/customers/{cid}/relationships/health")
    assert r.status_code == 200
    text = r.text
    assert re.search(r'data-testid="health-score">11<', text)
    assert 'data-testid="health-band" data-band="critical"' in text
    assert "+11" in text  # the organisational contribution
    # Trend: last month's and this month's snapshots, then today.
    option = json.loads(
        re.search(r'<script type="application/json" id="health-trend-\d+">(.*?)</script>', text, re.S).group(1)
    )
    assert option["series"][0]["data"] == [40, 11, 11]
    assert option["xAxis"]["data"][:2] == [f"{hh.months_ago(1):%Y-%m}", f"{hh.this_month():%Y-%m}"]
    assert f"{hh.months_ago(12):%Y-%m}" in text and "62" in text  # the same month last year
    assert text.count('data-testid="health-snapshot-row"') == 3
    assert "js/rel_charts.js" in text
    assert post_form(web, "/locale", {"locale": "en"}).status_code == 303
    en = web.get(f"/customers/{cid}/relationships/health").text
    assert "Relationship health" in en and "organisational relationships 45 × 25 %" in en
    assert "Same month last year" in en


def test_a_snapshot_explained_and_its_errors(session, ids) -> None:
    cid = _customer_with_history(session, ids)
    web = login("ar1")
    r = web.get(f"/customers/{cid}/relationships/health/{hh.this_month():%Y-%m}")
    assert r.status_code == 200 and 'data-testid="snapshot-health">11<' in r.text
    assert "snapshot-version-differs" not in r.text  # computed with the version in force
    assert web.get(f"/customers/{cid}/relationships/health/2001-01").status_code == 404  # no such snapshot
    assert web.get(f"/customers/{cid}/relationships/health/2001-13").status_code == 422


def test_the_section_obeys_scope_then_permission(session, ids) -> None:
    cid = _customer_with_history(session, ids)
    assert login("ar2").get(f"/customers/{cid}/relationships/health").status_code == 404
    assert login("director").get(f"/customers/{cid}/relationships/health").status_code == 200
    hh.without_relationships(session, ids)
    assert login("sr1").get(f"/customers/{cid}/relationships/health").status_code == 403
    assert login("sr1").get("/relationships").status_code == 403


def test_the_relationship_page_loads_the_section(session, ids) -> None:
    cid = _customer_with_history(session, ids)
    page = login("ar1").get(f"/customers/{cid}/relationships")
    assert page.status_code == 200 and 'data-testid="rel-health"' in page.text
    # One request fills health, key, coverage and org; those three sections have no request of their own.
    assert f'/customers/{cid}/relationships/layers"' in page.text
    for key in ("key", "coverage", "org"):
        section = re.search(rf'<section[^>]*id="rel-{key}"[^>]*>', page.text).group(0)
        assert "hx-get" not in section, section
    assert f'/customers/{cid}/relationships/powermap"' in page.text


def test_one_request_gives_the_four_layer_sections_as_their_own_requests_do(session, ids) -> None:
    cid = _customer_with_history(session, ids)
    web = login("ar1")
    r = web.get(f"/customers/{cid}/relationships/layers", headers={"HX-Request": "true"})
    assert r.status_code == 200
    own = {k: web.get(f"/customers/{cid}/relationships/{k}").text for k in ("health", "key", "coverage", "org")}
    expected = own["health"] + "".join(
        f'<div id="rel-{k}" hx-swap-oob="innerHTML">{own[k]}</div>' for k in ("key", "coverage", "org")
    )
    assert r.text == expected  # the same HTML, the layers computed once
    assert re.search(r'data-testid="health-score">11<', r.text)
    assert login("ar2").get(f"/customers/{cid}/relationships/layers").status_code == 404
    hh.without_relationships(session, ids)
    assert login("sr1").get(f"/customers/{cid}/relationships/layers").status_code == 403


def test_the_company_view(session, ids) -> None:
    c = hh.company(session, ids)
    web = login("director")
    r = web.get("/relationships")
    assert r.status_code == 200
    text = r.text
    assert re.search(r'data-testid="cell-critical-S">\s*<a [^>]*>1</a>', text)
    assert 'data-testid="matrix-total">4<' in text
    drops = re.findall(r'data-testid="drop-row" data-customer="(\d+)"', text)
    assert drops == [str(c["D"]), str(c["A"])]
    assert re.findall(r'data-testid="department-row" data-department="(\d+)"', text) == [
        str(ids["team1"]), str(ids["team2"])
    ]  # fmt: skip
    rows = re.findall(r'data-testid="health-customer-row" data-customer="(\d+)"', text)
    assert rows == [str(c["C"]), str(c["D"]), str(c["B"]), str(c["A"])]  # worst first
    assert "js/rel_charts.js" in text and 'data-echarts="health-matrix-chart"' in text
    # Filters: a band and a tier, and the HTMX partial of the list.
    only = web.get("/relationships", params={"band": "critical", "tier": "S"}).text
    assert re.findall(r'data-testid="health-customer-row" data-customer="(\d+)"', only) == [str(c["D"])]
    partial = web.get(
        "/relationships",
        params={"owner_id": ids["ar2"]},
        headers={"HX-Request": "true", "HX-Target": "health-customers"},
    )
    assert "<html" not in partial.text and partial.text.count('data-testid="health-customer-row"') == 1
    assert web.get("/relationships", params={"tier": "Z"}).status_code == 422
    assert post_form(web, "/locale", {"locale": "en"}).status_code == 303
    en = web.get("/relationships").text
    assert "Biggest drops this month" in en and "Account departments ranked" in en


def test_the_company_view_before_any_snapshot(session, ids) -> None:
    r = login("director").get("/relationships")
    assert r.status_code == 200 and 'data-testid="overview-empty"' in r.text
    assert 'lang="zh-CN"' in r.text
