"""Reusable field types for request schemas: trimmed, length-capped strings, pages, sorting."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from loam.config import settings

T = TypeVar("T")


def _blank_to_none(v: object) -> object:
    if isinstance(v, str) and not v.strip():
        return None
    return v


def assume_local(value: datetime | None) -> datetime | None:
    """A datetime without an offset (HTML datetime-local inputs) is in the company's time zone."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(settings.timezone))
    return value


def _not_a_number(value: object) -> object:
    """Dates are ISO 8601 text, as the OpenAPI schema says; a number — bare or as text, ``8.9e-207`` included —
    is not silently an epoch."""
    if (isinstance(value, int | float) and not isinstance(value, bool)) or (
        isinstance(value, str) and not re.match(r"\s*\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("expected an ISO 8601 date-time")
    return value


MIN_YEAR, MAX_YEAR = 1900, 2999


def _in_range(value: datetime | date | None) -> datetime | date | None:
    """Dates a CRM can mean: years 1900–2999 (anything else is a typo, and some drivers cannot store it)."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def _iso_date(value: object) -> object:
    """Dates are ``YYYY-MM-DD`` text, as the OpenAPI schema says; a number is not silently an epoch day."""
    if not isinstance(value, date) and not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


LocalDatetime = Annotated[
    datetime | None, BeforeValidator(_not_a_number), AfterValidator(assume_local), AfterValidator(_in_range)
]
IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_range)]


def _raw_cap(n: int) -> BeforeValidator:
    """The length cap counts the text as sent, before trimming: that is what the OpenAPI ``maxLength`` says,
    so a client never sees a value the schema calls too long being accepted."""

    def check(value: object) -> object:
        if isinstance(value, str) and len(value) > n:
            raise PydanticCustomError(
                "string_too_long", "String should have at most {max_length} characters", {"max_length": n}
            )
        return value

    return BeforeValidator(check)


def trimmed(n: int, min_length: int = 0) -> Any:
    """A string of at most ``n`` characters as sent, stored trimmed; ``min_length`` counts the trimmed text."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=n), _raw_cap(n)]


def opt_str(n: int) -> object:
    """An optional, trimmed string of at most ``n`` characters (blank → None); n = the column's length."""
    return Annotated[trimmed(n) | None, BeforeValidator(_blank_to_none)]


def name_str(n: int) -> object:
    """A required, trimmed, non-empty string of at most ``n`` characters."""
    return trimmed(n, min_length=1)


Name = name_str(200)
ShortStr = trimmed(100)
OptStr = opt_str(500)
OptShort = opt_str(100)
OptText = opt_str(20000)
Phone = opt_str(40)
Name100 = name_str(100)
Opt40 = opt_str(40)
Opt100 = opt_str(100)
Opt200 = opt_str(200)
Opt300 = opt_str(300)

# Record ids: every id column is a 32-bit INTEGER on PostgreSQL, so larger values are a 422, not a 500.
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Page(BaseModel, Generic[T]):
    """One page of a list. ``total`` is exact up to 1,000 matching rows (or the end of the requested page);
    beyond that it is that floor and ``total_capped`` is true ("1,000 or more": counting every row of a huge
    set would be slow)."""

    items: list[T]
    total: int
    page: int
    page_size: int
    total_capped: bool = False

    @model_validator(mode="before")
    @classmethod
    def _capped_from_total(cls, data: object) -> object:
        # paginate() returns a Total (an int that knows whether it was capped): carry the flag over.
        if isinstance(data, dict) and getattr(data.get("total"), "capped", False):
            data = {**data, "total_capped": True}
        return data


class PageParams(BaseModel):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(25, ge=1, le=200)
    sort: str | None = Field(None, max_length=40)
