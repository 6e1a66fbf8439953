"""Shapes of saved list views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from loam.kit.schemas import Name100

ENTITY_PATTERN = r"^[a-z][a-z_]{0,29}$"


class SavedViewWrite(BaseModel):
    """A named list query (the list page's query string, e.g. ``status=open&sort=-amount``) for one entity."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: Name100  # type: ignore[valid-type]
    entity: str = Field(pattern=ENTITY_PATTERN, description='The list it belongs to, e.g. "opportunity".')
    query: str = Field("", max_length=2000)
    shared: bool = False


class SavedViewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    entity: str
    name: str
    query: str
    shared: bool
    created_at: datetime
    updated_at: datetime


class SavedViewFilters(BaseModel):
    entity: str | None = Field(None, pattern=ENTITY_PATTERN)
