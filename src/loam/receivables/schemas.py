"""Shapes of receivable plans, receipts (with their allocations), invoices, filters and the ageing report."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from loam.kit import audit
from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate, Name, Opt100, Opt200, OptText, name_str, opt_str

MILESTONES = {
    "prepayment": N_("Prepayment"),
    "arrival": N_("Arrival payment"),
    "acceptance": N_("Acceptance payment"),
    "final": N_("Final payment"),
    "other": N_("Other"),
}
PLAN_STATUSES = {
    "not_due": N_("Not due"),
    "partly_received": N_("Partly received"),
    "received": N_("Received"),
    "overdue": N_("Overdue"),
    "void": N_("Contract void"),
}
METHODS = {
    "bank_transfer": N_("Bank transfer"),
    "acceptance_bill": N_("Acceptance bill"),
    "cash": N_("Cash"),
    "other": N_("Other"),
}
RECEIPT_STATUSES = {
    "draft": N_("Draft"),
    "in_approval": N_("In approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
INVOICE_KINDS = {
    "vat_special": N_("VAT special invoice"),
    "vat_ordinary": N_("VAT ordinary invoice"),
    "other": N_("Other invoice"),
}
INVOICE_STATUSES = {"not_issued": N_("Not issued"), "issued": N_("Issued")}
FREQUENCIES = {"monthly": N_("Monthly"), "quarterly": N_("Quarterly"), "yearly": N_("Yearly")}
BUCKETS = {"0-30": N_("0–30 days"), "31-60": N_("31–60 days"), "61-90": N_("61–90 days"), "90+": N_("Over 90 days")}

if TYPE_CHECKING:
    Milestone = str
    PlanStatus = str
    Method = str
    ReceiptStatus = str
    InvoiceKind = str
    InvoiceStatus = str
    Frequency = str
else:  # enums at run time, so the OpenAPI schema documents them
    Milestone = Literal[tuple(MILESTONES)]
    PlanStatus = Literal[tuple(PLAN_STATUSES)]
    Method = Literal[tuple(METHODS)]
    ReceiptStatus = Literal[tuple(RECEIPT_STATUSES)]
    InvoiceKind = Literal[tuple(INVOICE_KINDS)]
    InvoiceStatus = Literal[tuple(INVOICE_STATUSES)]
    Frequency = Literal[tuple(FREQUENCIES)]

# A positive amount of money with at most two decimals that fits Numeric(18, 2), always with two decimals.
Money = Annotated[
    Decimal, Field(gt=0, max_digits=18, decimal_places=2), AfterValidator(lambda v: v.quantize(Decimal("0.01")))
]
TAX_NUMBER = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20}")


def _tax_number(value: str | None) -> str | None:
    """税号: 15, 18 (统一社会信用代码) or 20 letters and digits; stored upper-case."""
    if value is None:
        return None
    value = value.upper()
    if not TAX_NUMBER.fullmatch(value):
        raise ValueError("a tax number has 15, 18 or 20 letters and digits")
    return value


TaxNumber = Annotated[opt_str(20), AfterValidator(_tax_number)]  # type: ignore[valid-type]
Opt500 = opt_str(500)


# --- plans ---


class PlanFields(BaseModel):
    due_on: IsoDate
    amount: Money
    milestone: Milestone | None = None
    site: Opt100 = None  # type: ignore[valid-type]  # 按站点发货、验收、回款
    remark: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)  # custom field values (entity "receivable_plan")


class PlanRow(PlanFields):
    """One row of a batch."""

    model_config = ConfigDict(extra="forbid")


class PlanCreate(PlanFields):
    """One period; its number is the next free one of the contract; the owner is the contract's owner."""

    model_config = ConfigDict(extra="forbid")
    contract_id: Id


class PlanUpdate(PlanFields):
    """A full edit; ``version`` must be the one read, or the write is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)


class PlanBatch(BaseModel):
    """Several periods at once; all or none are created."""

    model_config = ConfigDict(extra="forbid")
    contract_id: Id
    rows: list[PlanRow] = Field(min_length=1, max_length=100)


class PlanRecurring(BaseModel):
    """``count`` periods every month / quarter / year from ``first_due``: each of ``amount_each``, or ``total``
    split evenly with the remaining cents on the last period (give exactly one of the two)."""

    model_config = ConfigDict(extra="forbid")
    contract_id: Id
    frequency: Frequency
    first_due: IsoDate
    count: int = Field(ge=1, le=120)
    amount_each: Money | None = None
    total: Money | None = None
    milestone: Milestone | None = None
    site: Opt100 = None  # type: ignore[valid-type]
    remark: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)  # the same custom field values on every period


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contract_id: int
    contract_number: str
    number: int
    due_on: date
    amount: Decimal
    currency: str
    milestone: str | None
    site: str | None
    remark: str | None
    received: Decimal
    outstanding: Decimal
    status: str
    custom: dict[str, Any]
    owner_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class PlanFilters(BaseModel):
    """Filters shared by the plans list page and the API (R17); ``status`` is computed for today."""

    q: str | None = Field(None, max_length=100)
    contract_id: Id | None = None
    customer_id: Id | None = None
    owner_id: Id | None = None
    mine: bool = False
    status: PlanStatus | None = None
    milestone: Milestone | None = None
    due_from: IsoDate | None = None
    due_to: IsoDate | None = None
    custom: dict[str, str] = Field(default_factory=dict)  # cf_<key> query parameters


# --- receipts and allocations ---


class AllocationWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan_id: Id
    amount: Money


class AllocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    receivable_id: int
    plan_id: int
    amount: Decimal


class ReceiptFields(BaseModel):
    received_on: IsoDate
    amount: Money
    method: Method = "bank_transfer"
    payer: Opt200 = None  # type: ignore[valid-type]
    remark: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)  # custom field values (entity "receivable")


class ReceiptCreate(ReceiptFields):
    """A draft receipt. ``allocations`` omitted (null): allocated automatically to the contract's open plan
    periods, oldest due first; ``[]``: left unallocated; a list: exactly those."""

    model_config = ConfigDict(extra="forbid")
    contract_id: Id
    allocations: list[AllocationWrite] | None = Field(None, max_length=200)


class ReceiptUpdate(ReceiptFields):
    """A full edit of a draft or rejected receipt. ``allocations`` null keeps the current ones (they must still
    fit the amount); a list replaces them."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    allocations: list[AllocationWrite] | None = Field(None, max_length=200)


