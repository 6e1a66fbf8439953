"""Shapes of departments, users and roles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from loam.authz.permissions import Module, Permission
from loam.kit.i18n import N_
from loam.kit.schemas import MAX_ID, Id, Name100, Opt100, OptStr, Phone

DEPARTMENT_KINDS = ("company", "region", "office", "account", "team")
DEPARTMENT_KIND_LABELS = {
    "company": N_("Company"),
    "region": N_("Region"),
    "office": N_("Representative office"),
    "account": N_("Account department"),
    "team": N_("Team"),
}

Version = Annotated[int, Field(ge=1, le=MAX_ID)]
PermissionCode = Literal[tuple(p.value for p in Permission)]  # type: ignore[valid-type]
ModuleCode = Literal[tuple(m.value for m in Module)]  # type: ignore[valid-type]
Level = Annotated[int, Field(ge=1, le=5)]  # loam.authz.permissions.DataScope
# JSON bodies are validated strictly (no "1" for 1, no 0 for false); pages parse forms with a lax twin.
WRITE = ConfigDict(extra="forbid", strict=True)


class DepartmentCreate(BaseModel):
    model_config = WRITE
    name: Name100
    kind: Literal["company", "region", "office", "account", "team"] = "team"
    parent_id: Id | None = None
    head_user_id: Id | None = None
    sort_order: int = Field(0, ge=0, le=100000)


class DepartmentUpdate(DepartmentCreate):
    """A full edit: rename, move (``parent_id``), set the head; ``version`` must be the one read."""

    version: Version


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    parent_id: int | None
    head_user_id: int | None
    path: str
    sort_order: int
    version: int


class UserBase(BaseModel):
    model_config = WRITE
    display_name: Name100
    email: EmailStr | None = None
    phone: Phone = None
    title: Opt100 = None
    department_id: Id | None = None
    manager_id: Id | None = None
    locale: Literal["zh_CN", "en"] | None = None
    role_ids: list[Id] = Field(default_factory=list, max_length=50)


class UserCreate(UserBase):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-@]+$")
    password: str = Field(min_length=8, max_length=200)


class UserUpdate(UserBase):
    """Everything but the username and password; ``is_active`` None leaves it as it is."""

    version: Version
    is_active: bool | None = None


class PasswordReset(BaseModel):
    model_config = WRITE
    password: str = Field(min_length=8, max_length=200)


class UserFilters(BaseModel):
    """Filters of the user list (admin page, address book, API)."""

    q: str | None = Field(None, max_length=100)
    department_id: Id | None = None
    below: bool = False
    active: bool | None = None


class UserRead(BaseModel):
    """What anyone in the company may read about a user (the address book); never a password hash."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    email: str | None
    phone: str | None
    title: str | None
    department_id: int | None
    manager_id: int | None
    locale: str | None
    is_active: bool
    last_login_at: datetime | None
    version: int
    role_ids: list[int] = Field(default_factory=list)


class RoleFields(BaseModel):
    model_config = WRITE
    name_zh: Name100
    name_en: Name100
    description: OptStr = None
    permissions: list[PermissionCode] = Field(default_factory=list, max_length=200)  # type: ignore[valid-type]
    data_scopes: dict[ModuleCode, Level] = Field(default_factory=dict)  # type: ignore[valid-type]


class RoleWrite(RoleFields):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9_\-]+$")


class RoleUpdate(RoleFields):
    """An edit of a role; its code never changes; ``version`` must be the one read."""

    version: Version


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str | None
    builtin: bool
    version: int
    permissions: list[str] = Field(default_factory=list)
    data_scopes: dict[str, int] = Field(default_factory=dict)
