"""Shapes of report filters, report results and sales targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate

Period = Literal[
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "last_30_days",
    "last_90_days",
    "last_12_months",
    "all",
    "custom",
]
Interval = Literal["week", "month", "quarter", "year"]
By = Literal["month", "department", "user", "product"]
Metric = Literal["contract_amount", "receipts"]
METRICS = {"contract_amount": N_("Contract amount"), "receipts": N_("Receipts")}
BY = {"month": N_("Month"), "department": N_("Department"), "user": N_("User"), "product": N_("Product")}
MAX_MONEY = Decimal("9999999999999999.99")  # Numeric(18, 2)
MIN_YEAR, MAX_YEAR = 2000, 2999


def _currency(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise ValueError("an ISO 4217 code of three letters, e.g. CNY")
    return value


Currency = Annotated[str, AfterValidator(_currency)]
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, max_digits=18, decimal_places=2, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]


class ReportFilters(BaseModel):
    """Filters shared by every report page, its export and its API endpoint (R17).

    ``period`` (default: the report's own) or ``custom`` with ``date_from``/``date_to`` (inclusive);
    ``department_id`` includes the departments below it; amounts are summed in one ``currency``.
    ``interval``, ``by``, ``year`` and ``metric`` apply to the reports that name them.
    """

    model_config = ConfigDict(extra="forbid")
    period: Period | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    department_id: Id | None = None
    user_id: Id | None = None
    pipeline_id: Id | None = None
    category_id: Id | None = None
    currency: Currency = "CNY"
    interval: Interval | None = None
    by: By | None = None
    year: Year | None = None
    metric: Metric | None = None


# --- report results ---------------------------------------------------------------------------------

Cell = int | Decimal | str | None
ColumnKind = Literal["text", "int", "number", "money", "percent", "days"]


class ColumnOut(BaseModel):
    key: str
    label: str
    kind: ColumnKind = "text"


class TableOut(BaseModel):
    """One table of a report: ``rows`` hold the numbers (money as exact decimals, percentages as 0–100)."""

    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Cell]]
    total: dict[str, Cell] | None = None


@dataclass
class Chart:
    """An ECharts option built on the server; the page renders it with static/js/charts.js."""

    key: str
    title: str
    option: dict[str, Any]


@dataclass
class Report:
    """A computed report: its window, its tables (the numbers) and charts of the same numbers."""

    name: str
    title: str
    start: date | None
    end: date | None  # inclusive
    currency: str
    tables: list[TableOut]
    charts: list[Chart] = field(default_factory=list)


class ReportOut(BaseModel):
    """A report's numbers as JSON: ``start``/``end`` are the inclusive local dates of the period."""

    model_config = ConfigDict(from_attributes=True)
    name: str
    title: str
    start: date | None
    end: date | None
    currency: str
    tables: list[TableOut]


class ReportInfo(BaseModel):
    name: str
    title: str
    description: str


# --- sales targets -----------------------------------------------------------------------------------

Months = Annotated[list[Money], Field(min_length=12, max_length=12)]


class TargetCreate(BaseModel):
    """A target for one user or one department (exactly one), one year and one metric; twelve month values."""

    model_config = ConfigDict(extra="forbid")
    year: Year
    metric: Metric
    user_id: Id | None = None
    department_id: Id | None = None
    currency: Currency = "CNY"
    months: Months

    @model_validator(mode="after")
    def _one_subject(self) -> TargetCreate:
        if (self.user_id is None) == (self.department_id is None):
            raise ValueError("give exactly one of user_id and department_id")
        return self


class TargetUpdate(BaseModel):
    """New month values; ``version`` must be the one read, or the write is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    currency: Currency = "CNY"
    months: Months
    version: int = Field(ge=1, le=2_147_483_647)


class TargetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    year: int
    metric: str
    user_id: int | None
    department_id: int | None
    currency: str
    months: list[Decimal]
    quarters: list[Decimal]
    total: Decimal
    created_at: datetime
    updated_at: datetime
    version: int


class TargetFilters(BaseModel):
    year: Year | None = None
    metric: Metric | None = None
    user_id: Id | None = None
    department_id: Id | None = None


class GridRow(BaseModel):
    """One row of the grid editor: a user's or the department's twelve months (blank cells are 0)."""

    model_config = ConfigDict(extra="forbid")
    user_id: Id | None = None
    department_id: Id | None = None
    months: Months
    version: int | None = Field(None, ge=1, le=2_147_483_647)

    @model_validator(mode="after")
    def _one_subject(self) -> GridRow:
        if (self.user_id is None) == (self.department_id is None):
            raise ValueError("give exactly one of user_id and department_id")
        return self


class TargetGrid(BaseModel):
    """The grid editor's save: every row of one department for one year and metric, in one currency."""

    model_config = ConfigDict(extra="forbid")
    year: Year
    metric: Metric
    currency: Currency = "CNY"
    rows: list[GridRow] = Field(max_length=500)
