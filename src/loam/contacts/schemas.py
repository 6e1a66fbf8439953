"""Shapes of contacts (联系人)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate, OptShort, OptStr, OptText, Phone, name_str

LEVELS = {"executive": N_("Executive"), "middle": N_("Middle management"), "staff": N_("Staff")}

Level = Literal["executive", "middle", "staff"]


ContactName = name_str(100)


class ContactFields(BaseModel):
    dept_name: OptShort = None
    title: OptShort = None
    level: Level = "staff"
    reports_to_id: Id | None = None
    phone: Phone = None
    email: EmailStr | None = None
    birthday: IsoDate | None = None
    is_decision_maker: bool = False
    personality: OptStr = None
    preferences: OptStr = None
    remark: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)

    @field_validator("birthday")
    @classmethod
    def _past(cls, v: date | None) -> date | None:
        if v is not None and (v > date.today() or v.year < 1900):
            raise ValueError("birthday out of range")
        return v


class ContactCreate(ContactFields):
    """A contact at one customer; owner and department are server-owned (R12)."""

    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    name: ContactName


class ContactUpdate(ContactFields):
    """A full edit (the customer cannot change); a stale ``version`` is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    name: ContactName
    version: int = Field(ge=1)


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int
    name: str
    dept_name: str | None
    title: str | None
    level: str
    reports_to_id: int | None
    phone: str | None
    email: str | None
    birthday: date | None
    is_decision_maker: bool
    personality: str | None
    preferences: str | None
    remark: str | None
    owner_id: int | None
    department_id: int | None
    custom: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class ContactFilters(BaseModel):
    """Filters shared by the list page and the API (R17)."""

    q: str | None = Field(None, max_length=100)
    customer_id: Id | None = None
    level: Level | None = None
    is_decision_maker: bool | None = None
    owner_id: Id | None = None
    mine: bool = False
