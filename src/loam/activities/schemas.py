"""Shapes of follow-ups (跟进记录)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate, LocalDatetime, OptStr, name_str

KINDS = {
    "visit": N_("Visit"),
    "call": N_("Phone call"),
    "meeting": N_("Meeting"),
    "email": N_("Email"),
    "reception": N_("Reception"),
    "wechat": N_("WeChat"),
    "other": N_("Other"),
}

Kind = Literal["visit", "call", "meeting", "email", "reception", "wechat", "other"]
Content = name_str(20000)
MAX_LINKS = 50


class FollowUpFields(BaseModel):
    kind: Kind
    occurred_at: LocalDatetime = None  # default: now
    content: Content
    next_step: OptStr = None
    next_contact_at: LocalDatetime = None
    participant_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)
    contact_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)


class FollowUpCreate(FollowUpFields):
    """A follow-up on exactly one customer or lead; the author is server-owned and always a participant."""

    model_config = ConfigDict(extra="forbid")
    customer_id: Id | None = None
    lead_id: Id | None = None

    @model_validator(mode="after")
    def _one_target(self) -> FollowUpCreate:
        if (self.customer_id is None) == (self.lead_id is None):
            raise ValueError("give exactly one of customer_id and lead_id")
        return self


class FollowUpUpdate(FollowUpFields):
    """A full edit (PUT): participants and contacts are replaced; the customer or lead cannot change; a stale
    ``version`` is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int | None
    lead_id: int | None
    kind: str
    occurred_at: datetime
    content: str
    next_step: str | None
    next_contact_at: datetime | None
    participant_ids: list[int] = Field(default_factory=list)
    contact_ids: list[int] = Field(default_factory=list)
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class FollowUpFilters(BaseModel):
    """Filters shared by the list page and the API (R17); dates are whole days in company time."""

    customer_id: Id | None = None
    lead_id: Id | None = None
    kind: Kind | None = None
    created_by: Id | None = None
    mine: bool = False
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    q: str | None = Field(None, max_length=100)
