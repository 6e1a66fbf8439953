from __future__ import annotations

import re

from sqlalchemy import select

from loam.org import repository as org_repo
from loam.org.models import Department, Role, User
from tests.helpers import client, login, post_form

PAGES = [
    "/settings/departments",
    "/settings/users",
    "/settings/users/new",
    "/settings/users/{ar2}/edit",
    "/settings/roles",
    "/settings/roles/new",
    "/settings/roles/1/edit",
]
POSTS = [
    "/settings/departments",
    "/settings/departments/{team2}",
    "/settings/departments/{team2}/delete",
    "/settings/users",
    "/settings/users/{ar2}/edit",
    "/settings/users/{ar2}/deactivate",
    "/settings/users/{ar2}/activate",
    "/settings/users/{ar2}/password",
    "/settings/roles",
    "/settings/roles/1/edit",
    "/settings/roles/1/delete",
]


def test_admin_pages_are_403_for_others_and_login_for_anonymous(connection, ids):
    c = login("ar1")
    anon = client()
    for page in PAGES:
        url = page.format(**ids)
        assert c.get(url).status_code == 403, url
        assert anon.get(url).status_code == 303, url
    for url in POSTS:
        r = post_form(c, url.format(**ids), {"name": "x", "password": "12345678", "display_name": "x", "version": "1"})
        assert r.status_code == 403, url
    assert 'href="/settings/users"' not in c.get("/").text  # no settings menu for them


def test_admin_pages_render(connection, ids):
    c = login("admin")
    for page in PAGES:
        r = c.get(page.format(**ids))
        assert r.status_code == 200, (page, r.text[:300])
    home = c.get("/").text
    assert "/settings/departments" in home and "/settings/roles" in home
    tree = c.get("/settings/departments").text
    assert 'data-testid="department-tree"' in tree and "南宁客户群一组" in tree
    users = c.get("/settings/users", params={"department_id": ids["team1"]}).text
    assert 'data-testid="user-ar1"' in users and 'data-testid="user-ar2"' not in users
    roles = c.get("/settings/roles/1/edit").text
    assert 'data-testid="permission-grid"' in roles and 'data-testid="scope-customers"' in roles
    assert c.get("/settings/users", params={"active": "maybe"}).status_code == 422
    blank = c.get("/settings/users", params={"q": "", "department_id": "", "active": "", "page": "1"})
    assert blank.status_code == 200 and 'data-testid="user-ar2"' in blank.text
    assert f'data-testid="department-{ids["team1"]}"' in tree
    assert c.get("/settings/departments", params={"edit": 999999}).status_code == 404


def test_department_forms(connection, session, ids):
    c = login("admin")
    r = post_form(c, "/settings/departments", {"name": "", "kind": "team", "parent_id": str(ids["office"])})
    assert r.status_code == 422 and 'data-testid="error-name"' in r.text
    r = post_form(
        c,
        "/settings/departments",
        {"name": "新团队", "kind": "team", "parent_id": str(ids["office"]), "sort_order": "3"},
    )
    assert r.status_code == 303
    dept = session.scalar(select(Department).where(Department.name == "新团队"))
    assert dept.path == f"/{ids['company']}/{ids['region']}/{ids['office']}/{dept.id}/"
    page = c.get("/settings/departments", params={"edit": ids["account"]}).text
    assert (
        f'value="{ids["team1"]}"' not in page.split('name="parent_id"')[1].split("</select>")[0]
    )  # no descendants offered
    version = str(session.get(Department, ids["account"]).version)
    form = {
        "name": "广西电信系统部",
        "kind": "account",
        "parent_id": str(dept.id),
        "version": version,
        "head_user_id": str(ids["director"]),
    }
    r = post_form(c, f"/settings/departments/{ids['account']}", form)
    assert r.status_code == 303, r.text[:500]
    session.expire_all()
    assert session.get(Department, ids["team1"]).path.startswith(
        f"/{ids['company']}/{ids['region']}/{ids['office']}/{dept.id}/"
    )
    r = post_form(
        c,
        f"/settings/departments/{dept.id}",
        {"name": "新团队", "kind": "team", "parent_id": str(ids["team1"]), "version": "1"},
    )
    assert r.status_code == 422 and 'data-testid="form-error"' in r.text
    r = post_form(c, f"/settings/departments/{ids['account']}", form)
    assert r.status_code == 409  # stale version, re-rendered
    assert post_form(c, f"/settings/departments/{ids['team1']}/delete").status_code == 409


