"""The organisation: departments (a tree), users, roles and what each role grants."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from loam.auth.passwords import hash_password
from loam.authz.permissions import BUILTIN_ROLES, Module, Permission
from loam.errors import Conflict, Invalid, NotFound
from loam.kit.i18n import gettext as _
from loam.org import repository as repo
from loam.org.models import Department, Role, RoleDataScope, RolePermission, User, user_roles
from loam.org.schemas import DepartmentCreate, UserCreate


def role_grants(session: Session, user_id: int) -> tuple[set[str], dict[str, int]]:
    """Union of the permissions of a user's roles, and per module the widest data scope."""
    return repo.grants(session, repo.role_ids_of(session, user_id))


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
    dept = Department(**data.model_dump())
    session.add(dept)
    session.flush()
    dept.path = f"{parent.path if parent else '/'}{dept.id}/"
    session.flush()
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
    known = {p.value for p in Permission}
    unknown = permissions - known
    if unknown:
        raise Invalid(_("Unknown permission: %(name)s", name=", ".join(sorted(unknown))))
    for module, level in scopes.items():
        if module not in {m.value for m in Module} or not 1 <= int(level) <= 5:
            raise Invalid(_("Invalid data scope for %(module)s.", module=module))
    session.execute(delete(RolePermission).where(RolePermission.role_id == role.id))
    session.execute(delete(RoleDataScope).where(RoleDataScope.role_id == role.id))
    session.add_all(RolePermission(role_id=role.id, permission=p) for p in sorted(permissions))
    session.add_all(RoleDataScope(role_id=role.id, module=m, level=int(lv)) for m, lv in scopes.items())
    session.flush()


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
    existing = set(session.scalars(select(Role.id).where(Role.id.in_(role_ids))))
    if existing != set(role_ids):
        raise Invalid(_("Unknown role."))
    session.execute(delete(user_roles).where(user_roles.c.user_id == user.id))
    if role_ids:
        session.execute(user_roles.insert(), [{"user_id": user.id, "role_id": r} for r in sorted(existing)])


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
    return list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.display_name)))


def names_by_id(session: Session, ids: set[int | None] | None = None) -> dict[int, str]:
    stmt = select(User.id, User.display_name)
    if ids is not None:
        stmt = stmt.where(User.id.in_([i for i in ids if i is not None]))
    return {row.id: row.display_name for row in session.execute(stmt)}
