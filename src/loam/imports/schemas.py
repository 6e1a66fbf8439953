"""Shapes of imports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from loam.bgjobs.schemas import JobRead

Target = Annotated[str, StringConstraints(max_length=50)]


class ImportOptions(BaseModel):
    """The sheet, the mapping — a target field per column ("" = not imported), or {header: target} —
    and what to do with duplicates."""

    model_config = ConfigDict(extra="forbid")
    sheet: Annotated[str, StringConstraints(max_length=100)] | None = None
    mapping: list[Target] | dict[Annotated[str, StringConstraints(max_length=200)], Target] | None = Field(
        None, max_length=500
    )
    on_duplicate: Literal["skip", "update", "error"] | None = None


class TargetRead(BaseModel):
    key: str
    label: str
    required: bool


class ImportRead(BaseModel):
    """An import: its job (status, progress, counts) and its file's sheets, header, mapping and preview."""

    job: JobRead
    sheet: str | None
    sheets: list[str]
    header: list[str]
    mapping: list[str]
    remembered: bool
    on_duplicate: str
    estimated_rows: int
    preview: list[list[str]]
    targets: list[TargetRead]
    counts: dict[str, int]
    last_dry_run: dict[str, Any] | None
    first_errors: list[list[Any]]


class IssueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    row_no: int
    outcome: str
    message: str
    record_id: int | None
