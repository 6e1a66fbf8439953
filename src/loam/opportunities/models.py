"""Opportunities (商机), pipelines (商机流程) and their stage history.

The migration ``i4c_opportunities`` creates exactly these tables; keep them in step.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, JsonType, SoftDeleted, Timestamped, Versioned, utcnow

STAGE_KINDS = ("open", "won", "lost", "invalid")
CLOSED_KINDS = ("won", "lost", "invalid")
GATE_STATUSES = ("none", "pending", "approved", "rejected")
DEFAULT_GATE_AMOUNT = Decimal("5000000.00")


class Pipeline(Timestamped, Versioned, Base):
    """A sales process: ordered stages, applied to departments and product categories."""

    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    department_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    product_category_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    # The major-opportunity gate (立项, migration i4i): opportunities of at least ``gate_amount`` (in their own
    # currency) need an approved project approval to pass ``gate_stage_id``; no gate stage = no gate. A plain id
    # (no foreign key: pipelines and stages would reference each other); removing the stage is refused.
    gate_amount: Mapped[Decimal] = mapped_column(
        Numeric(18, 2), default=DEFAULT_GATE_AMOUNT, server_default="5000000.00"
    )
    gate_stage_id: Mapped[int | None] = mapped_column(Integer, default=None)


class PipelineStage(Timestamped, Base):
    """One stage. Stages in use are soft-retired (``retired_at``), never deleted (history keeps ids)."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (Index("ix_pipeline_stages_pipeline_position", "pipeline_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[int] = mapped_column(Integer, default=0)  # 0..100
    kind: Mapped[str] = mapped_column(String(10), default="open")  # open | won | lost | invalid
    required_fields: Mapped[list[str]] = mapped_column(JsonType, default=list)
    checklist: Mapped[list[str]] = mapped_column(JsonType, default=list)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class LostReason(Base):
    """Editable list of reasons for lost / invalid opportunities (输单/无效原因)."""

    __tablename__ = "lost_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="lost")  # lost | invalid
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Opportunity(Timestamped, Versioned, SoftDeleted, Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        Index("ix_opportunities_owner_updated", "owner_id", "updated_at"),
        Index("ix_opportunities_pipeline_stage", "pipeline_id", "stage_id"),
        Index("ix_opportunities_status_close", "status", "expected_close"),
        Index("ix_opportunities_status_closed_at", "status", "closed_at"),  # win-rate report by close date
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | won | lost | invalid
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    amount_from_lines: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_close: Mapped[date | None] = mapped_column(default=None)
    probability: Mapped[int] = mapped_column(Integer, default=0)  # effective: stage default unless overridden
    probability_override: Mapped[int | None] = mapped_column(Integer, default=None)
    computed_probability: Mapped[int | None] = mapped_column(Integer, default=None)  # loam.opportunities.scoring
    # {"trained_at", "size", "won", "lost", "factors": [{"feature", "value", "won", "lost", "ratio"}]} (scoring)
    computed_factors: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    source: Mapped[str | None] = mapped_column(String(40))
    remark: Mapped[str | None] = mapped_column(Text)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("lost_reasons.id"))
    lost_note: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    checklist_done: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {str(stage_id): [item, ...]}
    # The project approval (立项) of the gate: none | pending | approved | rejected (loam.opportunities.gate).
    gate_status: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    gate_decided_at: Mapped[datetime | None] = mapped_column(default=None)
    no_competitor: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # "no competitor known"
    # Server-owned (R12).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OpportunityContact(Base):
    """A contact of the customer and their role in this deal (决策链角色)."""

    __tablename__ = "opportunity_contacts"
    __table_args__ = (UniqueConstraint("opportunity_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    chain: Mapped[str | None] = mapped_column(String(12))  # power-map chain in this deal: technical | commercial …
    remark: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpportunityCompetitor(Timestamped, Base):
    __tablename__ = "opportunity_competitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    quoted_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), default=None)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | eliminated | won
    remark: Mapped[str | None] = mapped_column(Text)


class StageMove(Base):
    """One stage change (or the creation, ``from_stage_id`` None): who, when, time spent before."""

    __tablename__ = "stage_moves"
    __table_args__ = (
        Index("ix_stage_moves_opportunity_at", "opportunity_id", "at"),
        Index("ix_stage_moves_to_stage_at", "to_stage_id", "at"),
        Index("ix_stage_moves_at", "at"),
        # stage conversion / time in stage read only these columns, by period
        Index("ix_stage_moves_at_cover", "at", "from_stage_id", "duration_seconds", "opportunity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)  # in from_stage
    note: Mapped[str | None] = mapped_column(String(500))


class ScoringModel(Versioned, Base):
    """The company's learned win-probability model (one row, id 1): its settings (R23) and its last training."""

    __tablename__ = "opportunity_scoring"

    id: Mapped[int] = mapped_column(primary_key=True)
    features: Mapped[list[str]] = mapped_column(JsonType, default=list)
    amount_bands: Mapped[list[str]] = mapped_column(JsonType, default=list)  # ascending limits, as decimal text
    min_closed: Mapped[int] = mapped_column(Integer, default=20)
    status: Mapped[str] = mapped_column(String(12), default="never")  # never | ok | insufficient
    trained_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_count: Mapped[int] = mapped_column(Integer, default=0)
    won_count: Mapped[int] = mapped_column(Integer, default=0)
    lost_count: Mapped[int] = mapped_column(Integer, default=0)
    scored_count: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
