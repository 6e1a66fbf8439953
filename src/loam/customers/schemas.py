"""Shapes of customers and their team members."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from loam.kit.choices import Industry, Source
from loam.kit.i18n import N_
from loam.kit.schemas import Id, LocalDatetime, Name, Opt40, Opt200, Opt300, OptText, Phone

LEVELS = {"key": N_("Key customer"), "normal": N_("Normal customer"), "minor": N_("Minor customer")}
TIERS = {"S": N_("S strategic"), "A": N_("A partner"), "B": N_("B"), "C": N_("C")}
DEAL_STATUSES = {"none": N_("No deal yet"), "closed": N_("Deal closed")}

Level = Literal["key", "normal", "minor"]
Tier = Literal["S", "A", "B", "C"]


class CustomerFields(BaseModel):
    industry: Industry | None = None
    tier: Tier | None = None
    level: Level = "normal"
    source: Source | None = None
    phone: Phone = None
    email: EmailStr | None = None
    website: Opt200 = None
    province: Opt40 = None
    city: Opt40 = None
    address: Opt300 = None
    remark: OptText = None
    next_contact_at: LocalDatetime = None
    custom: dict[str, Any] = Field(default_factory=dict)


class CustomerCreate(CustomerFields):
    """Only the name is required; the owner is the creator (server-owned, R12)."""

    model_config = ConfigDict(extra="forbid")
    name: Name


class CustomerUpdate(CustomerFields):
    """A full edit; ``version`` must be the one read, or the write is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    version: int = Field(ge=1)


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    industry: str | None
    tier: str | None
    level: str
    source: str | None
    phone: str | None
    email: str | None
    website: str | None
    province: str | None
    city: str | None
    address: str | None
    remark: str | None
    owner_id: int | None
    department_id: int | None
    pool_id: int | None
    locked: bool
    deal_status: str
    last_followup_at: datetime | None
    next_contact_at: datetime | None
    custom: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class CustomerFilters(BaseModel):
    """Filters shared by the list page, the API and exports (R17)."""

    q: str | None = Field(None, max_length=100)
    owner_id: Id | None = None
    mine: bool = False
    level: Level | None = None
    tier: Tier | None = None
    industry: Industry | None = None
    source: Source | None = None
    deal_status: Literal["none", "closed"] | None = None
    locked: bool | None = None
    custom: dict[str, str] = Field(default_factory=dict)


class DealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closed: bool


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner_id: Id
    cascade_contacts: bool = False
    keep_as_member: bool = True


class MemberWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Id
    access: Literal["read", "write"] = "read"
    expires_at: LocalDatetime = None


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    access: str
    expires_at: datetime | None
