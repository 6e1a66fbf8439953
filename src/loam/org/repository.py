"""All SQL of the organisation domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, literal, or_, select, update
from sqlalchemy.orm import Session

from loam.kit.listing import like_escape, paginate
from loam.org.models import Department, Role, RoleDataScope, RolePermission, User, user_roles
from loam.org.schemas import UserFilters


def role_ids_of(session: Session, user_id: int) -> list[int]:
    return list(session.scalars(select(user_roles.c.role_id).where(user_roles.c.user_id == user_id)))


def grants(session: Session, role_ids: Sequence[int]) -> tuple[set[str], dict[str, int]]:
    perms = set(session.scalars(select(RolePermission.permission).where(RolePermission.role_id.in_(role_ids))))
    levels: dict[str, int] = {}
    rows = session.execute(
        select(RoleDataScope.module, func.max(RoleDataScope.level))
        .where(RoleDataScope.role_id.in_(role_ids))
        .group_by(RoleDataScope.module)
    )
    for module, level in rows:
        levels[module] = int(level)
    return perms, levels


def levels_by_module(session: Session, role_ids: Sequence[int]) -> dict[str, set[int]]:
    """Per module, every data scope level granted by one of the roles."""
    out: dict[str, set[int]] = {}
    rows = session.execute(
        select(RoleDataScope.module, RoleDataScope.level).where(RoleDataScope.role_id.in_(role_ids)).distinct()
    )
    for module, level in rows:
        out.setdefault(module, set()).add(int(level))
    return out


def direct_reports(session: Session, manager_ids: Sequence[int]) -> list[int]:
    return list(session.scalars(select(User.id).where(User.manager_id.in_(manager_ids))))


def users_in_departments(session: Session, department_id: int, below: bool) -> list[int]:
    if not below:
        return list(session.scalars(select(User.id).where(User.department_id == department_id)))
    path = session.scalar(select(Department.path).where(Department.id == department_id))
    if path is None:
        return []
    sub = select(Department.id).where(Department.path.startswith(path))
    return list(session.scalars(select(User.id).where(User.department_id.in_(sub))))


def department_subtree_ids(session: Session, department_id: int) -> list[int]:
    path = session.scalar(select(Department.path).where(Department.id == department_id))
    if path is None:
        return []
    return list(session.scalars(select(Department.id).where(Department.path.startswith(path))))


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_by_login(session: Session, login: str) -> User | None:
    login = login.strip()
    return session.scalar(
        select(User).where((func.lower(User.username) == login.lower()) | (func.lower(User.email) == login.lower()))
    )


def role_by_code(session: Session, code: str) -> Role | None:
    return session.scalar(select(Role).where(Role.code == code))


# --- departments -------------------------------------------------------------------------------


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.sort_order, Department.name, Department.id)))


def get_department(session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def child_count(session: Session, department_id: int) -> int:
    stmt = select(func.count()).select_from(Department).where(Department.parent_id == department_id)
    return int(session.scalar(stmt) or 0)


def user_count_in(session: Session, department_id: int) -> int:
    stmt = select(func.count()).select_from(User).where(User.department_id == department_id)
    return int(session.scalar(stmt) or 0)


def set_path(session: Session, department_id: int, path: str) -> None:
    stmt = (
        update(Department)
        .where(Department.id == department_id)
        .values(path=path)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(stmt)


def repath_subtree(session: Session, old_prefix: str, new_prefix: str) -> None:
    """Rewrite the materialised path of every department under ``old_prefix`` (itself included)."""
    stmt = (
        update(Department)
        .where(Department.path.startswith(old_prefix, autoescape=True))
        .values(path=literal(new_prefix) + func.substr(Department.path, len(old_prefix) + 1))
        .execution_options(synchronize_session="fetch")
    )
    session.execute(stmt)


# --- users -------------------------------------------------------------------------------------


def users_filtered(session: Session, f: UserFilters) -> Select[Any]:
    stmt = select(User)
    if f.q:
        q = f"%{like_escape(f.q.strip())}%"
        stmt = stmt.where(
            or_(
                User.username.ilike(q, escape="\\"),
                User.display_name.ilike(q, escape="\\"),
                User.email.ilike(q, escape="\\"),
                User.phone.ilike(q, escape="\\"),
            )
        )
    if f.department_id is not None:
        if f.below:
            stmt = stmt.where(User.department_id.in_(department_subtree_ids(session, f.department_id)))
        else:
            stmt = stmt.where(User.department_id == f.department_id)
    if f.active is not None:
        stmt = stmt.where(User.is_active.is_(f.active))
    return stmt.order_by(User.is_active.desc(), User.display_name, User.id)


def users_page(session: Session, f: UserFilters, page: int, size: int) -> tuple[list[User], int]:
    return paginate(session, users_filtered(session, f), page, size)


def manager_of(session: Session, user_id: int) -> int | None:
    return session.scalar(select(User.manager_id).where(User.id == user_id))


def role_ids_by_user(session: Session, user_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {uid: [] for uid in user_ids}
    rows = session.execute(
        select(user_roles.c.user_id, user_roles.c.role_id)
        .where(user_roles.c.user_id.in_(list(user_ids)))
        .order_by(user_roles.c.role_id)
    )
    for uid, rid in rows:
        out.setdefault(uid, []).append(rid)
    return out


# --- roles -------------------------------------------------------------------------------------


def roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.builtin.desc(), Role.id)))


def get_role(session: Session, role_id: int) -> Role | None:
    return session.get(Role, role_id)


def role_user_count(session: Session, role_id: int) -> int:
    stmt = select(func.count()).select_from(user_roles).where(user_roles.c.role_id == role_id)
    return int(session.scalar(stmt) or 0)


def grants_by_role(session: Session, role_ids: Sequence[int]) -> dict[int, tuple[set[str], dict[str, int]]]:
    """Per role: its permissions and its data scope per module."""
    out: dict[int, tuple[set[str], dict[str, int]]] = {rid: (set(), {}) for rid in role_ids}
    for rid, perm in session.execute(
        select(RolePermission.role_id, RolePermission.permission).where(RolePermission.role_id.in_(list(role_ids)))
    ):
        out[rid][0].add(perm)
    for rid, module, level in session.execute(
        select(RoleDataScope.role_id, RoleDataScope.module, RoleDataScope.level).where(
            RoleDataScope.role_id.in_(list(role_ids))
        )
    ):
        out[rid][1][module] = int(level)
    return out


def active_admin_count(session: Session) -> int:
    """Active users who hold ``org.manage`` through one of their roles."""
    stmt = (
        select(func.count(func.distinct(User.id)))
        .join(user_roles, user_roles.c.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == user_roles.c.role_id)
        .where(User.is_active.is_(True), RolePermission.permission == "org.manage")
    )
    return int(session.scalar(stmt) or 0)


def user_counts_by_department(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(User.department_id, func.count()).where(User.department_id.is_not(None)).group_by(User.department_id)
    )
    return {int(d): int(n) for d, n in rows if d is not None}


def user_counts_by_role(session: Session) -> dict[int, int]:
    rows = session.execute(select(user_roles.c.role_id, func.count()).group_by(user_roles.c.role_id))
    return {int(r): int(n) for r, n in rows}


def clear_grants(session: Session, role_id: int) -> None:
    from sqlalchemy import delete

    session.execute(delete(RolePermission).where(RolePermission.role_id == role_id))
    session.execute(delete(RoleDataScope).where(RoleDataScope.role_id == role_id))


def existing_role_ids(session: Session, role_ids: Sequence[int]) -> set[int]:
    return set(session.scalars(select(Role.id).where(Role.id.in_(role_ids))))


def replace_user_roles(session: Session, user_id: int, role_ids: Sequence[int]) -> None:
    from sqlalchemy import delete

    session.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
    if role_ids:
        session.execute(user_roles.insert(), [{"user_id": user_id, "role_id": r} for r in role_ids])


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.display_name)))


def names_by_id(session: Session, ids: set[int | None] | None) -> dict[int, str]:
    stmt = select(User.id, User.display_name)
    if ids is not None:
        stmt = stmt.where(User.id.in_([i for i in ids if i is not None]))
    return {row.id: row.display_name for row in session.execute(stmt)}
