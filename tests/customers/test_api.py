from __future__ import annotations

from tests.helpers import api, login, post_form


def test_crud_and_optimistic_locking(connection):
    c = api("ar1")
    r = c.post("/api/v1/customers", json={"name": "广西河池电信分公司"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["owner_id"] is not None and body["version"] == 1
    cid = body["id"]
    r = c.put(f"/api/v1/customers/{cid}", json={"name": "河池电信", "version": 1, "level": "key"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = c.put(f"/api/v1/customers/{cid}", json={"name": "stale", "version": 1})
    assert r.status_code == 409
    assert c.get(f"/api/v1/customers/{cid}").json()["name"] == "河池电信"


def test_server_owned_fields_cannot_be_set(connection):
    c = api("ar1")
    r = c.post("/api/v1/customers", json={"name": "X", "owner_id": 1})
    assert r.status_code == 422
    r = c.post("/api/v1/customers", json={"name": "X", "deleted_at": "2020-01-01T00:00:00"})
    assert r.status_code == 422


def test_bad_input_is_422_and_changes_nothing(connection):
    c = api("ar1")
    before = c.get("/api/v1/customers").json()["total"]
    for payload in (
        {"name": ""},
        {"name": "x" * 201},
        {"name": "ok", "level": "huge"},
        {"name": "ok", "next_contact_at": "not-a-date"},
        {"name": 5},
        {},
    ):
        assert c.post("/api/v1/customers", json=payload).status_code == 422, payload
    assert c.get("/api/v1/customers?sort=password").status_code == 422
    assert c.get("/api/v1/customers?page=0").status_code == 422
    assert c.get("/api/v1/customers").json()["total"] == before


def test_script_in_name_renders_as_text(connection):
    c = login("ar1")
    r = post_form(c, "/customers", {"name": "<script>alert(1)</script>公司"})
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;公司" in page.text


def test_list_filter_sort_page(connection):
    c = api("ar1")
    for i in range(30):
        c.post("/api/v1/customers", json={"name": f"分页测试{i:02d}", "level": "key" if i % 3 == 0 else "normal"})
    r = c.get("/api/v1/customers", params={"q": "分页测试", "page_size": 10, "sort": "name"})
    data = r.json()
    assert data["total"] == 30 and len(data["items"]) == 10 and data["items"][0]["name"] == "分页测试00"
    r = c.get("/api/v1/customers", params={"q": "分页测试", "level": "key", "sort": "-name"})
    assert r.json()["total"] == 10 and r.json()["items"][0]["name"] == "分页测试27"


def test_web_form_errors_rerender_and_keep_input(connection):
    c = login("ar1")
    r = post_form(c, "/customers", {"name": "", "phone": "12345"})
    assert r.status_code == 422
    assert 'data-testid="error-name"' in r.text and 'value="12345"' in r.text


def test_an_unknown_list_parameter_is_a_422_not_the_unfiltered_list(connection) -> None:
    from tests.helpers import api

    c = api("ar1")
    assert c.get("/api/v1/customers", params={"levle": "key"}).status_code == 422
    assert c.get("/api/v1/leads", params={"custom[x]": "1"}).status_code == 422
    assert c.get("/api/v1/customers", params={"level": "key", "cf_region": "华南", "page": 1}).status_code == 200
