"""The export API and pages: access (401 / 403 with nothing created / 404 for another user's job), the
202 job, the list page's Export button, the exports page, and the `loam export` command."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from loam.cli import app as cli_app
from loam.exports import service
from tests.exports.helpers import read
from tests.helpers import api, client, login, make_customer


def test_anonymous_is_refused(connection) -> None:
    anon = client()
    assert anon.post("/api/v1/exports", json={"entity": "customer"}).status_code == 401
    assert anon.get("/api/v1/exports").status_code == 401
    r = anon.get("/exports")
    assert r.status_code == 303 and "/login" in r.headers["location"]


def test_without_data_export_is_403_and_creates_nothing(connection) -> None:
    c = api("ar1")
    r = c.post("/api/v1/exports", json={"entity": "customer", "format": "csv"})
    assert r.status_code == 403
    assert c.get("/api/v1/exports").json()["total"] == 0
    assert c.get("/api/v1/jobs?kind=export").json()["total"] == 0


def test_start_run_and_download(connection, session, ids) -> None:
    make_customer(session, ids["ar1"], "南宁供电局", level="key")
    make_customer(session, ids["ar1"], "柳州供电局", level="minor")
    c = api("director")
    r = c.post("/api/v1/exports", json={"entity": "customer", "format": "csv", "filters": {"level": "key"}})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "export" and job["status"] == "queued" and job["params"]["filters"] == {"level": "key"}
    assert service.run_job(job["id"]) == "done"
    body = c.get(f"/api/v1/jobs/{job['id']}").json()
    assert body["status"] == "done" and body["done"] == body["total"] == 1 and body["has_output"]
    out = c.get(f"/api/v1/jobs/{job['id']}/output")
    assert out.status_code == 200 and out.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in out.headers["content-disposition"] and ".csv" in out.headers["content-disposition"]
    assert [row["id"] for row in c.get("/api/v1/exports").json()["items"]] == [job["id"]]
    other = api("admin")
    assert other.get(f"/api/v1/jobs/{job['id']}").status_code in (200, 404)  # admins see every job
    assert api("ar1").get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert api("ar1").get(f"/api/v1/jobs/{job['id']}/output").status_code == 404


def test_bad_input_is_422(connection) -> None:
    c = api("director")
    for body in (
        {"entity": "customer", "format": "pdf"},
        {"entity": "users"},
        {"entity": "customer", "filters": {"level": "huge"}},
        {"entity": "customer", "sort": "password"},
        {"entity": "customer", "extra": 1},
    ):
        assert c.post("/api/v1/exports", json=body).status_code == 422, body
    assert c.get("/api/v1/exports").json()["total"] == 0


def test_export_button_and_exports_page(connection, session, ids) -> None:
    make_customer(session, ids["ar1"], "桂林电信", level="key")
    director = login("director")
    page = director.get("/customers")
    assert 'data-testid="export-xlsx"' in page.text
    for path in ("/leads", "/contacts", "/followups"):
        assert 'data-testid="export-csv"' in director.get(path).text, path
    assert 'data-testid="export-xlsx"' not in login("ar1").get("/customers").text
    r = director.post(
        "/exports",
        data={"entity": "customer", "format": "xlsx", "level": "key", "q": "", "sort": "name"},
        headers={"HX-Request": "true", "X-CSRF-Token": director.csrf},  # type: ignore[attr-defined]
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"].endswith("/exports")
    listed = director.get("/exports")
    assert listed.status_code == 200 and 'data-testid="job-progress"' in listed.text
    job = service.list_exports(session, _scope(session, ids["director"]))[0][0]
    assert job.params["filters"] == {"level": "key"} and job.params["sort"] == "name"
    service.run_job(job.id)
    assert 'data-testid="job-download"' in director.get("/exports").text
    assert login("ar1").get("/exports").status_code == 403


def _scope(session, user_id):  # type: ignore[no-untyped-def]
    from tests.helpers import scope_of

    return scope_of(session, user_id)


def test_cli_exports_with_a_summary(connection, session, ids, tmp_path) -> None:
    c = make_customer(session, ids["ar1"], "北海港务局")
    target = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        cli_app,
        ["export", "customer", str(target), "--as", "director", "--json", "--filter", "q=北海", "--sort", "name"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["rows"] == 1 and summary["seconds"] >= 0
    rows = read(target)
    assert len(rows) == 2 and int(rows[1][0]) == c.id


def test_cli_errors_exit_1_without_a_traceback(connection, tmp_path) -> None:
    runner = CliRunner()
    for args in (
        ["export", "customer", str(tmp_path / "x.pdf"), "--as", "director"],
        ["export", "customer", str(tmp_path / "x.csv"), "--as", "nobody"],
        ["export", "customer", str(tmp_path / "x.csv"), "--as", "ar1"],
        ["export", "planets", str(tmp_path / "x.csv"), "--as", "director"],
        ["export", "customer", str(tmp_path / "x.csv"), "--as", "director", "--filter", "level=huge"],
        ["export", "customer", str(tmp_path / "x.csv"), "--as", "director", "--filter", "nonsense"],
    ):
        result = runner.invoke(cli_app, args)
        assert result.exit_code == 1, (args, result.output)
        assert "error:" in result.output and "Traceback" not in result.output
    assert runner.invoke(cli_app, ["export", "customer", str(tmp_path / "a.csv"), "--json"]).exit_code == 0
