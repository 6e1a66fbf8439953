"""Shapes of pipelines (商机流程), stages and lost/invalid reasons."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from loam.kit.i18n import N_
from loam.kit.schemas import Id, OptText, name_str
from loam.products.schemas import Money

# What a stage may require before an opportunity enters it; plus "custom.<key>" for any custom field.
REQUIRABLE = {
    "amount": N_("Amount"),
    "expected_close": N_("Expected close"),
    "source": N_("Source"),
    "remark": N_("Remarks"),
    "contacts": N_("Contacts"),
    "decision_maker": N_("A decision maker among the contacts"),
    "competitors": N_("Competitors"),
    "products": N_("Products"),
    "team": N_("Team members"),
}
StageKind = Literal["open", "won", "lost", "invalid"]
ReasonKind = Literal["lost", "invalid"]
Name60 = name_str(60)
Name100 = name_str(100)
Item = name_str(200)


def _requirable(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value not in REQUIRABLE and not re.fullmatch(r"custom\.[A-Za-z0-9_]{1,40}", value):
            raise ValueError(f"unknown field {value[:50]!r}")
        if value not in out:
            out.append(value)
    return out


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class PipelineWrite(BaseModel):
    """A pipeline's settings. ``department_ids`` / ``product_category_ids``: empty means "all"."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name_zh: Name100  # type: ignore[valid-type]
    name_en: Name100  # type: ignore[valid-type]
    description: OptText = None
    active: bool = True
    is_default: bool = False
    department_ids: list[Id] = Field(default_factory=list, max_length=200)
    product_category_ids: list[Id] = Field(default_factory=list, max_length=200)
    version: int | None = Field(None, ge=1, le=2_147_483_647, description="Required on update (409 when stale).")


class StageWrite(BaseModel):
    """A stage. Required fields are names from REQUIRABLE or ``custom.<key>``; checklist items are free text."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name_zh: Name60  # type: ignore[valid-type]
    name_en: Name60  # type: ignore[valid-type]
    probability: int = Field(ge=0, le=100)
    kind: StageKind = "open"
    required_fields: Annotated[list[str], AfterValidator(_requirable)] = Field(default_factory=list, max_length=30)
    checklist: Annotated[list[Item], AfterValidator(_unique)] = Field(default_factory=list, max_length=30)


class StageOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    stage_ids: list[Id] = Field(min_length=1, max_length=100)


class StageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    pipeline_id: int
    name_zh: str
    name_en: str
    position: int
    probability: int
    kind: str
    required_fields: list[str]
    checklist: list[str]
    retired_at: datetime | None


class PipelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name_zh: str
    name_en: str
    description: str | None
    active: bool
    is_default: bool
    position: int
    department_ids: list[int]
    product_category_ids: list[int]
    gate_amount: Decimal
    gate_stage_id: int | None
    version: int


class GateSettingsWrite(BaseModel):
    """The major-opportunity gate (立项) of a pipeline: opportunities of at least ``gate_amount`` (compared in the
    opportunity's own currency) need an approved project approval before they pass ``gate_stage_id``, an open stage
    of this pipeline; ``gate_stage_id`` null switches the gate off."""

    model_config = ConfigDict(extra="forbid", strict=True)
    gate_amount: Money = Field(strict=False)
    gate_stage_id: Id | None = None
    version: int = Field(ge=1, le=2_147_483_647, description="The pipeline's version as read (409 when stale).")


class PipelineDetail(PipelineRead):
    stages: list[StageRead] = Field(default_factory=list)


class ReasonWrite(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    kind: ReasonKind = "lost"
    name_zh: Name100  # type: ignore[valid-type]
    name_en: Name100  # type: ignore[valid-type]
    active: bool = True


class ReasonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name_zh: str
    name_en: str
    position: int
    active: bool
