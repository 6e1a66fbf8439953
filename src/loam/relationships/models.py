"""Relationships, quantified (客户关系的科学化): the data behind the three layers and the power map.

- ``RelationshipSettings``: every tunable of the method (stages and exit tests, score weights, coverage window and
  level weights, department templates per industry, the organisational checklist, health weights and bands) as one
  JSON document, **versioned**: a change writes a new version and snapshots name the version they were computed
  with, so a past score can always be explained (R23).
- Per contact: ``ContactProfile`` (stage, support, coach, influence, decision role and chain on the account-level
  power map, expected contact frequency, rising star, departure), competitor preferences, stage history with
  evidence, and the people on our side who own the relationship.
- Per customer: organisational checklist marks with evidence, informal power-map links (formal lines are
  ``contacts.reports_to_id``), monthly snapshots, intelligence items with their sources, executive pairings
  (高层对口) and their meetings.
- The 12+1 contact scenario catalogue and, per follow-up, the scenario it followed, the ticked checklist and the
  rating given afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, JsonType, SoftDeleted, Timestamped, Versioned, utcnow


class RelationshipSettings(Base):
    """One version of the method's settings; the highest version is in force. Never updated in place."""

    __tablename__ = "relationship_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    data: Mapped[dict[str, Any]] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContactProfile(Timestamped, Versioned, Base):
    """Our relationship with one contact (关键客户关系); one row per contact, created on first edit."""

    __tablename__ = "contact_profiles"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[int] = mapped_column(SmallInteger, default=1)  # 1 认识 … 4 支持
    support: Mapped[int] = mapped_column(SmallInteger, default=0)  # −2 oppose … +2 strong supporter
    coach: Mapped[bool] = mapped_column(Boolean, default=False)
    influence: Mapped[str] = mapped_column(String(8), default="medium")  # high | medium | low
    decision_role: Mapped[str | None] = mapped_column(String(20))  # account-level power map role
    chain: Mapped[str | None] = mapped_column(String(12))  # technical | commercial | overall | hidden
    orientation: Mapped[str | None] = mapped_column(String(200))  # decision orientation
    expected_days: Mapped[int | None] = mapped_column(Integer)  # None: the default for the contact's level
    rising_star: Mapped[bool] = mapped_column(Boolean, default=False)
    rising_reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)  # education, expertise, eq, popularity
    rising_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rising_plan: Mapped[str | None] = mapped_column(Text)
    departed_on: Mapped[date | None] = mapped_column(Date)  # left the customer (an org change)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContactCompetitorPreference(Base):
    """How a contact leans towards one competitor: strong / leaning / none."""

    __tablename__ = "contact_competitor_prefs"
    __table_args__ = (UniqueConstraint("contact_id", "competitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    competitor: Mapped[str] = mapped_column(String(200))
    preference: Mapped[str] = mapped_column(String(8), default="none")


class ContactStageChange(Base):
    """One change of our relationship stage with a contact, with the evidence that it passed the exit test."""

    __tablename__ = "contact_stage_changes"
    __table_args__ = (Index("ix_contact_stage_changes_contact_at", "contact_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    from_stage: Mapped[int | None] = mapped_column(SmallInteger)
    to_stage: Mapped[int] = mapped_column(SmallInteger)
    evidence: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContactRelationOwner(Base):
    """Someone on our side who owns the relationship with a contact (any user, not only sales)."""

    __tablename__ = "contact_relation_owners"
    __table_args__ = (UniqueConstraint("contact_id", "user_id"), Index("ix_contact_relation_owners_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PowerLink(Base):
    """An informal link on a customer's power map: influences / conflicts / personal tie, strength 1–3. The customer
    is the contacts' (no copy of it here, so a merge that moves contacts moves their links)."""

    __tablename__ = "power_links"
    __table_args__ = (UniqueConstraint("from_contact_id", "to_contact_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    to_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # influences | conflicts | personal
    strength: Mapped[int] = mapped_column(SmallInteger, default=2)
    remark: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OrgMark(Timestamped, Versioned, Base):
    """One item of a customer's organisational checklist that is in place, with its evidence."""

    __tablename__ = "org_marks"
    __table_args__ = (UniqueConstraint("customer_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    factor: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("1.00"))  # e.g. agreement scope 1/0.7/0.4
    achieved_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    followup_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)  # activities that prove it
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RelationshipSnapshot(Base):
    """A customer's relationship scores on the first day of a month, with the settings version used."""

    __tablename__ = "relationship_snapshots"
    __table_args__ = (
        UniqueConstraint("customer_id", "month"),
        Index("ix_relationship_snapshots_month_health", "month", "health"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    settings_version: Mapped[int] = mapped_column(Integer)
    key_score: Mapped[int] = mapped_column(SmallInteger)
    broad_score: Mapped[int] = mapped_column(SmallInteger)
    org_score: Mapped[int] = mapped_column(SmallInteger)
    health: Mapped[int] = mapped_column(SmallInteger)
    band: Mapped[str] = mapped_column(String(12))  # healthy | sub_healthy | at_risk | critical
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the explanation, as computed then
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntelItem(Timestamped, Versioned, SoftDeleted, Base):
    """One piece of intelligence (情报) about a customer."""

    __tablename__ = "intel_items"
    __table_args__ = (Index("ix_intel_items_customer_occurred", "customer_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(20))  # org_change | person | budget | competitor | project
    content: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date] = mapped_column(Date)
    confidence: Mapped[str] = mapped_column(String(8), default="medium")  # high | medium | low
    competitor: Mapped[str | None] = mapped_column(String(200))  # for competitor moves
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"))
    # An org change about one contact: left the customer, or changed role.
    subject_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    change: Mapped[str | None] = mapped_column(String(12))  # left | role_changed
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IntelSource(Base):
    """Who told us: a contact of the customer, or a person on our side; confirms or contradicts the item."""

    __tablename__ = "intel_sources"
    __table_args__ = (Index("ix_intel_sources_contact", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("intel_items.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(12), default="confirms")  # confirms | contradicts
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntelItemContact(Base):
    """A contact an intel item is about (besides its sources)."""

    __tablename__ = "intel_item_contacts"

    item_id: Mapped[int] = mapped_column(ForeignKey("intel_items.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True)


class ExecPairing(Timestamped, Versioned, SoftDeleted, Base):
    """高层对口: one of our executives paired with a customer executive, meeting at least every N days."""

    __tablename__ = "exec_pairings"
    __table_args__ = (UniqueConstraint("contact_id", "user_id"), Index("ix_exec_pairings_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expected_days: Mapped[int] = mapped_column(Integer, default=90)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ExecMeeting(Timestamped, Versioned, Base):
    """A planned or held meeting of an executive pairing."""

    __tablename__ = "exec_meetings"
    __table_args__ = (Index("ix_exec_meetings_pairing_planned", "pairing_id", "planned_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("exec_pairings.id", ondelete="CASCADE"))
    planned_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="planned")  # planned | held | cancelled
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("followups.id", ondelete="SET NULL"))
    summary: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContactScenario(Timestamped, Versioned, Base):
    """One standard contact activity of the 12+1 catalogue (场景标准化)."""

    __tablename__ = "contact_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    layer: Mapped[str] = mapped_column(String(8))  # key | broad | org: which relationship layer it builds
    checklist: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)  # [{"zh": …, "en": …}]
    standard: Mapped[str | None] = mapped_column(Text)  # the quality standard
    budget: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # typical budget
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    hospitality: Mapped[bool] = mapped_column(Boolean, default=False)  # the "+1": compliance limits apply
    limit_per_head: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # compliance limit per guest
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FollowUpScenario(Versioned, Base):
    """The scenario a follow-up (or planned activity) followed, the ticked checklist, and its rating afterwards."""

    __tablename__ = "followup_scenarios"
    __table_args__ = (Index("ix_followup_scenarios_scenario", "scenario_id"),)

    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"), primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("contact_scenarios.id"))
    checked: Mapped[list[int]] = mapped_column(JsonType, default=list)  # indexes into the scenario's checklist
    guests: Mapped[int | None] = mapped_column(Integer)
    spent: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    quality: Mapped[int | None] = mapped_column(SmallInteger)  # 1–5
    support_effect: Mapped[int | None] = mapped_column(SmallInteger)  # −2 … +2
    stage_effect: Mapped[int | None] = mapped_column(SmallInteger)  # −1 … +1
    rated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rated_at: Mapped[datetime | None] = mapped_column(default=None)
