"""All SQL of the organisation domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.org.models import Department, Role, RoleDataScope, RolePermission, User, user_roles


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
