"""Shapes of relationship health, monthly snapshots, the company view and the method's settings versions (API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate
from loam.relationships.settings import MethodSettings

BANDS = {
    "healthy": N_("Healthy"),
    "sub_healthy": N_("Sub-healthy"),
    "at_risk": N_("At risk"),
    "critical": N_("Critical"),
}
Band = Literal["healthy", "sub_healthy", "at_risk", "critical"]
Tier = Literal["S", "A", "B", "C"]


class PointRead(BaseModel):
    """One reason behind a score: ``points`` (signed) and the reason in the caller's language."""

    points: float
    signed: str
    text: str
    msgid: str
    params: dict[str, Any] = Field(default_factory=dict)


class LayerRead(BaseModel):
    """One layer's score 0–100, its grade and the points that make it up (``details``: layer-specific data)."""

    score: int
    grade: str
    points: list[PointRead]
    details: dict[str, Any] = Field(default_factory=dict)


class TrendRead(BaseModel):
    """A stored monthly snapshot's health (the 1st of ``month``)."""

    month: date
    health: int
    band: Band
    settings_version: int


class HealthRead(BaseModel):
    """A customer's relationship health: the number, its band, each layer's contribution (``points``), the three
    layers with their own points, the settings version used, the last 12 monthly snapshots and the snapshot of the
    same month a year earlier (``last_year``, or null)."""

    customer_id: int
    as_of: date
    score: int
    band: Band
    band_label: str
    settings_version: int
    weights: dict[str, float]
    points: list[PointRead]
    key: LayerRead
    broad: LayerRead
    org: LayerRead
    trend: list[TrendRead]
    last_year: TrendRead | None


class SnapshotRead(BaseModel):
    """A stored monthly snapshot, explained from its own details and the settings version it was computed with."""

    id: int
    customer_id: int
    month: date
    settings_version: int
    current_settings_version: int
    key_score: int
    broad_score: int
    org_score: int
    health: int
    band: Band
    weights: dict[str, float]
    points: list[PointRead]
    created_at: datetime


class OverviewFilters(BaseModel):
    """The company view's filters: a snapshot month (default: the latest), our department (and below), the
    customer's owner, the customer's tier."""

    month: IsoDate | None = None
    department_id: Id | None = None
    owner_id: Id | None = None
    tier: Tier | None = None


class HealthListFilters(OverviewFilters):
    """The customer list of the company view: the overview's filters and a band."""

    band: Band | None = None


class MatrixCell(BaseModel):
    band: Band
    tier: str  # S / A / B / C, or "" for customers without a tier
    count: int


class DropRead(BaseModel):
    """A customer whose health fell from the previous month's snapshot to this month's."""

    customer_id: int
    name: str
    tier: str | None
    owner_id: int | None
    previous: int
    health: int
    drop: int
    previous_band: Band
    band: Band


class DepartmentRank(BaseModel):
    """One of our departments, by the mean health of the customers it owns (``Customer.department_id``)."""

    department_id: int | None
    name: str
    customers: int
    mean_health: float
    bands: dict[str, int]


class OverviewRead(BaseModel):
    month: date | None
    previous_month: date | None
    matrix: list[MatrixCell]
    bands: dict[str, int]
    total: int
    drops: list[DropRead]
    departments: list[DepartmentRank]


class CustomerHealthRow(BaseModel):
    """A visible customer with its health in the month's snapshot and the change from the previous month."""

    id: int
    name: str
    tier: str | None
    owner_id: int | None
    department_id: int | None
    month: date
    health: int
    band: Band
    key_score: int
    broad_score: int
    org_score: int
    previous: int | None
    change: int | None


class SettingsRead(BaseModel):
    """One version of the method's settings (the highest is in force)."""

    model_config = ConfigDict(from_attributes=True)
    version: int
    data: MethodSettings
    note: str | None
    created_by: int | None
    created_at: datetime


class SettingsVersionSummary(BaseModel):
    """A version in the history: who stored it, when, with which note."""

    model_config = ConfigDict(from_attributes=True)
    version: int
    note: str | None
    created_by: int | None
    created_at: datetime
