"""Shapes of key relationships (关键客户关系): the relationship profile of a contact, stage changes, competitor
preferences, relationship owners, departures, the key-relationship score and rising stars."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate, OptStr, name_str, opt_str
from loam.opportunities.schemas import CONTACT_ROLES

STAGE_NUMBERS = (1, 2, 3, 4)
SUPPORT = {
    2: N_("Strong supporter"),
    1: N_("Supportive"),
    0: N_("Neutral"),
    -1: N_("Not supportive"),
    -2: N_("Opposes us"),
}
INFLUENCE = {"high": N_("High influence"), "medium": N_("Medium influence"), "low": N_("Low influence")}
CHAINS = {
    "technical": N_("Technical chain"),
    "commercial": N_("Commercial chain"),
    "overall": N_("Overall decision"),
    "hidden": N_("Hidden chain"),
}
PREFERENCES = {"strong": N_("Strong preference"), "leaning": N_("Leaning towards"), "none": N_("No preference")}
RISING_REASONS = {
    "education": N_("Educational background"),
    "expertise": N_("Expertise"),
    "eq": N_("Emotional intelligence (EQ)"),
    "popularity": N_("Popularity"),
}
# Roles that make a contact a key position for the succession check (besides high influence or executive level).
KEY_ROLES = ("decision_maker", "approver")

if TYPE_CHECKING:  # option lists are data; to a type checker they are plain strings
    Influence = str
    Chain = str
    Preference = str
    Reason = str
    Role = str
else:  # at run time they are enums, so the OpenAPI schema documents them
    Influence = Literal[tuple(INFLUENCE)]
    Chain = Literal[tuple(CHAINS)]
    Preference = Literal[tuple(PREFERENCES)]
    Reason = Literal[tuple(RISING_REASONS)]
    Role = Literal[tuple(CONTACT_ROLES)]

Stage = Annotated[int, Field(ge=1, le=4)]
Support = Annotated[int, Field(ge=-2, le=2)]
Days = Annotated[int, Field(ge=1, le=3650)]
Evidence = opt_str(2000)
Plan = opt_str(20000)
Orientation = opt_str(200)
CompetitorName = name_str(200)
MAX_COMPETITORS = 50
# JSON bodies are validated strictly (no "1" for 1); the pages parse forms with the lax twin (loam.web.forms.lax).
WRITE = ConfigDict(extra="forbid", strict=True)
MAX_OWNERS = 20


class ProfileUpdate(BaseModel):
    """A partial edit of a contact's relationship profile: only the fields sent change (``model_fields_set``).

    ``version`` is required once the profile exists (a stale one is a 409). The stage changes only through
    :class:`StageChange`; ``personality`` and ``preferences`` belong to the contact and are saved through the
    contacts service (they need the right to edit the contact)."""

    model_config = WRITE
    support: Support = 0
    coach: bool = False
    influence: Influence = "medium"
    decision_role: Role | None = None
    chain: Chain | None = None
    orientation: Orientation = None  # type: ignore[valid-type]
    expected_days: Days | None = None  # None: the default for the contact's level
    personality: OptStr = None  # type: ignore[valid-type]
    preferences: OptStr = None  # type: ignore[valid-type]
    rising_star: bool = False
    rising_reasons: list[Reason] = Field(default_factory=list, max_length=len(RISING_REASONS))
    rising_owner_id: Id | None = None
    rising_plan: Plan = None  # type: ignore[valid-type]
    version: int | None = Field(None, ge=1)

    @field_validator("rising_reasons")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))


class StageChange(BaseModel):
    """Move our relationship with a contact to another stage; evidence (the exit test passed) is required when
    moving up. ``version`` (optional) guards against a stale page."""

    model_config = WRITE
    to_stage: Stage
    evidence: Evidence = None  # type: ignore[valid-type]
    version: int | None = Field(None, ge=1)


class CompetitorPreference(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, from_attributes=True)
    competitor: CompetitorName  # type: ignore[valid-type]
    preference: Preference


class CompetitorPreferencesWrite(BaseModel):
    """Replace every competitor preference of a contact (an empty list clears them)."""

    model_config = WRITE
    items: list[CompetitorPreference] = Field(default_factory=list, max_length=MAX_COMPETITORS)


class RelationOwnersWrite(BaseModel):
    """Replace the people on our side who own the relationship (any active user; an empty list clears them)."""

    model_config = WRITE
    user_ids: list[Id] = Field(default_factory=list, max_length=MAX_OWNERS)

    @field_validator("user_ids")
    @classmethod
    def _unique(cls, v: list[int]) -> list[int]:
        return list(dict.fromkeys(v))


class Departure(BaseModel):
    """The contact left the customer on ``on`` — or, with ``role_changed``, changed role (not a departure)."""

    model_config = WRITE
    on: IsoDate = Field(strict=False)  # ISO text in JSON
    role_changed: bool = False


class PointRead(BaseModel):
    points: float
    text: str  # in the reader's language
    msgid: str
    params: dict[str, Any]


class ScoreRead(BaseModel):
    """A score 0–100 whose points add up to it, each explained."""

    score: int
    grade: str
    points: list[PointRead]
    details: dict[str, Any]


class ProfileRead(BaseModel):
    """A contact's relationship profile; ``saved`` is false (and ``version`` null) while it is the default."""

    contact_id: int
    saved: bool
    stage: int
    stage_name: str
    support: int
    coach: bool
    influence: str
    decision_role: str | None
    chain: str | None
    orientation: str | None
    expected_days: int | None
    expected_days_effective: int
    personality: str | None
    preferences: str | None
    rising_star: bool
    rising_reasons: list[str]
    rising_owner_id: int | None
    rising_plan: str | None
    departed_on: date | None
    competitors: list[CompetitorPreference]
    owner_ids: list[int]
    updated_at: datetime | None
    updated_by: int | None
    version: int | None


class RelationshipRead(ProfileRead):
    """The profile with the contact's key-relationship score."""

    score: ScoreRead


class StageChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contact_id: int
    from_stage: int | None
    to_stage: int
    evidence: str | None
    changed_at: datetime
    changed_by: int | None


class DepartureRead(BaseModel):
    notified: list[int]  # the users alerted to a succession gap (empty when there is none)
    relationship: RelationshipRead


class KeyContactRow(BaseModel):
    id: int
    name: str
    dept_name: str | None
    title: str | None
    level: str
    stage: int
    support: int
    coach: bool
    influence: str
    score: int
    last_touch: date | None
    departed_on: date | None


class CustomerKeyRead(BaseModel):
    """A customer's key-relationship score and its visible contacts, best score first."""

    customer_id: int
    score: ScoreRead
    contacts: list[KeyContactRow]


class StagePoint(BaseModel):
    stage: int
    on: date


class RisingStarRead(BaseModel):
    """A rising star (明日之星); ``id`` is the contact's id."""

    id: int
    name: str
    customer_id: int
    customer_name: str
    dept_name: str | None
    title: str | None
    stage: int
    rising_reasons: list[str]
    rising_owner_id: int | None
    rising_owner_name: str | None
    rising_plan: str | None
    stages: list[StagePoint]
