"""The organisation: departments (a tree), users, roles and what each role grants."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.auth import service as auth_service
from loam.auth.passwords import hash_password
from loam.authz.permissions import BUILTIN_ROLES, DataScope, Module, Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.org import repository as repo
from loam.org.models import Department, Role, RoleDataScope, RolePermission, User
from loam.org.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    RoleUpdate,
    RoleWrite,
    UserCreate,
    UserFilters,
    UserUpdate,
)


def role_grants(session: Session, user_id: int) -> tuple[set[str], dict[str, int]]:
    """Union of the permissions of a user's roles, and per module the widest data scope."""
    return repo.grants(session, repo.role_ids_of(session, user_id))


def role_scope_levels(session: Session, user_id: int) -> dict[str, set[int]]:
    """Per module, every data scope level the user's roles grant (resolution takes their union)."""
    return repo.levels_by_module(session, repo.role_ids_of(session, user_id))


def subordinate_ids(session: Session, user_id: int) -> set[int]:
    """Everyone who reports to the user, directly or through others (cycles are cut)."""
    seen: set[int] = set()
    frontier = [user_id]
    while frontier:
        nxt = [u for u in repo.direct_reports(session, frontier) if u not in seen and u != user_id]
        seen.update(nxt)
        frontier = nxt
    return seen


def user_ids_in_department(session: Session, department_id: int, below: bool) -> list[int]:
    return repo.users_in_departments(session, department_id, below)


def create_department(session: Session, data: DepartmentCreate) -> Department:
    """Create a department under its parent; its materialised path is kept by the service."""
    parent = session.get(Department, data.parent_id) if data.parent_id else None
    if data.parent_id and parent is None:
        raise Invalid(_("The parent department does not exist."))
    if data.head_user_id is not None and session.get(User, data.head_user_id) is None:
        raise Invalid(_("The head of department does not exist."))
    dept = Department(**data.model_dump())
    session.add(dept)
    session.flush()
    repo.set_path(session, dept.id, f"{parent.path if parent else '/'}{dept.id}/")  # keeps version 1
    return dept


def ensure_builtin_roles(session: Session) -> dict[str, Role]:
    """Create the built-in roles with their default permissions and data scopes when missing."""
    roles: dict[str, Role] = {}
    for code, (name_zh, name_en, perms, level) in BUILTIN_ROLES.items():
        role = repo.role_by_code(session, code)
        if role is None:
            role = Role(code=code, name_zh=name_zh, name_en=name_en, builtin=True)
            session.add(role)
            session.flush()
            set_role_grants(session, role, {p.value for p in perms}, {m.value: int(level) for m in Module})
        roles[code] = role
    return roles


def set_role_grants(session: Session, role: Role, permissions: set[str], scopes: dict[str, int]) -> None:
    """Replace a role's permissions and per-module data scopes (validated against the known sets)."""
    _check_grants(permissions, scopes)
    repo.clear_grants(session, role.id)
    session.add_all(RolePermission(role_id=role.id, permission=p) for p in sorted(permissions))
    session.add_all(RoleDataScope(role_id=role.id, module=m, level=int(lv)) for m, lv in scopes.items())
    session.flush()


def _check_grants(permissions: set[str], scopes: dict[str, int]) -> None:
    unknown = permissions - {p.value for p in Permission}
    if unknown:
        raise Invalid(_("Unknown permission: %(name)s", name=", ".join(sorted(unknown))))
    for module, level in scopes.items():
        if module not in {m.value for m in Module} or not 1 <= int(level) <= 5:
            raise Invalid(_("Invalid data scope for %(module)s.", module=module))


