"""Small factories for organisation tests (they use the real services, R27)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.org import repository as org_repo
from loam.org import service as org_service
from loam.org.models import Department, Role, User
from loam.org.schemas import DepartmentCreate, UserCreate

PASSWORD = "pass-word-1"


def role(session: Session, code: str) -> Role:
    found = org_repo.role_by_code(session, code)
    assert found is not None
    return found


def department(session: Session, name: str, parent: Department | int | None = None, kind: str = "team") -> Department:
    parent_id = parent.id if isinstance(parent, Department) else parent
    return org_service.add_department(
        session, Scope.system(), DepartmentCreate(name=name, kind=kind, parent_id=parent_id)
    )


def user(session: Session, username: str, **fields: Any) -> User:
    fields.setdefault("display_name", username.title())
    fields.setdefault("password", PASSWORD)
    return org_service.add_user(session, Scope.system(), UserCreate(username=username, **fields))
