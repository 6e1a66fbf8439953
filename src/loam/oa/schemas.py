"""Shapes of OA types and OA requests. JSON bodies are strict; pages parse forms with the lax twin."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, OptText, name_str, opt_str

STRICT = ConfigDict(extra="forbid", strict=True)

STATUSES = {
    "draft": N_("Draft"),
    "in_approval": N_("In approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
KINDS = {
    "text": N_("Text"),
    "textarea": N_("Long text"),
    "number": N_("Number"),
    "money": N_("Money"),
    "date": N_("Date"),
    "datetime": N_("Date and time"),
    "select": N_("Choice"),
}
Status = Literal["draft", "in_approval", "approved", "rejected"]
Kind = Literal["text", "textarea", "number", "money", "date", "datetime", "select"]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,29}$", max_length=30)]
Choice = name_str(100)
Name100 = name_str(100)
Title = name_str(200)
Opt500 = opt_str(500)
MAX_FIELDS = 30
# A submitted value: text, a number, or nothing. Dates travel as ISO text.
Value = Annotated[str, StringConstraints(max_length=2000)] | int | float | None


class FieldDef(BaseModel):
    """One field of a type: ``key`` (stored under it), labels, ``kind``, ``required``, ``choices`` (select only)."""

    model_config = STRICT
    key: Key
    label_zh: Name100  # type: ignore[valid-type]
    label_en: Name100  # type: ignore[valid-type]
    kind: Kind
    required: bool = False
    choices: list[Choice] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _choices(self) -> FieldDef:
        if self.kind == "select":
            if not self.choices:
                raise ValueError("a choice field needs at least one choice")
            if len(set(self.choices)) != len(self.choices):
                raise ValueError("the choices must be different")
        elif self.choices:
            raise ValueError("only choice fields take choices")
        return self


def _unique_keys(fields: list[FieldDef]) -> list[FieldDef]:
    keys = [f.key for f in fields]
    if len(set(keys)) != len(keys):
        raise ValueError("each field needs its own key")
    return fields


class TypeFields(BaseModel):
    name_zh: Name100  # type: ignore[valid-type]
    name_en: Name100  # type: ignore[valid-type]
    description: Opt500 = None  # type: ignore[valid-type]
    active: bool = True
    sort: int = Field(0, ge=0, le=10_000)
    fields: list[FieldDef] = Field(default_factory=list, max_length=MAX_FIELDS)

    @field_validator("fields")
    @classmethod
    def _keys(cls, fields: list[FieldDef]) -> list[FieldDef]:
        return _unique_keys(fields)


class TypeCreate(TypeFields):
    """A new type; ``code`` (lower-case letters, digits, "_") never changes afterwards."""

    model_config = STRICT
    code: Key


class TypeUpdate(TypeFields):
    """A full edit of a type; ``version`` must be the one read (409 otherwise). The code stays."""

    model_config = STRICT
    version: int = Field(ge=1, le=2_147_483_647)


class TypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str | None
    active: bool
    sort: int
    fields: list[FieldDef]
    in_use: bool = False
    created_at: datetime
    updated_at: datetime
    version: int


class RequestFields(BaseModel):
    title: Title  # type: ignore[valid-type]
    content: OptText = None  # type: ignore[valid-type]
    values: dict[Key, Value] = Field(default_factory=dict, max_length=MAX_FIELDS)


class RequestCreate(RequestFields):
    """A draft request of an active type (by code). Owner, department and status are server-owned (R12)."""

    model_config = STRICT
    type: Key


class RequestUpdate(RequestFields):
    """A full edit of a draft or rejected request; ``version`` must be the one read (409 otherwise)."""

    model_config = STRICT
    version: int = Field(ge=1, le=2_147_483_647)


class RequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    type_id: int
    type_code: str
    title: str
    content: str | None
    values: dict[str, Any]
    amount: Decimal | None
    days: Decimal | None
    status: str
    submitted_at: datetime | None
    finished_at: datetime | None
    owner_id: int | None
    department_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class RequestFilters(BaseModel):
    """Filters shared by the list page, the API and the CLI (R17)."""

    status: Status | None = None
    type: Key | None = None
    mine: bool = False
    q: Annotated[str | None, StringConstraints(max_length=100)] = None


class SubmitIn(BaseModel):
    """Submitting for approval: approvers for "chosen by the submitter" steps (step position → user ids)."""

    model_config = ConfigDict(extra="forbid")
    comment: Annotated[str | None, StringConstraints(max_length=2000)] = None
    chosen_approvers: dict[int, list[Id]] | None = Field(None, max_length=20)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Annotated[str | None, StringConstraints(max_length=2000)] = None
