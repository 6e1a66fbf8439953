"""Shapes of export requests (the job itself is a loam.bgjobs JobRead)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Entity = Literal[
    "customer", "lead", "contact", "followup", "opportunity", "contract", "receivable_plan", "receivable", "invoice"
]
Format = Literal["xlsx", "csv"]
ENTITIES: tuple[str, ...] = (
    "customer",
    "lead",
    "contact",
    "followup",
    "opportunity",
    "contract",
    "receivable_plan",
    "receivable",
    "invoice",
)
FORMATS: tuple[str, ...] = ("xlsx", "csv")


class ExportCreate(BaseModel):
    """Export one list with its filters (the list's own filter schema) and sort, in the caller's data scope."""

    model_config = ConfigDict(extra="forbid")
    entity: Entity
    format: Format = "xlsx"
    filters: dict[str, Any] = Field(default_factory=dict, max_length=40)
    sort: str | None = Field(None, max_length=40)
