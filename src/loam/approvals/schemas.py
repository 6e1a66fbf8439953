"""Shapes of approval flow definitions, approval instances, actions and the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from loam.kit.i18n import N_
from loam.kit.schemas import Id, OptStr, name_str, opt_str

Op = Literal["eq", "ne", "gt", "ge", "lt", "le", "in"]
ApproverKind = Literal["users", "role", "dept_head", "supervisor", "chosen"]
Mode = Literal["all", "any"]
WhenEmpty = Literal["skip", "admin"]
Box = Literal["pending", "done", "submitted", "cc"]
InstanceStatus = Literal["pending", "approved", "rejected", "withdrawn"]

OPS = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "in": N_("in")}
KIND_LABELS = {
    "users": N_("Named users"),
    "role": N_("Users with a role"),
    "dept_head": N_("Head of the submitter's department"),
    "supervisor": N_("N-th level supervisor of the submitter"),
    "chosen": N_("Chosen by the submitter"),
}
# Labels of common condition fields (a document type's other fields show by name).
FIELD_LABELS = {
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "type": N_("Type"),
    "industry": N_("Industry"),
    "stage": N_("Stage"),
    "probability": N_("Probability"),
    "method": N_("Payment method"),
    "customer_level": N_("Customer level"),
    "days": N_("Days"),
}
MODE_LABELS = {"any": N_("Any one approver (或签)"), "all": N_("All approvers (会签)")}
WHEN_EMPTY_LABELS = {"skip": N_("Skip the step"), "admin": N_("Send to the administrators")}
BOX_LABELS = {
    "pending": N_("Awaiting me"),
    "done": N_("Done by me"),
    "submitted": N_("Submitted by me"),
    "cc": N_("Copied to me"),
}
STATUS_LABELS = {
    "pending": N_("In approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
STEP_STATUS_LABELS = {
    "waiting": N_("Waiting"),
    "active": N_("In progress"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "skipped": N_("Skipped (nobody to approve)"),
    "not_required": N_("Not required"),
}
TASK_STATUS_LABELS = {
    "pending": N_("To decide"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "returned": N_("Sent back"),
    "delegated": N_("Delegated"),
    "cancelled": N_("No longer needed"),
}
EVENT_LABELS = {
    "submit": N_("Submitted for approval"),
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "return": N_("Send back"),
    "withdraw": N_("Withdraw"),
    "delegate": N_("Delegate"),
    "cc": N_("Copy to"),
    "assign": N_("Assigned"),
    "skip": N_("Skipped: nobody to approve"),
    "escalate": N_("Nobody to approve: sent to the administrators"),
    "auto_approve": N_("Approved at once: no active approval flow"),
    "approved": N_("Approval completed"),
}

Name100 = name_str(100)
Comment = opt_str(2000)


class Condition(BaseModel):
    """``field op value``; ``in`` takes a comma-separated list. Values are text, read by the field's type."""

    model_config = ConfigDict(extra="forbid")
    field: str = Field(min_length=1, max_length=40)
    op: Op
    value: str = Field(max_length=500)


class FlowStepWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name100  # type: ignore[valid-type]
    approver_kind: ApproverKind
    user_ids: list[Id] = Field(default_factory=list, max_length=50)
    role_code: opt_str(40) = None  # type: ignore[valid-type]
    level: int | None = Field(None, ge=1, le=10)
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    mode: Mode = "any"
    when_empty: WhenEmpty = "admin"


class FlowFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name100  # type: ignore[valid-type]
    description: OptStr = None
    active: bool = True
    priority: int = Field(100, ge=0, le=100_000)
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    steps: list[FlowStepWrite] = Field(min_length=1, max_length=20)


class FlowCreate(FlowFields):
    """A new flow for one installed document type; its steps run in the given order."""

    doc_type: str = Field(min_length=1, max_length=30)


class FlowUpdate(FlowFields):
    """A full edit; ``version`` must be the one read (409 otherwise). Running approvals keep their snapshot."""

    version: int = Field(ge=1)


class FlowStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    position: int
    name: str
    approver_kind: str
    user_ids: list[int]
    role_code: str | None
    level: int | None
    conditions: list[dict[str, Any]]
    mode: str
    when_empty: str


class FlowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    doc_type: str
    name: str
    description: str | None
    active: bool
    priority: int
    conditions: list[dict[str, Any]]
    revision: int
    steps: list[FlowStepRead] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int


class DocumentTypeRead(BaseModel):
    code: str
    label: str
    fields: dict[str, str]


class FlowFilters(BaseModel):
    doc_type: str | None = Field(None, max_length=30)


# --- actions ---------------------------------------------------------------------------------------


class ActionIn(BaseModel):
    """Approve, reject or withdraw, with an optional comment."""

    model_config = ConfigDict(extra="forbid")
    comment: Comment = None  # type: ignore[valid-type]


class ReturnIn(ActionIn):
    """Send the approval back to an earlier step (its position)."""

    to_step: int = Field(ge=1, le=100)


class DelegateIn(ActionIn):
    """Hand the caller's task to another active user."""

    user_id: Id


class CcIn(ActionIn):
    """Copy users on the approval (抄送)."""

    user_ids: list[Id] = Field(min_length=1, max_length=50)


# --- reads -----------------------------------------------------------------------------------------


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    user_name: str = ""
    status: str
    reason: str
    delegated_from_id: int | None
    comment: str | None
    created_at: datetime
    decided_at: datetime | None


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    position: int
    name: str
    mode: str
    approver_kind: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    tasks: list[TaskRead] = Field(default_factory=list)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    action: str
    step_position: int | None
    step_name: str | None
    user_id: int | None
    user_name: str = ""
    target_ids: list[int]
    to_step: int | None
    comment: str | None
    at: datetime


class InstanceSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    doc_type: str
    doc_type_label: str = ""
    doc_id: int
    title: str
    status: str
    current_step: int | None
    current_step_name: str | None = None
    flow_id: int | None
    flow_name: str | None
    flow_revision: int | None
    submitter_id: int | None
    submitter_name: str = ""
    submitted_at: datetime
    finished_at: datetime | None
    version: int


class InstanceRead(InstanceSummary):
    doc_values: dict[str, Any]
    steps: list[StepRead] = Field(default_factory=list)
    events: list[EventRead] = Field(default_factory=list)
    cc_user_ids: list[int] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)  # what the caller may do now
    return_steps: list[tuple[int, str]] = Field(default_factory=list)  # where "send back" may go


class InboxItem(InstanceSummary):
    task_id: int | None = None
    task_status: str | None = None
    decided_at: datetime | None = None


class InboxFilters(BaseModel):
    box: Box = "pending"
    doc_type: str | None = Field(None, max_length=30)
    status: InstanceStatus | None = None


class InboxCounts(BaseModel):
    pending: int
    done: int
    submitted: int
    cc: int
