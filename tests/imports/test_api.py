"""The import API: upload, configure, dry run, run, rows, history, the error file; access rules."""

from __future__ import annotations

from loam.imports import service
from tests.helpers import api, client
from tests.imports.factory import csv_bytes

ROWS = [["公司名称", "手机", "邮箱"], ["接口客户甲", "13800000001", "a@b.cn"], ["接口客户乙", "", "bad"]]


def _upload(c, rows=ROWS, name="c.csv", entity="customer"):  # type: ignore[no-untyped-def]
    return c.post("/api/v1/imports", data={"entity": entity}, files={"file": (name, csv_bytes(rows), "text/csv")})


def test_upload_configure_dry_run_and_run(connection) -> None:
    c = api("admin")
    r = _upload(c)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["header"] == ["公司名称", "手机", "邮箱"] and body["mapping"] == ["name", "phone", "email"]
    assert body["job"]["status"] == "draft" and body["preview"][0][0] == "接口客户甲"
    job_id = body["job"]["id"]
    r = c.put(f"/api/v1/imports/{job_id}", json={"mapping": {"邮箱": ""}, "on_duplicate": "update"})
    assert (
        r.status_code == 200 and r.json()["mapping"] == ["name", "phone", ""] and r.json()["on_duplicate"] == "update"
    )
    assert c.post(f"/api/v1/imports/{job_id}/dry-run").status_code == 202
    service.run_job(job_id)
    dry = c.get(f"/api/v1/imports/{job_id}").json()
    assert dry["job"]["status"] == "draft" and dry["last_dry_run"]["counts"]["new"] == 2
    r = c.post(f"/api/v1/imports/{job_id}/run")
    assert r.status_code == 202 and r.json()["status"] == "queued"
    service.run_job(job_id)
    done = c.get(f"/api/v1/jobs/{job_id}").json()
    assert done["status"] == "done" and done["result"]["counts"]["new"] == 2 and done["rows_per_second"] > 0
    assert c.post(f"/api/v1/imports/{job_id}/run").status_code == 409  # a finished import does not run twice
    history = c.get("/api/v1/imports").json()
    assert job_id in [j["id"] for j in history["items"]]


def test_rows_list_and_error_file_download(connection) -> None:
    c = api("admin")
    job_id = _upload(c).json()["job"]["id"]
    c.post(f"/api/v1/imports/{job_id}/run")
    service.run_job(job_id)
    rows = c.get(f"/api/v1/imports/{job_id}/rows", params={"outcome": "error"}).json()
    assert rows["total"] == 1 and rows["items"][0]["row_no"] == 3 and "bad" in rows["items"][0]["message"]
    r = c.get(f"/api/v1/jobs/{job_id}/output")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_bad_files_and_bad_options_are_422(connection) -> None:
    c = api("admin")
    assert _upload(c, name="c.pdf").status_code == 422
    r = c.post("/api/v1/imports", data={"entity": "customer"}, files={"file": ("e.csv", b"", "text/csv")})
    assert r.status_code == 422 and r.json()["error"]
    assert _upload(c, entity="planet").status_code == 422
    job_id = _upload(c).json()["job"]["id"]
    assert c.put(f"/api/v1/imports/{job_id}", json={"mapping": ["name", "name", ""]}).status_code == 422
    assert c.put(f"/api/v1/imports/{job_id}", json={"mapping": ["name"]}).status_code == 422
    assert c.put(f"/api/v1/imports/{job_id}", json={"mapping": ["", "phone", "email"]}).status_code == 422
    assert c.put(f"/api/v1/imports/{job_id}", json={"on_duplicate": "merge"}).status_code == 422
    assert c.put(f"/api/v1/imports/{job_id}", json={"owner_id": 1}).status_code == 422


def test_access_rules(connection) -> None:
    assert client().post("/api/v1/imports", data={"entity": "customer"}).status_code == 401
    finance = api("finance1")
    r = _upload(finance)
    assert r.status_code == 403
    assert finance.get("/api/v1/imports").json()["total"] == 0
    job_id = _upload(api("ar1")).json()["job"]["id"]
    ar2 = api("ar2")
    assert ar2.get(f"/api/v1/imports/{job_id}").status_code == 404
    assert ar2.post(f"/api/v1/imports/{job_id}/run").status_code == 404
    assert ar2.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 404
    assert api("admin").get(f"/api/v1/imports/{job_id}").status_code == 200
