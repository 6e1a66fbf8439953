"""Shapes of the 12+1 contact scenario catalogue (场景标准化) and of the scenario a follow-up followed, its ticked
checklist, money spent and rating."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, OptText, name_str, opt_str
from loam.products.schemas import Currency, Money

LAYERS = {
    "key": N_("Key relationships"),
    "broad": N_("Broad relationships"),
    "org": N_("Organisational relationships"),
}
QUALITIES = {
    1: N_("1 – poor"),
    2: N_("2 – below standard"),
    3: N_("3 – to standard"),
    4: N_("4 – good"),
    5: N_("5 – excellent"),
}
MAX_ITEMS = 30
MAX_INDEX = MAX_ITEMS - 1

if TYPE_CHECKING:
    Layer = str
else:  # an enum at run time, so the OpenAPI schema documents it
    Layer = Literal[tuple(LAYERS)]

Name100 = name_str(100)
ItemText = opt_str(200)
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,29}$")]
Index = Annotated[int, Field(ge=0, le=MAX_INDEX)]


class ChecklistItem(BaseModel):
    """One checklist item in Chinese and English (at least one of them). ``was``: the item's index in the checklist
    as read, so the ticks that past follow-ups put on it follow it when items are reordered or removed; leave it out
    for a new item (an item without ``was`` keeps the ticks of an old item with exactly the same text)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    zh: ItemText = None  # type: ignore[valid-type]
    en: ItemText = None  # type: ignore[valid-type]
    was: Index | None = None

    @model_validator(mode="after")
    def _some_text(self) -> ChecklistItem:
        if not self.zh and not self.en:
            raise ValueError("give the item's text in Chinese or English")
        return self


class ScenarioFields(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name_zh: Name100  # type: ignore[valid-type]
    name_en: Name100  # type: ignore[valid-type]
    layer: Layer = "key"
    checklist: list[ChecklistItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    standard: OptText = None  # type: ignore[valid-type]
    budget: Money | None = Field(None, strict=False)
    currency: Currency = "CNY"
    hospitality: bool = False
    limit_per_head: Money | None = Field(None, strict=False)
    active: bool = True


class ScenarioCreate(ScenarioFields):
    """A new scenario at the end of the catalogue. ``code``: a stable key (lower-case letters, digits and ``_``);
    left out, one is made up. A hospitality scenario needs its compliance limit per guest (``limit_per_head``)."""

    code: Code | None = None


class ScenarioEdit(ScenarioFields):
    """A full edit (the catalogue page's form); ``version`` as read."""

    version: int = Field(ge=1, le=2_147_483_647)


class ScenarioUpdate(BaseModel):
    """A partial edit (PATCH): only the fields sent change; ``version`` must be the one read (409 otherwise). The
    code never changes. Sending ``checklist`` replaces the whole list (see ``ChecklistItem.was``)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name_zh: Name100 | None = None  # type: ignore[valid-type]
    name_en: Name100 | None = None  # type: ignore[valid-type]
    layer: Layer | None = None
    checklist: list[ChecklistItem] | None = Field(None, max_length=MAX_ITEMS)
    standard: OptText = None  # type: ignore[valid-type]
    budget: Money | None = Field(None, strict=False)
    currency: Currency | None = None
    hospitality: bool | None = None
    limit_per_head: Money | None = Field(None, strict=False)
    active: bool | None = None
    version: int = Field(ge=1, le=2_147_483_647)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ScenarioUpdate:
        for name in ("name_zh", "name_en", "layer", "checklist", "currency", "hospitality", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ScenarioOrder(BaseModel):
    """Every scenario of the catalogue exactly once, in the new order."""

    model_config = ConfigDict(extra="forbid", strict=True)
    ids: list[Id] = Field(min_length=1, max_length=500)


class ChecklistItemRead(BaseModel):
    zh: str
    en: str


class ScenarioRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name_zh: str
    name_en: str
    layer: str
    checklist: list[ChecklistItemRead]
    standard: str | None
    budget: Decimal | None
    currency: str
    hospitality: bool
    limit_per_head: Decimal | None
    position: int
    active: bool
    version: int


class FollowUpScenarioWrite(BaseModel):
    """The scenario a follow-up followed and how it went: ticked checklist items (indexes into the scenario's
    checklist), guests and money spent (in the scenario's currency). A full replace (PUT)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    scenario_id: Id
    checked: list[Index] = Field(default_factory=list, max_length=MAX_ITEMS)
    guests: int | None = Field(None, ge=1, le=100_000)
    spent: Money | None = Field(None, strict=False)
    version: int | None = Field(
        None, ge=1, le=2_147_483_647, description="The version read (409 when changed since); none on a first choice."
    )


class RatingWrite(BaseModel):
    """The rating given after the activity: quality 1–5 against the scenario's standard, and the effect it had on
    the contacts' support (−2…+2) and relationship stage (−1…+1) — suggestions the account manager confirms on each
    contact's profile, never applied automatically."""

    model_config = ConfigDict(extra="forbid", strict=True)
    quality: int = Field(ge=1, le=5)
    support_effect: int = Field(0, ge=-2, le=2)
    stage_effect: int = Field(0, ge=-1, le=1)
    version: int | None = Field(
        None, ge=1, le=2_147_483_647, description="The version read (409 when changed since); none on a first choice."
    )


class SuggestionRead(BaseModel):
    """What the rating suggests for one contact of the follow-up: ``field`` support or stage, from → to."""

    contact_id: int
    contact_name: str
    field: Literal["support", "stage"]
    effect: int
    current: int
    proposed: int


class FollowUpScenarioRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    followup_id: int
    scenario_id: int
    checked: list[int]
    guests: int | None
    spent: Decimal | None
    quality: int | None
    support_effect: int | None
    stage_effect: int | None
    rated_by: int | None
    rated_at: datetime | None
    version: int
    scenario: ScenarioRead | None = None
    suggestions: list[SuggestionRead] = Field(default_factory=list)
