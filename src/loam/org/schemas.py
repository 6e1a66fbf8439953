"""Shapes of departments, users and roles."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from loam.kit.schemas import Name, OptStr

DEPARTMENT_KINDS = ("company", "region", "office", "account", "team")


class DepartmentCreate(BaseModel):
    name: Name
    kind: str = Field("team", pattern="^(company|region|office|account|team)$")
    parent_id: int | None = None
    head_user_id: int | None = None
    sort_order: int = Field(0, ge=0, le=100000)


class DepartmentUpdate(DepartmentCreate):
    version: int


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
    display_name: Name
    email: EmailStr | None = None
    phone: OptStr = None
    title: OptStr = None
    department_id: int | None = None
    manager_id: int | None = None
    locale: str | None = Field(None, pattern="^(zh_CN|en)$")
    role_ids: list[int] = Field(default_factory=list, max_length=50)

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email(cls, v: object) -> object:
        return None if v == "" else v


class UserCreate(UserBase):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-@]+$")
    password: str = Field(min_length=8, max_length=200)


class UserUpdate(UserBase):
    version: int
    is_active: bool = True


class UserRead(BaseModel):
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


class RoleWrite(BaseModel):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9_\-]+$")
    name_zh: Name
    name_en: Name
    description: OptStr = None
    permissions: list[str] = Field(default_factory=list, max_length=200)
    data_scopes: dict[str, int] = Field(default_factory=dict)


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
