"""Products and categories over /api/v1: CRUD, optimistic locking, permissions, bad input, the editor's search."""

from __future__ import annotations

from typer.testing import CliRunner

from loam.cli import app as cli_app
from tests.helpers import api, client


def test_crud_locking_and_recycle(connection):
    c = api("director")
    r = c.post("/api/v1/products", json={"code": "API-1", "name": "接口产品", "list_price": "1234.5", "unit": "套"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["list_price"] == "1234.50" and body["currency"] == "CNY" and body["status"] == "active"
    pid = body["id"]
    put = {"code": "API-1", "name": "接口产品二", "list_price": 99.9, "currency": "EUR", "version": 1}
    r = c.put(f"/api/v1/products/{pid}", json=put)
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["list_price"] == "99.90"
    assert c.put(f"/api/v1/products/{pid}", json=put | {"name": "stale"}).status_code == 409
    assert c.get(f"/api/v1/products/{pid}").json()["name"] == "接口产品二"
    assert c.post("/api/v1/products", json={"code": "api-1", "name": "重复"}).status_code == 409
    assert c.delete(f"/api/v1/products/{pid}").status_code == 204
    assert c.get(f"/api/v1/products/{pid}").status_code == 404
    assert c.post(f"/api/v1/products/{pid}/restore").json()["id"] == pid
    bin_ = api("admin").get("/api/v1/recycle", params={"entity": "product"})
    assert bin_.status_code == 200


def test_everyone_reads_only_managers_write(connection):
    pid = api("admin").post("/api/v1/products", json={"code": "RO-1", "name": "只读"}).json()["id"]
    for user in ("ar1", "finance1"):
        c = api(user)
        assert c.get(f"/api/v1/products/{pid}").status_code == 200
        assert c.put(f"/api/v1/products/{pid}", json={"code": "RO-1", "name": "改", "version": 1}).status_code == 403
        assert c.delete(f"/api/v1/products/{pid}").status_code == 403
        assert c.post("/api/v1/product-categories", json={"name": "无权"}).status_code == 403
    assert api("ar1").get(f"/api/v1/products/{pid}").json()["name"] == "只读"
    assert client().get("/api/v1/product-categories").status_code == 401


def test_bad_input_is_422_and_changes_nothing(connection):
    c = api("admin")
    before = c.get("/api/v1/products").json()["total"]
    for payload in (
        {"code": "", "name": "x"},
        {"code": "x" * 41, "name": "x"},
        {"code": "A", "name": ""},
        {"code": "A", "name": "x", "list_price": "-1"},
        {"code": "A", "name": "x", "list_price": "1.234"},
        {"code": "A", "name": "x", "list_price": "1e30"},
        {"code": "A", "name": "x", "list_price": "NaN"},
        {"code": "A", "name": "x", "currency": "RMB1"},
        {"code": "A", "name": "x", "currency": "¥¥¥"},
        {"code": "A", "name": "x", "status": "gone"},
        {"code": "A", "name": "x", "category_id": 0},
        {"code": "A", "name": "x", "unit": "x" * 21},
        {"code": "A", "name": "x", "custom": {"unknown": 1}},
        {"code": "A", "name": "x", "version": 3},
        {"code": "A", "name": "x", "created_by": 1},
        {"code": "A", "name": "x", "deleted_at": "2020-01-01T00:00:00"},
        {},
    ):
        assert c.post("/api/v1/products", json=payload).status_code == 422, payload
    assert c.post("/api/v1/products", json={"code": "A", "name": "x", "category_id": 999999}).status_code == 422
    assert c.get("/api/v1/products").json()["total"] == before
    assert c.get("/api/v1/products?sort=password").status_code == 422
    assert c.get("/api/v1/products?colour=red").status_code == 422
    assert c.get("/api/v1/products?status=gone").status_code == 422
    assert c.get("/api/v1/product-categories?colour=red").status_code == 422
    assert c.get("/api/v1/products/99999999999").status_code == 422


def test_search_for_the_line_editor(connection):
    c = api("admin")
    for code, status in (("EDIT-1", "active"), ("EDIT-2", "inactive"), ("OTHER-3", "active")):
        assert c.post("/api/v1/products", json={"code": code, "name": "编辑器", "status": status}).status_code == 201
    found = api("ar1").get("/api/v1/products", params={"q": "edit", "status": "active"}).json()
    assert [p["code"] for p in found["items"]] == ["EDIT-1"] and found["total"] == 1
    everything = api("ar1").get("/api/v1/products", params={"q": "编辑", "sort": "-code", "page_size": 2}).json()
    assert [p["code"] for p in everything["items"]] == ["OTHER-3", "EDIT-2"] and everything["page_size"] == 2


def test_categories_api(connection):
    c = api("admin")
    hw = c.post("/api/v1/product-categories", json={"name": "硬件"}).json()
    srv = c.post("/api/v1/product-categories", json={"name": "服务器", "parent_id": hw["id"]}).json()
    assert c.post("/api/v1/product-categories", json={"name": "服务器", "parent_id": hw["id"]}).status_code == 409
    tree = api("ar1").get("/api/v1/product-categories").json()
    mine = [(i["path"], i["depth"]) for i in tree["items"] if i["id"] in (hw["id"], srv["id"])]
    assert mine == [("硬件", 0), ("硬件 / 服务器", 1)]
    r = c.put(f"/api/v1/product-categories/{hw['id']}", json={"name": "硬件", "parent_id": srv["id"]})
    assert r.status_code == 422  # not under its own child
    r = c.put(f"/api/v1/product-categories/{srv['id']}", json={"name": "服务器们", "version": srv["version"]})
    assert r.status_code == 200 and r.json()["parent_id"] is None
    assert c.get(f"/api/v1/product-categories/{srv['id']}").json()["name"] == "服务器们"
    p = c.post("/api/v1/products", json={"code": "CAT-1", "name": "分类中", "category_id": srv["id"]}).json()
    assert c.get("/api/v1/products", params={"category_id": srv["id"]}).json()["total"] == 1
    assert c.delete(f"/api/v1/product-categories/{srv['id']}").status_code == 409
    c.put(f"/api/v1/products/{p['id']}", json={"code": "CAT-1", "name": "分类中", "version": 1})
    assert c.delete(f"/api/v1/product-categories/{srv['id']}").status_code == 204
    assert c.get(f"/api/v1/product-categories/{srv['id']}").status_code == 404


def test_cli_add_and_list(connection):
    runner = CliRunner()
    api("admin").post("/api/v1/product-categories", json={"name": "命令行"})
    args = ["products", "add", "CLI-1", "命令行产品", "--price", "1,234.5", "--unit", "台", "--category", "命令行"]
    result = runner.invoke(cli_app, [*args, "--as", "director"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli_app, ["products", "list", "--json", "--as", "ar1", "--q", "CLI-"])
    assert listed.exit_code == 0, listed.output
    import json

    rows = json.loads(listed.output)
    assert [(r["code"], r["list_price"], r["unit"], r["category"]) for r in rows] == [
        ("CLI-1", "1234.50", "台", "命令行")
    ]
    table = runner.invoke(cli_app, ["products", "list", "--as", "ar1"])
    assert table.exit_code == 0 and "CLI-1" in table.output and "1,234.50 CNY" in table.output
    for bad in (
        [*args, "--as", "ar1"],  # no products.manage
        [*args, "--as", "director"],  # the code is taken
        ["products", "add", "CLI-2", "x", "--price", "abc", "--as", "director"],
        ["products", "add", "CLI-2", "x", "--price", "1", "--category", "不存在", "--as", "director"],
        ["products", "add", "CLI-2", "x", "--price", "-1", "--as", "director"],
        ["products", "list", "--status", "gone", "--as", "ar1"],
        ["products", "list", "--as", "nobody"],
    ):
        result = runner.invoke(cli_app, bad)
        assert result.exit_code == 1, (bad, result.output)
        assert "error:" in result.output and "Traceback" not in result.output
