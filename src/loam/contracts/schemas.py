"""Shapes of contracts, their settings, templates and print history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate, LocalDatetime, OptText, name_str, opt_str
from loam.products.schemas import Currency, Money, ProductLineRead, ProductLineWrite

STATUSES = {
    "draft": N_("Draft"),
    "in_approval": N_("In approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "void": N_("Void"),
}
# Built-in contract types; the list in use is data (ContractSetting "types"), these are its defaults.
DEFAULT_TYPES = {
    "sales": N_("Sales contract"),
    "framework": N_("Framework agreement"),
    "service": N_("Service contract"),
    "purchase": N_("Purchase contract"),
    "other": N_("Other"),
}
TEMPLATE_KINDS = {"contract": N_("Contract"), "receipt": N_("Receipt")}

Status = Literal["draft", "in_approval", "approved", "rejected", "void"]
TemplateKind = Literal["contract", "receipt"]
Name200 = name_str(200)
Opt200 = opt_str(200)
TypeCode = name_str(30)


class ContractFields(BaseModel):
    type: TypeCode = "sales"  # type: ignore[valid-type]
    customer_signatory_id: Id | None = None
    our_signatory_id: Id | None = None
    signing_entity: Opt200 = None  # type: ignore[valid-type]
    payment_terms: OptText = None
    signed_on: IsoDate | None = None
    start_on: IsoDate | None = None
    end_on: IsoDate | None = None
    remark: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)
    # None: leave the lines as they are (update) / none, or the opportunity's (create); [] clears them.
    # When there are lines the amount is their total.
    lines: list[ProductLineWrite] | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _dates(self) -> ContractFields:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValueError("the end date must not be before the start date")
        return self


class ContractCreate(ContractFields):
    """A draft contract. From an opportunity (``opportunity_id``), the customer, name, amount, currency and
    product lines default to the opportunity's; blank, ``customer_id`` and ``name`` are required. The number,
    owner and status are server-owned (R12)."""

    model_config = ConfigDict(extra="forbid")
    name: Name200 | None = None  # type: ignore[valid-type]
    customer_id: Id | None = None
    opportunity_id: Id | None = None
    amount: Money | None = None
    currency: Currency | None = None


class ContractUpdate(ContractFields):
    """A full edit; ``version`` must be the one read, or the write is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    name: Name200  # type: ignore[valid-type]
    customer_id: Id
    opportunity_id: Id | None = None
    amount: Money = Decimal("0.00")
    currency: Currency = "CNY"
    version: int = Field(ge=1, le=2_147_483_647)


class ContractRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    name: str
    type: str
    customer_id: int
    opportunity_id: int | None
    customer_signatory_id: int | None
    our_signatory_id: int | None
    signing_entity: str | None
    amount: Decimal
    currency: str
    payment_terms: str | None
    signed_on: date | None
    start_on: date | None
    end_on: date | None
    remark: str | None
    status: str
    approved_at: datetime | None
    void_reason: str | None
    voided_at: datetime | None
    custom: dict[str, Any]
    owner_id: int | None
    department_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class ContractDetail(ContractRead):
    lines: list[ProductLineRead] = Field(default_factory=list)


class ContractFilters(BaseModel):
    """Filters shared by the list page, the API and the CLI (R17)."""

    q: str | None = Field(None, max_length=100)
    status: Status | None = None
    type: str | None = Field(None, max_length=30)
    customer_id: Id | None = None
    opportunity_id: Id | None = None
    owner_id: Id | None = None
    mine: bool = False
    signed_from: IsoDate | None = None
    signed_to: IsoDate | None = None
    expiring_within: int | None = Field(None, ge=0, le=3650)
    custom: dict[str, str] = Field(default_factory=dict)


class VoidRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: name_str(500)  # type: ignore[valid-type]


class SubmitRequest(BaseModel):
    """Submit for approval; ``chosen_approvers`` (step position → user ids) for steps chosen by the submitter."""

    model_config = ConfigDict(extra="forbid")
    comment: opt_str(500) = None  # type: ignore[valid-type]
    chosen_approvers: dict[int, list[Id]] | None = None


class MemberWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Id
    access: Literal["read", "write"] = "read"
    expires_at: LocalDatetime = None


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    access: str
    expires_at: datetime | None


class TypeOption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=30, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=100)


def _default_types() -> list[TypeOption]:
    return [TypeOption(code=k, label=v) for k, v in DEFAULT_TYPES.items()]


class ContractSettings(BaseModel):
    """Company-tunable contract settings (R23)."""

    model_config = ConfigDict(extra="forbid")
    number_pattern: str = Field("HT-{yyyy}{mm}-{seq:05}", min_length=1, max_length=40)
    expiry_days: int = Field(30, ge=1, le=365)
    types: list[TypeOption] = Field(default_factory=lambda: _default_types(), min_length=1, max_length=50)
    signing_entities: list[Name200] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _unique_types(self) -> ContractSettings:
        codes = [t.code for t in self.types]
        if len(set(codes)) != len(codes):
            raise ValueError("contract type codes must be unique")
        return self


class TemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    description: str | None
    filename: str
    size: int
    sha256: str
    active: bool
    uploaded_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class DocumentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: Id


class PrintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    entity: str
    record_id: int
    template_id: int | None
    format: str
    user_id: int | None
    at: datetime
