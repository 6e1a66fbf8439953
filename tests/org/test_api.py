from __future__ import annotations

import pytest

from loam.authz.permissions import Module
from tests.helpers import api, client, login

ENDPOINTS = [
    ("GET", "/api/v1/departments"),
    ("POST", "/api/v1/departments"),
    ("GET", "/api/v1/departments/1"),
    ("PUT", "/api/v1/departments/1"),
    ("DELETE", "/api/v1/departments/1"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/1"),
    ("PUT", "/api/v1/users/1"),
    ("POST", "/api/v1/users/1/deactivate"),
    ("POST", "/api/v1/users/1/activate"),
    ("POST", "/api/v1/users/1/password"),
    ("GET", "/api/v1/roles"),
    ("POST", "/api/v1/roles"),
    ("GET", "/api/v1/roles/1"),
    ("PUT", "/api/v1/roles/1"),
    ("DELETE", "/api/v1/roles/1"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401(connection, method, path):
    assert client().request(method, path).status_code == 401


def test_address_book_is_readable_by_everyone_without_secrets(connection, ids):
    c = api("ar1")
    r = c.get("/api/v1/users", params={"page_size": 200})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 7
    row = next(u for u in body["items"] if u["username"] == "ar1")
    assert "password_hash" not in row and row["department_id"] == ids["team1"] and row["role_ids"]
    assert "argon2" not in r.text
    assert c.get(f"/api/v1/users/{ids['ar2']}").json()["username"] == "ar2"
    assert c.get("/api/v1/users", params={"department_id": ids["team1"]}).json()["total"] == 3
    depts = c.get("/api/v1/departments").json()
    assert depts[0]["id"] == ids["company"] and {d["id"] for d in depts} >= {ids["team1"], ids["team2"]}
    assert c.get(f"/api/v1/departments/{ids['team1']}").json()["kind"] == "team"


def test_non_admin_cannot_write_or_read_roles(connection, ids):
    c = api("ar1")
    assert c.post("/api/v1/departments", json={"name": "x"}).status_code == 403
    assert c.put(f"/api/v1/departments/{ids['team1']}", json={"name": "x", "version": 1}).status_code == 403
    assert c.delete(f"/api/v1/departments/{ids['team2']}").status_code == 403
    new_user = {"username": "sneaky", "display_name": "x", "password": "12345678"}
    assert c.post("/api/v1/users", json=new_user).status_code == 403
    assert c.put(f"/api/v1/users/{ids['ar1']}", json={"display_name": "x", "version": 1}).status_code == 403
    assert c.post(f"/api/v1/users/{ids['ar2']}/deactivate").status_code == 403
    assert c.post(f"/api/v1/users/{ids['ar2']}/activate").status_code == 403
    assert c.post(f"/api/v1/users/{ids['ar2']}/password", json={"password": "12345678"}).status_code == 403
    assert c.get("/api/v1/roles").status_code == 403
    assert c.get("/api/v1/roles/1").status_code == 403
    assert c.post("/api/v1/roles", json={"code": "xx", "name_zh": "x", "name_en": "x"}).status_code == 403
    assert c.put("/api/v1/roles/1", json={"name_zh": "x", "name_en": "x", "version": 1}).status_code == 403
    assert c.delete("/api/v1/roles/1").status_code == 403
    assert api("admin").get(f"/api/v1/users/{ids['ar2']}").json()["is_active"] is True


def test_department_crud_move_and_errors(connection, ids):
    c = api("admin")
    r = c.post("/api/v1/departments", json={"name": "华东地区部", "kind": "region", "parent_id": ids["company"]})
    assert r.status_code == 201, r.text
    region = r.json()
    assert region["path"] == f"/{ids['company']}/{region['id']}/" and region["version"] == 1
    office = c.post(
        "/api/v1/departments", json={"name": "上海代表处", "kind": "office", "parent_id": region["id"]}
    ).json()
    # moving the region under its own office: 422
    bad = {"name": "华东地区部", "kind": "region", "parent_id": office["id"], "version": 1}
    assert c.put(f"/api/v1/departments/{region['id']}", json=bad).status_code == 422
    # moving the office under the account department rewrites its path
    move = {"name": "上海代表处", "kind": "office", "parent_id": ids["office"], "version": 1}
    r = c.put(f"/api/v1/departments/{office['id']}", json=move)
    assert r.status_code == 200 and r.json()["path"].endswith(f"/{ids['office']}/{office['id']}/")
    assert c.put(f"/api/v1/departments/{office['id']}", json=move).status_code == 409  # stale
    assert c.post("/api/v1/departments", json={"name": "x", "kind": "planet"}).status_code == 422
    assert c.post("/api/v1/departments", json={"name": "x", "path": "/1/"}).status_code == 422
    assert c.delete(f"/api/v1/departments/{ids['team1']}").status_code == 409
    assert c.delete(f"/api/v1/departments/{office['id']}").status_code == 204
    assert c.get(f"/api/v1/departments/{office['id']}").status_code == 404


def test_user_crud_and_errors(connection, ids):
    c = api("admin")
    ar_role = next(r["id"] for r in c.get("/api/v1/roles").json() if r["code"] == "ar")
    body = {
        "username": "newar",
        "display_name": "新客户经理",
        "email": "newar@example.com",
        "password": "long-enough",
        "department_id": ids["team2"],
        "manager_id": ids["director"],
        "role_ids": [ar_role],
    }
    r = c.post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["role_ids"] == [ar_role] and "password" not in u and "password_hash" not in u
    assert c.post("/api/v1/users", json=body).status_code == 409
    assert c.post("/api/v1/users", json=body | {"username": "short", "password": "1234567"}).status_code == 422
    assert c.post("/api/v1/users", json=body | {"username": "bad name!"}).status_code == 422
    assert c.post("/api/v1/users", json=body | {"username": "pw", "password_hash": "x"}).status_code == 422
    upd = {k: u[k] for k in ("display_name", "email", "department_id", "manager_id", "role_ids", "version")}
    r = c.put(f"/api/v1/users/{u['id']}", json=upd | {"title": "AR"})
    assert r.status_code == 200 and r.json()["title"] == "AR" and r.json()["version"] == 2
    assert c.put(f"/api/v1/users/{u['id']}", json=upd).status_code == 409
    # manager cycle: director reporting to the new user who reports to the director
    director = c.get(f"/api/v1/users/{ids['director']}").json()
    cyc = {k: director[k] for k in ("display_name", "email", "department_id", "role_ids", "version")}
    assert c.put(f"/api/v1/users/{ids['director']}", json=cyc | {"manager_id": u["id"]}).status_code == 422
    assert c.get("/api/v1/users/999999").status_code == 404


def test_deactivation_ends_sessions_at_the_next_request(connection, ids):
    browser = login("ar2")
    token_client = api("ar2")
    assert browser.get("/customers").status_code == 200
    assert token_client.get("/api/v1/auth/me").status_code == 200
    admin = api("admin")
    r = admin.post(f"/api/v1/users/{ids['ar2']}/deactivate")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert browser.get("/customers").status_code == 303
    assert token_client.get("/api/v1/auth/me").status_code == 401
    assert admin.post(f"/api/v1/users/{ids['admin']}/deactivate").status_code == 422  # not yourself
    assert admin.post(f"/api/v1/users/{ids['ar2']}/activate").json()["is_active"] is True
    assert browser.get("/customers").status_code == 303  # old sessions stay ended
    login("ar2")


def test_password_reset(connection, ids):
    admin = api("admin")
    browser = login("sr1")
    assert admin.post(f"/api/v1/users/{ids['sr1']}/password", json={"password": "short"}).status_code == 422
    assert admin.post(f"/api/v1/users/{ids['sr1']}/password", json={"password": "a-new-secret"}).status_code == 204
    assert browser.get("/").status_code == 303
    r = client().post("/api/v1/auth/token", data={"username": "sr1", "password": "loam-demo"})
    assert r.status_code == 401
    api("sr1", "a-new-secret")


def test_roles_crud(connection, ids):
    c = api("admin")
    roles = c.get("/api/v1/roles").json()
    ar = next(r for r in roles if r["code"] == "ar")
    assert ar["builtin"] and "customers.view" in ar["permissions"] and ar["data_scopes"]["customers"] == 1
    r = c.post(
        "/api/v1/roles",
        json={
            "code": "viewer",
            "name_zh": "只读",
            "name_en": "Viewer",
            "permissions": ["customers.view"],
            "data_scopes": {"customers": 5},
        },
    )
    assert r.status_code == 201, r.text
    role = r.json()
    assert role["data_scopes"] == {m.value: 1 for m in Module} | {"customers": 5}
    assert c.post("/api/v1/roles", json={"code": "viewer", "name_zh": "x", "name_en": "x"}).status_code == 409
    assert (
        c.post("/api/v1/roles", json={"code": "v2", "name_zh": "x", "name_en": "x", "permissions": ["god"]}).status_code
        == 422
    )
    bad_scope = {"code": "v3", "name_zh": "x", "name_en": "x", "data_scopes": {"customers": 6}}
    assert c.post("/api/v1/roles", json=bad_scope).status_code == 422
    upd = {"name_zh": "只读二", "name_en": "Viewer", "permissions": [], "data_scopes": {}, "version": 1}
    r = c.put(f"/api/v1/roles/{role['id']}", json=upd)
    assert r.status_code == 200 and r.json()["permissions"] == [] and r.json()["version"] == 2
    assert c.put(f"/api/v1/roles/{role['id']}", json=upd).status_code == 409
    assert c.delete(f"/api/v1/roles/{ar['id']}").status_code == 409  # built-in
    assert c.delete(f"/api/v1/roles/{role['id']}").status_code == 204
    assert c.get(f"/api/v1/roles/{role['id']}").status_code == 404


def test_role_edit_changes_what_a_user_sees(session, ids):
    from tests.helpers import make_customer

    theirs = make_customer(session, ids["sr1"], "陈静的客户")
    ar1 = api("ar1")
    assert ar1.get(f"/api/v1/customers/{theirs.id}").status_code == 404
    admin = api("admin")
    ar = next(r for r in admin.get("/api/v1/roles").json() if r["code"] == "ar")
    upd = {k: ar[k] for k in ("name_zh", "name_en", "description", "permissions", "version")}
    r = admin.put(f"/api/v1/roles/{ar['id']}", json=upd | {"data_scopes": ar["data_scopes"] | {"customers": 3}})
    assert r.status_code == 200, r.text
    assert ar1.get(f"/api/v1/customers/{theirs.id}").status_code == 200  # same token, next request
    listed = {c["id"] for c in ar1.get("/api/v1/customers", params={"page_size": 200}).json()["items"]}
    assert theirs.id in listed
    # ar2 (another team) still does not see it
    assert api("ar2").get(f"/api/v1/customers/{theirs.id}").status_code == 404


def test_json_bodies_are_strict_and_ids_bounded(connection, ids):
    c = api("admin")
    assert c.post("/api/v1/departments", json={"name": "x", "sort_order": False}).status_code == 422
    assert c.post("/api/v1/departments", json={"name": "x", "parent_id": str(ids["company"])}).status_code == 422
    assert c.post("/api/v1/departments", json={"name": "x", "parent_id": 2**40}).status_code == 422
    body = {"username": "strict1", "display_name": "x", "password": "12345678"}
    assert c.post("/api/v1/users", json=body | {"role_ids": ["1"]}).status_code == 422
    assert c.post("/api/v1/users", json=body | {"manager_id": True}).status_code == 422
    assert (
        c.post(
            "/api/v1/roles", json={"code": "s1", "name_zh": "x", "name_en": "x", "data_scopes": {"leads": "5"}}
        ).status_code
        == 422
    )
    for path in ("/api/v1/users/9223372036854775808", "/api/v1/departments/0", "/api/v1/roles/99999999999"):
        assert c.get(path).status_code == 422
    assert c.post("/api/v1/users/9223372036854775808/deactivate").status_code == 422