def create_user(session: Session, data: UserCreate) -> User:
    """Create a user with an argon2id password hash and the given roles; usernames are unique."""
    if repo.user_by_login(session, data.username) is not None:
        raise Conflict(_("This username is already taken."))
    if data.email and repo.user_by_login(session, data.email) is not None:
        raise Conflict(_("This email is already used by another user."))
    _check_refs(session, data.department_id, data.manager_id)
    values = data.model_dump(exclude={"password", "role_ids"})
    user = User(**values, password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    set_user_roles(session, user, data.role_ids)
    return user


def set_user_roles(session: Session, user: User, role_ids: list[int]) -> None:
    """Replace a user's roles (every id must be a known role, or 422)."""
    existing = repo.existing_role_ids(session, role_ids)
    if existing != set(role_ids):
        raise Invalid(_("Unknown role."))
    repo.replace_user_roles(session, user.id, sorted(existing))


def _check_refs(session: Session, department_id: int | None, manager_id: int | None) -> None:
    if department_id is not None and session.get(Department, department_id) is None:
        raise Invalid(_("The department does not exist."))
    if manager_id is not None and session.get(User, manager_id) is None:
        raise Invalid(_("The manager does not exist."))


def get_user(session: Session, user_id: int) -> User:
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFound(_("User not found."))
    return user


def active_users(session: Session) -> list[User]:
    """Every active user (for pickers and the address book; names are not secret inside a company)."""
    return repo.active_users(session)


def names_by_id(session: Session, ids: set[int | None] | None = None) -> dict[int, str]:
    return repo.names_by_id(session, ids)


# --- administration (org.manage) ---------------------------------------------------------------

DEPARTMENT = "department"
USER = "user"
ROLE = "role"


def require_manage(scope: Scope) -> None:
    """403 unless the caller may manage departments, users and roles."""
    if not scope.can(Permission.org_manage):
        raise Forbidden(_("You do not have permission to do this."))


def list_departments(session: Session) -> list[Department]:
    """Every department (the org chart is not secret inside the company)."""
    return repo.departments(session)


def department_tree(session: Session) -> list[tuple[Department, int]]:
    """Departments depth-first (siblings by sort order, then name) with their depth, for indented lists."""
    depts = repo.departments(session)
    known = {d.id for d in depts}
    children: dict[int | None, list[Department]] = {}
    for d in depts:
        children.setdefault(d.parent_id if d.parent_id in known else None, []).append(d)
    out: list[tuple[Department, int]] = []
    stack = [(d, 0) for d in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        dept, depth = stack.pop()
        if dept.id in seen:
            continue
        seen.add(dept.id)
        out.append((dept, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(dept.id, [])))
    return out


def get_department(session: Session, department_id: int) -> Department:
    dept = repo.get_department(session, department_id)
    if dept is None:
        raise NotFound(_("Department not found."))
    return dept


def add_department(session: Session, scope: Scope, data: DepartmentCreate) -> Department:
    """Create a department under its parent (org.manage); an audit row is written."""
    require_manage(scope)
    dept = create_department(session, data)
    audit.record(
        session, scope, DEPARTMENT, dept.id, "create", {"name": [None, dept.name], "parent_id": [None, dept.parent_id]}
    )
    return dept


def update_department(session: Session, scope: Scope, department_id: int, data: DepartmentUpdate) -> Department:
    """Rename, re-kind, set the head or move a department; a move rewrites the whole subtree's path.

    Moving under itself or a descendant is a 422; a stale ``version`` is a 409 and nothing is written.
    """
    require_manage(scope)
    dept = get_department(session, department_id)
    if data.version != dept.version:
        raise Conflict(_("Someone else changed this department. Reload and try again."))
    if data.head_user_id is not None and session.get(User, data.head_user_id) is None:
        raise Invalid(_("The head of department does not exist."))
    old_path, new_path = dept.path, _path_under(session, dept, data.parent_id)
    changes = audit.apply_changes(dept, data.model_dump(exclude={"version"}))
    if changes:
        session.flush()
        if new_path != old_path:
            repo.repath_subtree(session, old_path, new_path)
            changes["path"] = [old_path, new_path]
        audit.record(session, scope, DEPARTMENT, dept.id, "move" if "path" in changes else "update", changes)
    return dept


def _path_under(session: Session, dept: Department, parent_id: int | None) -> str:
    if parent_id is None:
        return f"/{dept.id}/"
    parent = repo.get_department(session, parent_id)
    if parent is None:
        raise Invalid(_("The parent department does not exist."))
    if parent.path.startswith(dept.path):
        raise Invalid(_("A department cannot move under itself or one of its sub-departments."))
    return f"{parent.path}{dept.id}/"


def delete_department(session: Session, scope: Scope, department_id: int) -> None:
    """Delete an empty department: no users, no sub-departments, no records pointing at it (else 409)."""
    require_manage(scope)
    dept = get_department(session, department_id)
    if repo.child_count(session, dept.id):
        raise Conflict(_("This department still has sub-departments."))
    if repo.user_count_in(session, dept.id):
        raise Conflict(_("This department still has users."))
    name = dept.name
    try:
        with session.begin_nested():
            session.delete(dept)
            session.flush()
    except IntegrityError:
        raise Conflict(_("Records still belong to this department.")) from None
    audit.record(session, scope, DEPARTMENT, department_id, "delete", {"name": [name, None]})


def list_users(session: Session, filters: UserFilters, page: int = 1, size: int = 50) -> tuple[list[User], int]:
    """One page of users, filtered (the address book: every signed-in user may read it)."""
    return repo.users_page(session, filters, page, size)


def role_ids_by_user(session: Session, user_ids: list[int]) -> dict[int, list[int]]:
    return repo.role_ids_by_user(session, user_ids)


def add_user(session: Session, scope: Scope, data: UserCreate) -> User:
    """Create a user (org.manage); the password is stored as an argon2id hash and never audited."""
    require_manage(scope)
    user = create_user(session, data)
    audit.record(
        session,
        scope,
        USER,
        user.id,
        "create",
        {
            "username": [None, user.username],
            "display_name": [None, user.display_name],
            "role_ids": [None, sorted(set(data.role_ids))],
        },
    )
    return user


def update_user(session: Session, scope: Scope, user_id: int, data: UserUpdate) -> User:
    """Edit a user's profile, place in the org and roles; stale ``version`` → 409, manager cycles → 422."""
    require_manage(scope)
    user = get_user(session, user_id)
    if data.version != user.version:
        raise Conflict(_("Someone else changed this user. Reload and try again."))
    other = repo.user_by_login(session, data.email) if data.email else None
    if other is not None and other.id != user.id:
        raise Conflict(_("This email is already used by another user."))
    _check_refs(session, data.department_id, data.manager_id)
    _check_manager(session, user.id, data.manager_id)
    admins = repo.active_admin_count(session)
    old_roles, new_roles = sorted(repo.role_ids_of(session, user.id)), sorted(set(data.role_ids))
    changes = audit.apply_changes(user, data.model_dump(exclude={"version", "role_ids", "is_active"}))
    if old_roles != new_roles:
        user.updated_at = utcnow()  # a role change bumps the user's version too (one UPDATE)
        set_user_roles(session, user, new_roles)
        changes["role_ids"] = [old_roles, new_roles]
    if changes:
        session.flush()
        _ensure_an_admin_remains(session, admins)
        audit.record(session, scope, USER, user.id, "update", changes)
    if data.is_active is not None and data.is_active != user.is_active:
        (activate_user if data.is_active else deactivate_user)(session, scope, user.id)
    return user


def _check_manager(session: Session, user_id: int, manager_id: int | None) -> None:
    """Refuse a manager whose own chain of managers leads back to the user (a reporting cycle)."""
    seen: set[int] = set()
    current = manager_id
    while current is not None and current not in seen:
        if current == user_id:
            raise Invalid(_("This manager would create a reporting cycle."), detail={"manager_id": _("Cycle.")})
        seen.add(current)
        current = repo.manager_of(session, current)


def _ensure_an_admin_remains(session: Session, before: int) -> None:
    """Refuse a change that takes away the last active holder of ``org.manage`` (nobody could undo it)."""
    if before and repo.active_admin_count(session) == 0:
        raise Conflict(_("At least one active user must keep the permission to manage users."))


def deactivate_user(session: Session, scope: Scope, user_id: int) -> User:
    """Deactivate a user: no more logins, and every session and token ends now. Never yourself (422)."""
    require_manage(scope)
    user = get_user(session, user_id)
    if scope.user_id is not None and user.id == scope.user_id:
        raise Invalid(_("You cannot deactivate yourself."))
    if user.is_active:
        admins = repo.active_admin_count(session)
        user.is_active = False
        session.flush()
        _ensure_an_admin_remains(session, admins)
        audit.record(session, scope, USER, user.id, "deactivate", {"is_active": [True, False]})
    auth_service.revoke_user_sessions(session, user.id)
    return user


def activate_user(session: Session, scope: Scope, user_id: int) -> User:
    """Let a deactivated user log in again (their old sessions stay ended)."""
    require_manage(scope)
    user = get_user(session, user_id)
    if not user.is_active:
        user.is_active = True
        session.flush()
        audit.record(session, scope, USER, user.id, "activate", {"is_active": [False, True]})
    return user


def reset_password(session: Session, scope: Scope, user_id: int, password: str) -> User:
    """Set a new password chosen by an administrator; every session and token of the user ends."""
    require_manage(scope)
    user = get_user(session, user_id)
    if not 8 <= len(password) <= 200:
        raise Invalid(_("The password must have at least 8 characters."), detail={"password": _("Too short.")})
    user.password_hash = hash_password(password)
    session.flush()
    auth_service.revoke_user_sessions(session, user.id)
    audit.record(session, scope, USER, user.id, "password_reset")
    return user


def list_roles(session: Session) -> list[Role]:
    return repo.roles(session)


def get_role(session: Session, role_id: int) -> Role:
    role = repo.get_role(session, role_id)
    if role is None:
        raise NotFound(_("Role not found."))
    return role


def grants_by_role(session: Session, role_ids: list[int]) -> dict[int, tuple[set[str], dict[str, int]]]:
    """Per role: its permissions and its data scope per module."""
    return repo.grants_by_role(session, role_ids)


def role_user_count(session: Session, role_id: int) -> int:
    return repo.role_user_count(session, role_id)


def _full_scopes(scopes: dict[str, int]) -> dict[str, int]:
    return {m.value: int(DataScope.own) for m in Module} | {k: int(v) for k, v in scopes.items()}


def add_role(session: Session, scope: Scope, data: RoleWrite) -> Role:
    """Create a custom role with its permissions and per-module data scopes (unset modules: own)."""
    require_manage(scope)
    if repo.role_by_code(session, data.code) is not None:
        raise Conflict(_("A role with this code already exists."), detail={"code": _("Already taken.")})
    scopes = _full_scopes(data.data_scopes)
    _check_grants(set(data.permissions), scopes)  # before anything is written
    role = Role(code=data.code, name_zh=data.name_zh, name_en=data.name_en, description=data.description)
    role.builtin = False
    session.add(role)
    session.flush()
    set_role_grants(session, role, set(data.permissions), scopes)
    audit.record(
        session,
        scope,
        ROLE,
        role.id,
        "create",
        {"code": [None, role.code], "permissions": [None, sorted(data.permissions)]},
    )
    return role


def update_role(session: Session, scope: Scope, role_id: int, data: RoleUpdate) -> Role:
    """Edit a role (built-in ones too); users see the effect on their next request. Stale → 409."""
    require_manage(scope)
    role = get_role(session, role_id)
    if data.version != role.version:
        raise Conflict(_("Someone else changed this role. Reload and try again."))
    admins = repo.active_admin_count(session)
    old_perms, old_scopes = repo.grants_by_role(session, [role.id])[role.id]
    new_perms, new_scopes = set(data.permissions), _full_scopes(data.data_scopes)
    changes = audit.apply_changes(role, data.model_dump(include={"name_zh", "name_en", "description"}))
    if (old_perms, old_scopes) != (new_perms, new_scopes):
        role.updated_at = utcnow()  # grants live in other tables; bump the role's version (one UPDATE)
        set_role_grants(session, role, new_perms, new_scopes)
        if old_perms != new_perms:
            changes["permissions"] = [sorted(old_perms), sorted(new_perms)]
        if old_scopes != new_scopes:
            changes["data_scopes"] = [old_scopes, new_scopes]
    if changes:
        session.flush()
        _ensure_an_admin_remains(session, admins)
        audit.record(session, scope, ROLE, role.id, "update", changes)
    return role


def delete_role(session: Session, scope: Scope, role_id: int) -> None:
    """Delete a custom role nobody holds; built-in roles and roles in use are a 409."""
    require_manage(scope)
    role = get_role(session, role_id)
    if role.builtin:
        raise Conflict(_("Built-in roles cannot be deleted."))
    if repo.role_user_count(session, role.id):
        raise Conflict(_("This role is still given to users."))
    audit.record(session, scope, ROLE, role.id, "delete", {"code": [role.code, None]})
    repo.clear_grants(session, role.id)
    session.delete(role)
    session.flush()


def user_counts_by_department(session: Session) -> dict[int, int]:
    """How many users (active or not) sit directly in each department."""
    return repo.user_counts_by_department(session)


def user_counts_by_role(session: Session) -> dict[int, int]:
    """How many users hold each role."""
    return repo.user_counts_by_role(session)
