"""Shapes of global search requests and results."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Entity = Literal["customer", "contact", "lead", "opportunity", "contract"]


class SearchQuery(BaseModel):
    """``q``: 1–100 characters (names, phone numbers in any format, e-mail addresses, Chinese substrings)."""

    q: str = Field(min_length=1, max_length=100)
    limit: int = Field(5, ge=1, le=50)


class SearchHit(BaseModel):
    """One record the caller may see: ``route`` is the name of its detail page (with ``route_param``)."""

    entity: Entity
    id: int
    name: str
    subtitle: str | None = Field(
        None,
        description="phone, e-mail or company, whichever the record has; an opportunity's amount; a contract's number",
    )
    matched: str = Field(description="the field that contains the query: name, company, phone, email or number")
    route: str = Field(description="route name of the detail page, e.g. customers:detail")
    route_param: str = Field(description="path parameter of that route, e.g. customer_id")


class SearchGroup(BaseModel):
    entity: Entity
    items: list[SearchHit]
    more: bool = Field(description="more records match than the limit shown")


class SearchResults(BaseModel):
    q: str
    groups: list[SearchGroup] = Field(
        description="customers, contacts, leads, opportunities, contracts — in that order, empty groups included"
    )
