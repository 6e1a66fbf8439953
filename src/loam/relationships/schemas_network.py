"""Shapes of the intelligence network (情报网络) and the executive resource pool (高层资源池).

JSON bodies are strict (no "1" for 1); dates arrive as text, so date fields are lax. Pages parse their forms with
the lax twin (loam.web.forms.lax). PATCH bodies name only the fields to change, plus the ``version`` read (409 when
stale); the cross-field rules (:func:`intel_rule_errors`, :func:`meeting_rule_errors`) are checked on the merged
record by the services, and on create bodies here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.kit.schemas import Id, IsoDate, name_str, opt_str

INTEL_KINDS = {
    "org_change": N_("Organisation change"),
    "person": N_("Key person trait or preference"),
    "budget": N_("Budget"),
    "competitor": N_("Competitor move"),
    "project": N_("Project news"),
}
CONFIDENCES = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
STANCES = {"confirms": N_("Confirms"), "contradicts": N_("Contradicts")}
CHANGES = {"left": N_("Left the customer"), "role_changed": N_("Changed role")}
MEETING_STATUSES = {"planned": N_("Planned"), "held": N_("Held"), "cancelled": N_("Cancelled")}

if TYPE_CHECKING:
    IntelKind = str
    Confidence = str
    Stance = str
    Change = str
    MeetingStatus = str
else:  # enums at run time, so the OpenAPI schema documents them
    IntelKind = Literal[tuple(INTEL_KINDS)]
    Confidence = Literal[tuple(CONFIDENCES)]
    Stance = Literal[tuple(STANCES)]
    Change = Literal[tuple(CHANGES)]
    MeetingStatus = Literal[tuple(MEETING_STATUSES)]

STRICT = ConfigDict(extra="forbid", strict=True)
Content = name_str(20000)
Competitor = opt_str(200)
Summary = opt_str(20000)
Remark = opt_str(2000)
Days = Annotated[int, Field(ge=1, le=3650)]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]
MAX_SOURCES = 20
MAX_CONTACTS = 50


def intel_rule_errors(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with an intel item's field combination (empty when nothing): a competitor move names its
    competitor and only it does; a subject contact and a change go together and only on an organisation change."""
    errors: dict[str, str] = {}
    kind = values.get("kind")
    if kind == "competitor" and not values.get("competitor"):
        errors["competitor"] = _("Name the competitor of a competitor move.")
    if kind != "competitor" and values.get("competitor"):
        errors["competitor"] = _("Only a competitor move names a competitor.")
    subject, change = values.get("subject_contact_id"), values.get("change")
    if (subject is not None or change is not None) and kind != "org_change":
        errors["change"] = _("Only an organisation change names a contact who left or changed role.")
    elif (subject is None) != (change is None):
        key = "change" if change is None else "subject_contact_id"
        errors[key] = _("Name both the contact and what changed (left or changed role).")
    return errors


def meeting_rule_errors(values: dict[str, Any]) -> dict[str, str]:
    """A held meeting has the date it was held; a planned or cancelled one has none."""
    status, held_on = values.get("status"), values.get("held_on")
    if status == "held" and held_on is None:
        return {"held_on": _("Give the date the meeting was held.")}
    if status != "held" and held_on is not None:
        return {"status": _("Only a held meeting has a date held.")}
    return {}


def _raise_rules(errors: dict[str, str]) -> None:
    if errors:
        raise ValueError("; ".join(errors.values()))


# --- intelligence ---


class SourceWrite(BaseModel):
    """Who told us: exactly one of a contact of the item's customer or a user on our side."""

    model_config = STRICT
    contact_id: Id | None = None
    user_id: Id | None = None
    stance: Stance = "confirms"

    @model_validator(mode="after")
    def _one_person(self) -> SourceWrite:
        if (self.contact_id is None) == (self.user_id is None):
            raise ValueError("give exactly one of contact_id and user_id")
        return self


class IntelFields(BaseModel):
    kind: IntelKind
    content: Content  # type: ignore[valid-type]
    occurred_on: IsoDate = Field(strict=False)
    confidence: Confidence = "medium"
    competitor: Competitor = None  # type: ignore[valid-type]
    opportunity_id: Id | None = None
    subject_contact_id: Id | None = None
    change: Change | None = None
    contact_ids: list[Id] = Field(default_factory=list, max_length=MAX_CONTACTS)
    sources: list[SourceWrite] = Field(default_factory=list, max_length=MAX_SOURCES)


class IntelCreate(IntelFields):
    """An intel item about one customer; the author is the caller. Related contacts and contact sources must be
    contacts of that customer, the opportunity one of its opportunities."""

    model_config = STRICT
    customer_id: Id

    @model_validator(mode="after")
    def _rules(self) -> IntelCreate:
        _raise_rules(intel_rule_errors(self.model_dump()))
        return self


