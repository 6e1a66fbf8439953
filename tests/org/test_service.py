from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from loam.auth import service as auth_service
from loam.auth.models import ApiToken, UserSession
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.models import AuditLog
from loam.org import service
from loam.org.models import Department, User
from loam.org.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    RoleUpdate,
    RoleWrite,
    UserCreate,
    UserFilters,
    UserUpdate,
)
from tests.helpers import make_customer, scope_of
from tests.org.factories import department, role, user

SYSTEM = Scope.system()


def _move(session, dept: Department, parent_id: int | None, **kw) -> Department:
    data = DepartmentUpdate(
        name=kw.get("name", dept.name),
        kind=dept.kind,
        parent_id=parent_id,
        head_user_id=kw.get("head_user_id", dept.head_user_id),
        version=kw.get("version", dept.version),
    )
    return service.update_department(session, SYSTEM, dept.id, data)


def _user_update(session, u: User, **changes) -> UserUpdate:
    values = {k: getattr(u, k) for k in ("display_name", "email", "phone", "title", "department_id", "manager_id")}
    values["role_ids"] = service.role_ids_by_user(session, [u.id])[u.id]
    values["version"] = u.version
    return UserUpdate(**(values | changes))


# --- departments -------------------------------------------------------------------------------


def test_department_tree_paths_and_move_rewrites_the_subtree(session):
    root = department(session, "总部", kind="company")
    a = department(session, "A 区", root, "region")
    a1 = department(session, "A1 代表处", a, "office")
    a11 = department(session, "A11 系统部", a1, "account")
    b = department(session, "B 区", root, "region")
    assert a11.path == f"/{root.id}/{a.id}/{a1.id}/{a11.id}/"
    _move(session, a1, b.id)
    session.expire_all()
    assert session.get(Department, a1.id).path == f"/{root.id}/{b.id}/{a1.id}/"
    assert session.get(Department, a11.id).path == f"/{root.id}/{b.id}/{a1.id}/{a11.id}/"
    assert session.get(Department, a.id).path == f"/{root.id}/{a.id}/"
    # to the top level
    _move(session, session.get(Department, a1.id), None)
    session.expire_all()
    assert session.get(Department, a11.id).path == f"/{a1.id}/{a11.id}/"
    tree = [d.id for d, _depth in service.department_tree(session)]
    assert tree.index(a1.id) < tree.index(a11.id)
    moves = session.scalars(select(AuditLog).where(AuditLog.entity == "department", AuditLog.entity_id == a1.id))
    assert [r.action for r in moves] == ["create", "move", "move"]


def test_moving_under_itself_or_a_descendant_is_refused(session):
    root = department(session, "根", kind="company")
    child = department(session, "子", root)
    grandchild = department(session, "孙", child)
    for target in (root.id, child.id, grandchild.id):
        with pytest.raises(Invalid):
            _move(session, root, target)
    with pytest.raises(Invalid):
        _move(session, child, 999_999)
    assert root.parent_id is None


def test_department_stale_version_and_rename(session):
    d = department(session, "旧名")
    _move(session, d, None, name="新名")
    assert d.name == "新名" and d.version == 2
    with pytest.raises(Conflict):
        _move(session, d, None, name="再改", version=1)
    assert d.name == "新名"


def test_delete_only_empty_departments(session, ids):
    parent = department(session, "父")
    child = department(session, "子部门", parent)
    with pytest.raises(Conflict):
        service.delete_department(session, SYSTEM, parent.id)  # has a sub-department
    with pytest.raises(Conflict):
        service.delete_department(session, SYSTEM, ids["team1"])  # has users
    service.delete_department(session, SYSTEM, child.id)
    service.delete_department(session, SYSTEM, parent.id)
    assert session.get(Department, parent.id) is None
    with pytest.raises(NotFound):
        service.delete_department(session, SYSTEM, parent.id)


def test_delete_department_still_referenced_by_records_is_a_conflict(session):
    d = department(session, "客户所在部门")
    u = user(session, "dept_owner", department_id=d.id, role_ids=[role(session, "ar").id])
    make_customer(session, u.id, "部门引用客户")
    service.update_user(session, SYSTEM, u.id, _user_update(session, u, department_id=None))
    with pytest.raises(Conflict):
        service.delete_department(session, SYSTEM, d.id)
    assert session.get(Department, d.id) is not None


