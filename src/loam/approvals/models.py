"""Approval flows (审批流): flow definitions, and the instances that run a document through them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, JsonType, Timestamped, Versioned, utcnow


class ApprovalFlow(Timestamped, Versioned, Base):
    """A flow definition for one document type. ``revision`` grows with every edit; running instances keep the
    snapshot of the revision they were submitted under."""

    __tablename__ = "approval_flows"
    __table_args__ = (Index("ix_approval_flows_doc_type_active", "doc_type", "active", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    priority: Mapped[int] = mapped_column(Integer, default=100)  # lower is tried first
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(
        JsonType, default=list
    )  # [{field, op, value}], all must hold
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ApprovalFlowStep(Base):
    """One ordered step of a flow definition."""

    __tablename__ = "approval_flow_steps"
    __table_args__ = (UniqueConstraint("flow_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("approval_flows.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ...
    name: Mapped[str] = mapped_column(String(100))
    # users | role | dept_head | supervisor | chosen
    approver_kind: Mapped[str] = mapped_column(String(20))
    user_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    role_code: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[int | None] = mapped_column(Integer)  # N-th level supervisor
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    mode: Mapped[str] = mapped_column(String(3), default="any")  # all 会签 | any 或签
    when_empty: Mapped[str] = mapped_column(String(5), default="admin")  # skip | admin


class ApprovalInstance(Timestamped, Base):
    """One run of one document through a flow. ``version`` grows with every decision: actions lock the row with a
    conditional UPDATE on (status, current_step), so concurrent decisions serialise and a stale one is refused."""

    __tablename__ = "approval_instances"
    __table_args__ = (
        Index("ix_approval_instances_doc", "doc_type", "doc_id", "id"),
        Index("ix_approval_instances_submitter", "submitter_id", "id"),
        Index(
            "uq_approval_instances_pending_doc",
            "doc_type",
            "doc_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(30))
    doc_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))  # describe(document) at submit time
    flow_id: Mapped[int | None] = mapped_column(ForeignKey("approval_flows.id", ondelete="SET NULL"), index=True)
    flow_name: Mapped[str | None] = mapped_column(String(100))
    flow_revision: Mapped[int | None] = mapped_column(Integer)
    flow_snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the definition as submitted
    doc_values: Mapped[dict[str, Any]] = mapped_column(default=dict)  # condition field values at submit time
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending approved rejected withdrawn
    current_step: Mapped[int | None] = mapped_column(Integer)  # position of the active step
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # whom heads/supervisors resolve from
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ApprovalStep(Base):
    """A step of one instance (copied from the snapshot at submit time; approvers resolved when it is reached)."""

    __tablename__ = "approval_steps"
    __table_args__ = (UniqueConstraint("instance_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("approval_instances.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(3))
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the step snapshot (+ chosen approvers)
    # waiting | active | approved | rejected | skipped | not_required
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ApprovalTask(Base):
    """One approver's part in one step: pending until they decide, or until the step ends otherwise."""

    __tablename__ = "approval_tasks"
    __table_args__ = (
        Index("ix_approval_tasks_user_status", "user_id", "status", "id"),
        Index("ix_approval_tasks_instance_step", "instance_id", "step_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("approval_instances.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # pending | approved | rejected | returned | delegated | cancelled
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str] = mapped_column(String(10), default="assigned")  # assigned | admin | delegated
    delegated_from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class ApprovalEvent(Base):
    """The history of an instance: who did what, when, with which comment."""

    __tablename__ = "approval_events"
    __table_args__ = (Index("ix_approval_events_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("approval_instances.id", ondelete="CASCADE"))
    step_position: Mapped[int | None] = mapped_column(Integer)
    step_name: Mapped[str | None] = mapped_column(String(100))
    # submit approve reject return withdraw delegate cc skip escalate assign auto_approve approved
    action: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    target_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)  # users delegated to, copied, assigned
    to_step: Mapped[int | None] = mapped_column(Integer)  # send back: the step it went back to
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalCc(Base):
    """A user copied on an instance (抄送): they may read it and hear about its outcome."""

    __tablename__ = "approval_ccs"
    __table_args__ = (
        UniqueConstraint("instance_id", "user_id"),
        Index("ix_approval_ccs_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("approval_instances.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
