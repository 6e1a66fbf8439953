"""The reports API (/api/v1/reports/<name>, xlsx) and the sales-targets API; xlsx files opened with calamine."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from python_calamine import CalamineWorkbook

from loam.reports import service
from loam.reports.periods import today
from tests import helpers
from tests.helpers import api
from tests.reports.factories import CUR

D = Decimal


def sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_report_json_matches_the_service(connection, session, world, ids):
    c = api("ar1")
    r = c.get("/api/v1/reports/funnel", params={"currency": CUR})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "funnel" and body["currency"] == CUR
    stages = body["tables"][0]
    assert [row["count"] for row in stages["rows"]] == [1, 1, 1, 1]
    assert stages["total"]["amount"] == "1000000.00" and stages["total"]["weighted"] == "510000.00"
    assert {col["key"]: col["kind"] for col in stages["columns"]}["amount"] == "money"
    listed = [x["name"] for x in c.get("/api/v1/reports").json()]
    assert listed == list(service.DEFINITIONS)


def test_report_api_refuses_bad_filters_and_unknown_reports(connection, world):
    c = api("admin")
    assert c.get("/api/v1/reports/funnel", params={"pipline_id": 1}).status_code == 422  # misspelt
    assert c.get("/api/v1/reports/funnel", params={"period": "someday"}).status_code == 422
    assert c.get("/api/v1/reports/funnel", params={"by": "user"}).status_code == 422
    assert c.get("/api/v1/reports/trend", params={"period": "custom", "date_from": "2026-02-01"}).status_code == 422
    assert c.get("/api/v1/reports/funnel", params={"department_id": 99999999999}).status_code == 422
    assert c.get("/api/v1/reports/nonsense").status_code == 404
    assert c.get("/api/v1/reports/funnel", params={"currency": "US"}).status_code == 422
    assert api("ar1").get("/api/v1/reports/winrate", params={"currency": CUR}).status_code == 200


def test_xlsx_has_the_same_numbers(connection, world):
    c = api("admin")
    params = {"currency": CUR}
    numbers = c.get("/api/v1/reports/winrate", params=params).json()
    r = c.get("/api/v1/reports/winrate/xlsx", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "report_winrate_" in r.headers["content-disposition"]
    book = sheets(r.content)
    assert len(book) == 3
    api_users = next(t for t in numbers["tables"] if t["key"] == "users")
    users = next(rows for rows in book.values() if rows[0] == [col["label"] for col in api_users["columns"]])
    assert [(row[0], int(row[2]), int(row[3]), round(row[4], 2)) for row in users[1:]] == [
        (u["user"], u["won"], u["lost"], float(u["rate"])) for u in api_users["rows"]
    ]
    api_months = next(t for t in numbers["tables"] if t["key"] == "months")
    months = next(rows for rows in book.values() if rows[0] == [col["label"] for col in api_months["columns"]])
    assert len(months) == 1 + 12 + 1  # header, twelve months, total
    assert months[-1][0] == api_months["total"]["period"] and int(months[-1][1]) == 3 and months[-1][4] == 680000.0
    assert months[-1][3] == 60.0  # the win rate, 0–100 as on the page


def test_receivables_xlsx_sheets(connection, world):
    start = (today() - timedelta(days=200)).isoformat()
    wide = {"currency": CUR, "period": "custom", "date_from": start, "date_to": today().isoformat()}
    c = api("ar1")
    numbers = c.get("/api/v1/reports/receivables", params=wide).json()
    book = sheets(c.get("/api/v1/reports/receivables/xlsx", params=wide).content)
    assert len(book) == 3
    labels = [col["label"] for col in next(t for t in numbers["tables"] if t["key"] == "ageing")["columns"]]
    ageing = next(rows for rows in book.values() if rows[0] == labels)
    assert [int(row[1]) for row in ageing[1:-1]] == [0, 1, 0, 0] and ageing[-1][2] == 200000.0


def test_sales_targets_api_crud(connection, world, ids):
    c = api("admin")
    body = {
        "year": today().year,
        "metric": "contract_amount",
        "user_id": ids["ar1"],
        "currency": CUR,
        "months": ["10.00"] * 12,
    }
    r = c.post("/api/v1/sales-targets", json=body)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["total"] == "120.00" and t["quarters"] == ["30.00"] * 4 and len(t["months"]) == 12
    assert c.post("/api/v1/sales-targets", json=body).status_code == 409
    assert c.post("/api/v1/sales-targets", json=body | {"department_id": ids["team1"]}).status_code == 422
    assert c.post("/api/v1/sales-targets", json=body | {"months": ["1"] * 11}).status_code == 422
    assert c.post("/api/v1/sales-targets", json=body | {"months": ["-1"] * 12}).status_code == 422
    listed = c.get("/api/v1/sales-targets", params={"year": today().year, "user_id": ids["ar1"]}).json()
    assert [x["id"] for x in listed["items"]] == [t["id"]]
    assert c.get("/api/v1/sales-targets", params={"yaer": 2026}).status_code == 422
    put = c.put(
        f"/api/v1/sales-targets/{t['id']}", json={"currency": CUR, "months": ["1"] * 12, "version": t["version"]}
    )
    assert put.status_code == 200 and put.json()["total"] == "12.00"
    stale = c.put(
        f"/api/v1/sales-targets/{t['id']}", json={"currency": CUR, "months": ["2"] * 12, "version": t["version"]}
    )
    assert stale.status_code == 409
    ar1 = api("ar1")
    assert ar1.get(f"/api/v1/sales-targets/{t['id']}").status_code == 200
    assert ar1.delete(f"/api/v1/sales-targets/{t['id']}").status_code == 403
    assert api("ar2").get(f"/api/v1/sales-targets/{t['id']}").status_code == 404
    assert c.delete(f"/api/v1/sales-targets/{t['id']}").status_code == 204
    assert c.get(f"/api/v1/sales-targets/{t['id']}").status_code == 404


def test_reports_need_reports_view(connection, session):
    from loam.org import service as org_service
    from loam.org.schemas import UserCreate

    org_service.create_user(
        session, UserCreate(username="noreport", display_name="无报表权限", password="no-report-pass-1", role_ids=[])
    )
    session.flush()
    c = api("noreport", "no-report-pass-1")
    assert c.get("/api/v1/reports").status_code == 403
    assert c.get("/api/v1/reports/funnel").status_code == 403
    assert c.get("/api/v1/reports/funnel/xlsx").status_code == 403
    assert c.get("/api/v1/sales-targets").status_code == 403
    assert helpers.client().get("/api/v1/reports/funnel").status_code == 401