class IntelUpdate(BaseModel):
    """PATCH: only the fields given change; ``contact_ids`` and ``sources``, when given, replace the lists (a
    source already recorded with the same person and stance is kept as it was)."""

    model_config = STRICT
    kind: IntelKind | None = None
    content: Content | None = None  # type: ignore[valid-type]
    occurred_on: IsoDate | None = Field(None, strict=False)
    confidence: Confidence | None = None
    competitor: Competitor = None  # type: ignore[valid-type]
    opportunity_id: Id | None = None
    subject_contact_id: Id | None = None
    change: Change | None = None
    contact_ids: list[Id] | None = Field(None, max_length=MAX_CONTACTS)
    sources: list[SourceWrite] | None = Field(None, max_length=MAX_SOURCES)
    version: Version


class SourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contact_id: int | None
    user_id: int | None
    stance: str
    noted_at: datetime


class IntelRead(BaseModel):
    """An intel item; ``verified`` when at least ``intel.verify_sources`` distinct people confirm it,
    ``conflicting`` when someone confirms and someone contradicts it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int
    kind: str
    content: str
    occurred_on: date
    confidence: str
    competitor: str | None
    opportunity_id: int | None
    subject_contact_id: int | None
    change: str | None
    contact_ids: list[int] = Field(default_factory=list)
    sources: list[SourceRead] = Field(default_factory=list)
    confirms: int = 0
    contradicts: int = 0
    verified: bool = False
    conflicting: bool = False
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class IntelFilters(BaseModel):
    """Filters shared by the list page and the API (R17)."""

    customer_id: Id | None = None
    kind: IntelKind | None = None
    verified: bool | None = None
    conflicting: bool | None = None
    competitor: str | None = Field(None, max_length=200)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    q: str | None = Field(None, max_length=100)


class SourceContact(BaseModel):
    """An active source: a live, not departed contact who was a source within a year."""

    contact_id: int
    name: str
    dept_name: str | None
    level: str
    last_noted_at: datetime
    last_touch_at: datetime | None
    stale: bool


class DepartmentSources(BaseModel):
    dept_name: str | None
    contacts: int
    active: int
    stale: int


class SourcesReport(BaseModel):
    """Per department of the customer: live contacts, active sources, and those that need maintenance (no
    follow-up with them for ``stale_days``)."""

    customer_id: int
    as_of: date
    stale_days: int
    departments: list[DepartmentSources]
    sources: list[SourceContact]


class TimelineItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    occurred_on: date
    content: str
    confidence: str
    verified: bool = False
    conflicting: bool = False


class CompetitorTimeline(BaseModel):
    competitor: str
    items: list[TimelineItem]


# --- executive pool ---


class PairingCreate(BaseModel):
    """One of our executives paired with a customer contact (normally an executive); the customer is the
    contact's. Without ``expected_days`` the method's default (``exec.default_days``) applies."""

    model_config = STRICT
    contact_id: Id
    user_id: Id
    expected_days: Days | None = None
    remark: Remark = None  # type: ignore[valid-type]


class PairingUpdate(BaseModel):
    """PATCH: only the fields given change."""

    model_config = STRICT
    user_id: Id | None = None
    expected_days: Days | None = None
    remark: Remark = None  # type: ignore[valid-type]
    version: Version


class MeetingFields(BaseModel):
    planned_on: IsoDate = Field(strict=False)
    held_on: IsoDate | None = Field(None, strict=False)
    status: MeetingStatus = "planned"
    followup_id: Id | None = None
    summary: Summary = None  # type: ignore[valid-type]


class MeetingCreate(MeetingFields):
    """A planned or held meeting of a pairing; a follow-up it links must be of the pairing's customer."""

    model_config = STRICT

    @model_validator(mode="after")
    def _rules(self) -> MeetingCreate:
        _raise_rules(meeting_rule_errors(self.model_dump()))
        return self


class MeetingUpdate(BaseModel):
    """PATCH: only the fields given change (e.g. ``{"status": "held", "held_on": …, "version": …}``)."""

    model_config = STRICT
    planned_on: IsoDate | None = Field(None, strict=False)
    held_on: IsoDate | None = Field(None, strict=False)
    status: MeetingStatus | None = None
    followup_id: Id | None = None
    summary: Summary = None  # type: ignore[valid-type]
    version: Version


class MeetingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    pairing_id: int
    planned_on: date
    held_on: date | None
    status: str
    followup_id: int | None
    summary: str | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class PairingRead(BaseModel):
    """A pairing with its rhythm: ``since`` is the last held meeting (or the day it was paired); it is ``due``
    when ``since`` is more than ``expected_days`` ago."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int
    contact_id: int
    user_id: int
    expected_days: int
    remark: str | None
    last_held_on: date | None = None
    next_planned_on: date | None = None
    since: date | None = None
    due: bool = False
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class PairingDetail(PairingRead):
    meetings: list[MeetingRead] = Field(default_factory=list)


class PairingFilters(BaseModel):
    customer_id: Id | None = None
    user_id: Id | None = None
    contact_id: Id | None = None
    due: bool | None = None