class AllocationsReplace(BaseModel):
    """Replace a receipt's allocations: a list, or null for "oldest due first"."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    allocations: list[AllocationWrite] | None = Field(None, max_length=200)


class SubmitRequest(BaseModel):
    """Submit a draft or rejected receipt for approval; ``chosen_approvers`` fills the flow's "chosen by the
    submitter" steps (step position → user ids)."""

    model_config = ConfigDict(extra="forbid")
    comment: Opt500 = None  # type: ignore[valid-type]
    chosen_approvers: dict[int, list[Id]] | None = None


class ReceiptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contract_id: int
    contract_number: str
    received_on: date
    amount: Decimal
    currency: str
    method: str
    payer: str | None
    remark: str | None
    status: str
    approved_at: datetime | None
    allocated: Decimal
    custom: dict[str, Any]
    owner_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class ReceiptFilters(BaseModel):
    q: str | None = Field(None, max_length=100)
    contract_id: Id | None = None
    customer_id: Id | None = None
    owner_id: Id | None = None
    mine: bool = False
    status: ReceiptStatus | None = None
    method: Method | None = None
    received_from: IsoDate | None = None
    received_to: IsoDate | None = None
    custom: dict[str, str] = Field(default_factory=dict)  # cf_<key> query parameters


# --- invoices ---


class InvoiceFields(BaseModel):
    kind: InvoiceKind = "vat_special"
    title: Name  # 抬头
    tax_number: TaxNumber = None  # type: ignore[valid-type]
    amount: Money
    remark: OptText = None  # the VAT special invoice's tax number is required by the service (422 on the field)
    custom: dict[str, Any] = Field(default_factory=dict)  # custom field values (entity "invoice")


class InvoiceCreate(InvoiceFields):
    """An invoice request (not issued yet); issue it with the invoice number and date."""

    model_config = ConfigDict(extra="forbid")
    contract_id: Id


class InvoiceUpdate(InvoiceFields):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)


class InvoiceIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    issued_on: IsoDate
    invoice_number: name_str(40)  # type: ignore[valid-type]


class InvoiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contract_id: int
    contract_number: str
    kind: str
    title: str
    tax_number: str | None
    amount: Decimal
    currency: str
    status: str
    issued_on: date | None
    invoice_number: str | None
    remark: str | None
    custom: dict[str, Any]
    owner_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class InvoiceFilters(BaseModel):
    q: str | None = Field(None, max_length=100)
    contract_id: Id | None = None
    customer_id: Id | None = None
    owner_id: Id | None = None
    mine: bool = False
    status: InvoiceStatus | None = None
    kind: InvoiceKind | None = None
    custom: dict[str, str] = Field(default_factory=dict)  # cf_<key> query parameters


# --- contract totals, ageing ---


class ContractTotals(BaseModel):
    """One contract's money: planned, received (approved receipts), outstanding, overdue, invoiced."""

    model_config = ConfigDict(from_attributes=True)
    contract_id: int
    currency: str
    amount: Decimal
    planned: Decimal
    received: Decimal
    outstanding: Decimal
    overdue: Decimal
    invoiced: Decimal
    invoice_requested: Decimal


class AgeingFilters(BaseModel):
    """Which overdue plans the ageing report counts; amounts are in one currency."""

    owner_id: Id | None = None
    department_id: Id | None = None
    customer_id: Id | None = None
    contract_id: Id | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"


class BucketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    count: int
    amount: Decimal


class AgeingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    as_of: date
    currency: str
    buckets: list[BucketRead]
    count: int
    amount: Decimal


# History labels of the fields and actions this domain writes (shown by the shared history tab).
for _field, _label in {
    "amount": N_("Amount"),
    "due_on": N_("Due date"),
    "milestone": N_("Milestone"),
    "site": N_("Site"),
    "number": N_("Period no."),
    "received_on": N_("Received on"),
    "method": N_("Payment method"),
    "payer": N_("Payer"),
    "allocations": N_("Allocations"),
    "approved_at": N_("Approved"),
    "contract_id": N_("Contract"),
    "tax_number": N_("Tax number"),
    "invoice_title": N_("Invoice title"),
    "issued_on": N_("Issued on"),
    "invoice_number": N_("Invoice number"),
}.items():
    audit.FIELD_LABELS.setdefault(_field, _label)
for _action, _label in {
    "submit": N_("Submitted for approval"),
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "withdraw": N_("Withdrawn"),
    "allocate": N_("Allocation changed"),
    "issue": N_("Invoice issued"),
}.items():
    audit.ACTION_LABELS.setdefault(_action, _label)
