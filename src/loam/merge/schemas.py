"""Shapes of the duplicate finder and of merges."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.kit.schemas import Id

Entity = Literal["customer", "lead", "contact"]
ENTITY_LABELS = {"customer": N_("Customers"), "lead": N_("Leads"), "contact": N_("Contacts")}
MATCH_LABELS = {
    "name": N_("Same name"),
    "company": N_("Same company"),
    "phone": N_("Same phone"),
    "email": N_("Same email"),
    "similar_name": N_("Similar name"),
}
MAX_MERGED = 20
# A record reference: an id, or "<entity>:<id>" (as the finder lists them) so that mixed kinds are refused.
_REF = re.compile(r"^(customer|lead|contact):(\d{1,10})$")


def _ref_id(value: Any, entity: Any) -> Any:
    """``"customer:12"`` → 12 when the kind matches the request's entity; a different kind is refused."""
    if not isinstance(value, str):
        return value
    m = _REF.match(value)
    if m is None:
        return value  # the field's own validation reports it
    if m.group(1) != entity:
        raise ValueError(_("Only records of the same kind can be merged."))
    return int(m.group(2))


class MergeRequest(BaseModel):
    """Merge ``merged_ids`` into ``survivor_id`` (all of kind ``entity``).

    ``fields`` says, field by field, which record's value the survivor keeps (``{"phone": 2}``; custom fields
    as ``"custom.<key>"``); fields not named keep the survivor's value. Ids may be given as ``"customer:2"``.
    """

    model_config = ConfigDict(extra="forbid")
    entity: Entity
    survivor_id: Id
    merged_ids: list[Id] = Field(min_length=1, max_length=MAX_MERGED)
    fields: dict[Annotated[str, Field(max_length=50)], Id] = Field(default_factory=dict, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _refs(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        entity = data.get("entity")
        if "survivor_id" in data:
            data["survivor_id"] = _ref_id(data["survivor_id"], entity)
        if isinstance(data.get("merged_ids"), list):
            data["merged_ids"] = [_ref_id(v, entity) for v in data["merged_ids"]]
        return data

    @model_validator(mode="after")
    def _distinct(self) -> MergeRequest:
        if self.survivor_id in self.merged_ids:
            raise ValueError(_("A record cannot be merged into itself."))
        if len(set(self.merged_ids)) != len(self.merged_ids):
            raise ValueError(_("Each record can be merged only once."))
        involved = {self.survivor_id, *self.merged_ids}
        if any(v not in involved for v in self.fields.values()):
            raise ValueError(_("Each field must name one of the records being merged."))
        return self


class MergeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    entity: str
    survivor_id: int
    merged_ids: list[int]
    changes: dict[str, Any] = Field(description="{field: [before, after]} of the survivor's changed fields")
    moved: dict[str, Any] = Field(description="ids of the moved children per kind and source record")
    created_by: int | None
    created_at: datetime
    undone_at: datetime | None
    undone_by: int | None
    undo_note: dict[str, Any] = Field(description="after an undo: fields kept because they had changed since")


class CandidateRecord(BaseModel):
    id: int
    name: str
    detail: str | None = Field(None, description="company (lead), customer (contact) or city (customer)")
    phone: str | None
    email: str | None
    owner_id: int | None
    updated_at: datetime | None


class CandidateMatch(BaseModel):
    kind: Literal["name", "company", "phone", "email", "similar_name"]
    ids: list[int]
    value: str | None = None
    score: int | None = Field(None, description="similarity 0–100 for similar names")


class CandidateGroup(BaseModel):
    entity: str
    records: list[CandidateRecord]
    matches: list[CandidateMatch]


class CandidateList(BaseModel):
    entity: str
    groups: list[CandidateGroup]
    scanned: int = Field(description="how many records the similar-name search compared")
    truncated: bool = Field(description="true when limits cut the search short")


class DismissRequest(BaseModel):
    """Mark records of one kind as not duplicates of each other: the finder stops pairing any two of them."""

    model_config = ConfigDict(extra="forbid")
    entity: Entity
    ids: list[Id] = Field(min_length=2, max_length=MAX_MERGED + 1)


class DismissResult(BaseModel):
    entity: str
    ids: list[int]
    pairs_added: int = Field(description="pairs newly marked (pairs marked before are not counted again)")


class DismissalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    entity: str
    low_id: int
    high_id: int
    created_by: int | None
    created_at: datetime
