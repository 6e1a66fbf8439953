"""Shapes of leads: create / update / read / filters, transfer, convert, status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from loam.kit.choices import Grade, Industry, Source
from loam.kit.i18n import N_
from loam.kit.schemas import Id, LocalDatetime, Name, Opt40, Opt100, Opt200, Opt300, OptText, Phone, name_str

STATUSES = {"open": N_("Open"), "converted": N_("Converted"), "invalid": N_("Invalid")}

Status = Literal["open", "converted", "invalid"]
PersonName = name_str(100)


class LeadFields(BaseModel):
    company: Opt200 = None
    title: Opt100 = None
    phone: Phone = None
    email: EmailStr | None = None
    source: Source | None = None
    grade: Grade | None = None
    industry: Industry | None = None
    province: Opt40 = None
    city: Opt40 = None
    address: Opt300 = None
    remark: OptText = None
    next_contact_at: LocalDatetime = None
    custom: dict[str, Any] = Field(default_factory=dict)


class LeadCreate(LeadFields):
    """Only the person's name is required; owner, department and status are server-owned (R12)."""

    model_config = ConfigDict(extra="forbid")
    name: PersonName


class LeadUpdate(LeadFields):
    """A full edit; ``version`` must be the one read, or the write is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    name: PersonName
    version: int = Field(ge=1)


class LeadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    company: str | None
    title: str | None
    phone: str | None
    email: str | None
    source: str | None
    grade: str | None
    industry: str | None
    province: str | None
    city: str | None
    address: str | None
    remark: str | None
    next_contact_at: datetime | None
    last_followup_at: datetime | None
    status: str
    converted_customer_id: int | None
    converted_at: datetime | None
    owner_id: int | None
    department_id: int | None
    custom: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class LeadFilters(BaseModel):
    """Filters shared by the list page and the API (R17)."""

    q: str | None = Field(None, max_length=100)
    owner_id: Id | None = None
    mine: bool = False
    grade: Grade | None = None
    source: Source | None = None
    status: Status | None = None
    due_today: bool = False
    custom: dict[str, str] = Field(default_factory=dict)


class LeadTransfer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner_id: Id


class LeadStatusChange(BaseModel):
    """Mark an open lead invalid (无效) or reopen an invalid one; conversion has its own action."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "invalid"]
    reason: Opt200 = None


class LeadConvert(BaseModel):
    """Convert into a new customer (named ``customer_name``, default the company, else the person) or, when
    ``existing_customer_id`` is given, attach to that customer (the caller must be able to edit it;
    ``customer_name`` is then ignored). ``create_contact`` also makes a contact from the lead's person."""

    model_config = ConfigDict(extra="forbid")
    customer_name: Name | None = None
    existing_customer_id: Id | None = None
    create_contact: bool = True


class ConversionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    lead: LeadRead
    customer_id: int
    contact_id: int | None
    followups_moved: int


class DuplicateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity: str
    id: int
    name: str
    owner_name: str
    matched_on: str
