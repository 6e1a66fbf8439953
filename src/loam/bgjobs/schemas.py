"""Shapes of background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobRead(BaseModel):
    """A job with its progress; ``rows_per_second`` and ``eta_seconds`` are computed, not stored."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    entity: str
    status: str
    title: str
    params: dict[str, Any]
    result: dict[str, Any]
    total: int | None
    done: int
    cancel_requested: bool
    error: str | None
    input_name: str | None
    has_output: bool = False
    rows_per_second: float | None = None
    eta_seconds: float | None = None
    started_at: datetime | None
    finished_at: datetime | None
    created_by: int | None
    created_at: datetime
