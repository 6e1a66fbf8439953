"""JSON endpoints for departments, users and roles (reads of users/departments: everyone; writes: org.manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page
from loam.org import service
from loam.org.models import Role, User
from loam.org.schemas import (
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    PasswordReset,
    RoleRead,
    RoleUpdate,
    RoleWrite,
    UserCreate,
    UserFilters,
    UserRead,
    UserUpdate,
)

router = APIRouter(route_class=TxRoute, tags=["organisation"])


def user_reads(session: Session, users: list[User]) -> list[UserRead]:
    roles = service.role_ids_by_user(session, [u.id for u in users])
    return [UserRead.model_validate(u).model_copy(update={"role_ids": roles.get(u.id, [])}) for u in users]


def role_reads(session: Session, roles: list[Role]) -> list[RoleRead]:
    grants = service.grants_by_role(session, [r.id for r in roles])
    return [
        RoleRead.model_validate(r).model_copy(
            update={"permissions": sorted(grants[r.id][0]), "data_scopes": dict(sorted(grants[r.id][1].items()))}
        )
        for r in roles
    ]


@router.get("/departments", response_model=list[DepartmentRead])
def list_departments(session: DbSession, scope: ApiScope) -> object:
    return [d for d, _depth in service.department_tree(session)]


@router.post("/departments", response_model=DepartmentRead, status_code=201)
def create_department(session: DbSession, scope: ApiScope, data: DepartmentCreate) -> object:
    return service.add_department(session, scope, data)


@router.get("/departments/{department_id}", response_model=DepartmentRead)
def get_department(session: DbSession, scope: ApiScope, department_id: PathId) -> object:
    return service.get_department(session, department_id)


@router.put("/departments/{department_id}", response_model=DepartmentRead)
def update_department(session: DbSession, scope: ApiScope, department_id: PathId, data: DepartmentUpdate) -> object:
    return service.update_department(session, scope, department_id, data)


@router.delete("/departments/{department_id}", status_code=204)
def delete_department(session: DbSession, scope: ApiScope, department_id: PathId) -> None:
    service.delete_department(session, scope, department_id)


@router.get("/users", response_model=Page[UserRead])
def list_users(
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[UserFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[UserRead]:
    items, total = service.list_users(session, filters, page, page_size)
    return Page[UserRead](items=user_reads(session, items), total=total, page=page, page_size=page_size)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(session: DbSession, scope: ApiScope, data: UserCreate) -> object:
    return user_reads(session, [service.add_user(session, scope, data)])[0]


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(session: DbSession, scope: ApiScope, user_id: PathId) -> object:
    return user_reads(session, [service.get_user(session, user_id)])[0]


@router.put("/users/{user_id}", response_model=UserRead)
def update_user(session: DbSession, scope: ApiScope, user_id: PathId, data: UserUpdate) -> object:
    return user_reads(session, [service.update_user(session, scope, user_id, data)])[0]


@router.post("/users/{user_id}/deactivate", response_model=UserRead)
def deactivate_user(session: DbSession, scope: ApiScope, user_id: PathId) -> object:
    return user_reads(session, [service.deactivate_user(session, scope, user_id)])[0]


@router.post("/users/{user_id}/activate", response_model=UserRead)
def activate_user(session: DbSession, scope: ApiScope, user_id: PathId) -> object:
    return user_reads(session, [service.activate_user(session, scope, user_id)])[0]


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(session: DbSession, scope: ApiScope, user_id: PathId, data: PasswordReset) -> None:
    service.reset_password(session, scope, user_id, data.password)


@router.get("/roles", response_model=list[RoleRead])
def list_roles(session: DbSession, scope: ApiScope) -> object:
    service.require_manage(scope)
    return role_reads(session, service.list_roles(session))


@router.post("/roles", response_model=RoleRead, status_code=201)
def create_role(session: DbSession, scope: ApiScope, data: RoleWrite) -> object:
    return role_reads(session, [service.add_role(session, scope, data)])[0]


@router.get("/roles/{role_id}", response_model=RoleRead)
def get_role(session: DbSession, scope: ApiScope, role_id: PathId) -> object:
    service.require_manage(scope)
    return role_reads(session, [service.get_role(session, role_id)])[0]


@router.put("/roles/{role_id}", response_model=RoleRead)
def update_role(session: DbSession, scope: ApiScope, role_id: PathId, data: RoleUpdate) -> object:
    return role_reads(session, [service.update_role(session, scope, role_id, data)])[0]


@router.delete("/roles/{role_id}", status_code=204)
def delete_role(session: DbSession, scope: ApiScope, role_id: PathId) -> None:
    service.delete_role(session, scope, role_id)