def test_head_user_must_exist(session, ids):
    with pytest.raises(Invalid):
        service.add_department(session, SYSTEM, DepartmentCreate(name="x", head_user_id=999_999))
    d = service.add_department(session, SYSTEM, DepartmentCreate(name="x", head_user_id=ids["director"]))
    assert d.head_user_id == ids["director"]


# --- users -------------------------------------------------------------------------------------


def test_create_user_hashes_password_and_audits_without_it(session, ids):
    u = user(
        session, "newbie", email="newbie@example.com", department_id=ids["team1"], role_ids=[role(session, "ar").id]
    )
    assert u.password_hash.startswith("$argon2id$")
    rows = audit.history(session, "user", u.id)
    assert rows and rows[0].action == "create"
    assert "argon2" not in str([r.changes for r in rows]) and "pass-word" not in str([r.changes for r in rows])
    with pytest.raises(Conflict):
        user(session, "NEWBIE")
    with pytest.raises(Conflict):
        user(session, "other", email="newbie@example.com")


def test_update_user_fields_roles_and_version(session, ids):
    u = user(session, "editme", role_ids=[role(session, "ar").id])
    data = _user_update(session, u, title="客户经理", role_ids=[role(session, "sr").id])
    service.update_user(session, SYSTEM, u.id, data)
    assert u.title == "客户经理" and u.version == 2
    assert service.role_ids_by_user(session, [u.id])[u.id] == [role(session, "sr").id]
    last = audit.history(session, "user", u.id)[0]
    assert last.action == "update" and "role_ids" in last.changes and "title" in last.changes
    with pytest.raises(Conflict):
        service.update_user(session, SYSTEM, u.id, data)  # stale version 1
    with pytest.raises(Conflict):
        service.update_user(session, SYSTEM, u.id, _user_update(session, u, email="ar2@loam.example.com"))
    with pytest.raises(Invalid):
        service.update_user(session, SYSTEM, u.id, _user_update(session, u, role_ids=[999_999]))


def test_manager_cycles_are_refused(session):
    a = user(session, "boss_a")
    b = user(session, "boss_b", manager_id=a.id)
    c = user(session, "boss_c", manager_id=b.id)
    with pytest.raises(Invalid):
        service.update_user(session, SYSTEM, a.id, _user_update(session, a, manager_id=c.id))
    with pytest.raises(Invalid):
        service.update_user(session, SYSTEM, a.id, _user_update(session, a, manager_id=a.id))
    service.update_user(session, SYSTEM, c.id, _user_update(session, c, manager_id=a.id))
    assert c.manager_id == a.id


def test_deactivation_ends_sessions_and_tokens(session, ids):
    u = user(session, "leaver")
    auth_service.start_session(session, u)
    auth_service.create_api_token(session, u, "script")
    admin = scope_of(session, ids["admin"])
    with pytest.raises(Invalid):
        service.deactivate_user(session, admin, ids["admin"])
    service.deactivate_user(session, admin, u.id)
    assert not u.is_active
    assert all(s.revoked_at for s in session.scalars(select(UserSession).where(UserSession.user_id == u.id)))
    assert all(t.revoked_at for t in session.scalars(select(ApiToken).where(ApiToken.user_id == u.id)))
    service.activate_user(session, admin, u.id)
    assert u.is_active
    assert [r.action for r in audit.history(session, "user", u.id)][:2] == ["activate", "deactivate"]


def test_password_reset_revokes_sessions(session):
    u = user(session, "forgetful")
    raw = auth_service.start_session(session, u)
    service.reset_password(session, SYSTEM, u.id, "brand-new-pass")
    assert auth_service.resolve_session(session, raw) is None
    assert auth_service.authenticate(session, "forgetful", "brand-new-pass").id == u.id
    with pytest.raises(Invalid):
        service.reset_password(session, SYSTEM, u.id, "short")


def test_last_admin_cannot_be_removed(session, ids):
    admin_role = role(session, "admin")
    admins = [
        u.id for u in session.scalars(select(User)) if admin_role.id in service.role_ids_by_user(session, [u.id])[u.id]
    ]
    assert admins == [ids["admin"]]
    admin = session.get(User, ids["admin"])
    with pytest.raises(Conflict):
        service.update_user(session, SYSTEM, admin.id, _user_update(session, admin, role_ids=[role(session, "ar").id]))