def test_user_forms_create_edit_and_errors(connection, session, ids):
    c = login("admin")
    ar_role = org_repo.role_by_code(session, "ar")
    form = {
        "username": "formuser",
        "display_name": "表单用户",
        "email": "",
        "phone": "",
        "title": "",
        "department_id": str(ids["team1"]),
        "manager_id": "",
        "locale": "",
        "password": "1234567",
        "role_ids[]": [str(ar_role.id)],
    }
    r = post_form(c, "/settings/users", form)
    assert r.status_code == 422 and 'data-testid="error-password"' in r.text and 'value="formuser"' in r.text
    assert "1234567" not in r.text  # the password is not echoed back
    r = post_form(c, "/settings/users", form | {"password": "12345678"})
    assert r.status_code == 303, r.text[:500]
    u = session.scalar(select(User).where(User.username == "formuser"))
    assert u.department_id == ids["team1"] and u.email is None
    r = post_form(c, "/settings/users", form | {"password": "12345678"})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text
    edit = c.get(f"/settings/users/{u.id}/edit").text
    assert re.search(rf'value="{ar_role.id}"[^>]*checked[^>]*data-testid="role-ar"', edit)
    upd = {k: v for k, v in form.items() if k not in ("username", "password")} | {"version": "1", "title": "AR"}
    assert post_form(c, f"/settings/users/{u.id}/edit", upd).status_code == 303
    session.expire_all()
    assert session.get(User, u.id).title == "AR"
    assert post_form(c, f"/settings/users/{u.id}/edit", upd).status_code == 409  # stale
    r = post_form(
        c,
        f"/settings/users/{ids['director']}/edit",
        upd | {"version": "1", "manager_id": str(ids["ar1"]), "display_name": "王建国"},
    )
    assert r.status_code == 422  # director → ar1 → director
    r = post_form(c, f"/settings/users/{u.id}/password", {"password": "short"})
    assert r.status_code == 422 and 'data-testid="error-pw.password"' in r.text
    r = post_form(c, f"/settings/users/{u.id}/password", {"password": "long-enough-1"})
    assert r.status_code == 303


def test_deactivate_from_the_page_ends_the_session(connection, ids):
    victim = login("fr1")
    c = login("admin")
    r = post_form(c, f"/settings/users/{ids['fr1']}/deactivate")
    assert r.status_code == 303
    assert 'data-testid="inactive"' in c.get(f"/settings/users/{ids['fr1']}/edit").text
    assert victim.get("/").status_code == 303
    assert post_form(c, f"/settings/users/{ids['admin']}/deactivate").status_code == 422
    assert post_form(c, f"/settings/users/{ids['fr1']}/activate").status_code == 303


def test_role_forms(connection, session, ids):
    c = login("admin")
    form = {
        "code": "demo_role",
        "name_zh": "演示",
        "name_en": "Demo",
        "description": "",
        "permissions[]": ["customers.view", "customers.create"],
        "scope_customers": "4",
        "scope_leads": "2",
    }
    assert post_form(c, "/settings/roles", form | {"code": "Bad Code"}).status_code == 422
    r = post_form(c, "/settings/roles", form | {"scope_customers": "9"})
    assert r.status_code == 422 and 'data-testid="error-data_scopes.customers"' in r.text
    r = post_form(c, "/settings/roles", form | {"permissions[]": ["customers.view", "god.mode"]})
    assert r.status_code == 422 and 'data-testid="error-permissions"' in r.text
    r = post_form(c, "/settings/roles", form | {"scope_customers": "x"})
    assert r.status_code == 422 and 'data-testid="error-data_scopes.customers"' in r.text
    r = post_form(c, "/settings/roles", form)
    assert r.status_code == 303
    role = session.scalar(select(Role).where(Role.code == "demo_role"))
    page = c.get(f"/settings/roles/{role.id}/edit").text
    assert re.search(r'value="customers.view"[^>]*checked', page)
    assert not re.search(r'value="leads.view"[^>]*checked', page)
    assert post_form(c, "/settings/roles", form).status_code == 409
    upd = {k: v for k, v in form.items() if k != "code"} | {"version": "1", "permissions[]": ["leads.view"]}
    assert post_form(c, f"/settings/roles/{role.id}/edit", upd).status_code == 303
    assert post_form(c, f"/settings/roles/{role.id}/edit", upd).status_code == 409
    assert 'data-testid="delete-role-demo_role"' in c.get("/settings/roles").text
    assert 'data-testid="delete-role-ar"' not in c.get("/settings/roles").text
    builtin = org_repo.role_by_code(session, "ar")
    assert post_form(c, f"/settings/roles/{builtin.id}/delete").status_code == 409
    assert post_form(c, f"/settings/roles/{role.id}/delete").status_code == 303