def test_user_list_filters(session, ids):
    items, total = service.list_users(session, UserFilters(department_id=ids["team1"]))
    assert {u.username for u in items} == {"ar1", "sr1", "fr1"} and total == 3
    items, _ = service.list_users(session, UserFilters(department_id=ids["account"], below=True))
    assert {"director", "ar1", "ar2", "sr1", "fr1"} <= {u.username for u in items}
    items, _ = service.list_users(session, UserFilters(q="李明"))
    assert [u.username for u in items] == ["ar1"]
    items, _ = service.list_users(session, UserFilters(active=False))
    assert items == []


# --- roles -------------------------------------------------------------------------------------


def test_roles_create_edit_delete(session, ids):
    r = service.add_role(
        session, SYSTEM, RoleWrite(code="auditor", name_zh="审计", name_en="Auditor", permissions=["audit.view"])
    )
    perms, scopes = service.grants_by_role(session, [r.id])[r.id]
    assert perms == {"audit.view"} and set(scopes.values()) == {1} and set(scopes) == {m.value for m in Module}
    with pytest.raises(Conflict):
        service.add_role(session, SYSTEM, RoleWrite(code="auditor", name_zh="x", name_en="x"))
    # unknown permissions and levels are refused by the schema, and again by the service
    for bad in ({"permissions": ["nope"]}, {"data_scopes": {"leads": 9}}, {"data_scopes": {"planets": 1}}):
        with pytest.raises(ValidationError):
            RoleWrite(code="bad", name_zh="x", name_en="x", **bad)
        with pytest.raises(Invalid):
            service.add_role(
                session,
                SYSTEM,
                RoleWrite.model_construct(
                    **({"code": "bad", "name_zh": "x", "name_en": "x", "permissions": [], "data_scopes": {}} | bad)
                ),
            )
    upd = RoleUpdate(
        name_zh="审计员", name_en="Auditor", permissions=["audit.view"], data_scopes={"customers": 5}, version=1
    )
    service.update_role(session, SYSTEM, r.id, upd)
    assert r.version == 2 and service.grants_by_role(session, [r.id])[r.id][1]["customers"] == 5
    with pytest.raises(Conflict):
        service.update_role(session, SYSTEM, r.id, upd)
    u = user(session, "role_holder", role_ids=[r.id])
    with pytest.raises(Conflict):
        service.delete_role(session, SYSTEM, r.id)  # in use
    service.update_user(session, SYSTEM, u.id, _user_update(session, u, role_ids=[]))
    service.delete_role(session, SYSTEM, r.id)
    with pytest.raises(NotFound):
        service.get_role(session, r.id)
    with pytest.raises(Conflict):
        service.delete_role(session, SYSTEM, role(session, "finance").id)  # built-in


def test_builtin_roles_are_editable(session):
    fin = role(session, "finance")
    service.update_role(
        session,
        SYSTEM,
        fin.id,
        RoleUpdate(name_zh="财经", name_en="Finance", permissions=["customers.view"], version=fin.version),
    )
    assert fin.name_zh == "财经" and fin.builtin


def test_non_admins_are_refused_everything(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    d = session.get(Department, ids["team1"])
    u = session.get(User, ids["ar2"])
    calls = [
        lambda: service.add_department(session, ar1, DepartmentCreate(name="x")),
        lambda: _move_as(session, ar1, d),
        lambda: service.delete_department(session, ar1, d.id),
        lambda: service.add_user(session, ar1, UserCreate(username="x1", display_name="x", password="12345678")),
        lambda: service.update_user(session, ar1, u.id, _user_update(session, u)),
        lambda: service.deactivate_user(session, ar1, u.id),
        lambda: service.activate_user(session, ar1, u.id),
        lambda: service.reset_password(session, ar1, u.id, "12345678"),
        lambda: service.add_role(session, ar1, RoleWrite(code="xx", name_zh="x", name_en="x")),
        lambda: service.update_role(session, ar1, 1, RoleUpdate(name_zh="x", name_en="x", version=1)),
        lambda: service.delete_role(session, ar1, 1),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()


def _move_as(session, scope, dept):
    data = DepartmentUpdate(name="越权", kind=dept.kind, parent_id=dept.parent_id, version=dept.version)
    return service.update_department(session, scope, dept.id, data)
