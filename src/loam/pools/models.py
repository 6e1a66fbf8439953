"""Public pools (公海): pools, their members and every movement in or out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, Timestamped, Versioned


class Pool(Timestamped, Versioned, Base):
    """A public pool (公海) with its rules; every rule is data (R23)."""

    __tablename__ = "pools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Return rules; per-level overrides in level_rules {"key": {"no_followup_days": 60, ...}}.
    no_followup_days: Mapped[int | None] = mapped_column(Integer)
    no_deal_days: Mapped[int | None] = mapped_column(Integer)
    level_rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    exempt_closed: Mapped[bool] = mapped_column(Boolean, default=True)
    warn_days: Mapped[int] = mapped_column(Integer, default=3)
    daily_claim_cap: Mapped[int | None] = mapped_column(Integer)
    owned_cap: Mapped[int | None] = mapped_column(Integer)
    cooldown_days: Mapped[int] = mapped_column(Integer, default=0)


class PoolMember(Base):
    """A user, or every user of a department (and optionally its sub-departments), may use a pool."""

    __tablename__ = "pool_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    include_children: Mapped[bool] = mapped_column(Boolean, default=True)


class PoolEvent(Base):
    """Every movement in or out of a pool; claim caps and cool-downs are counted from here."""

    __tablename__ = "pool_events"
    __table_args__ = (
        Index("ix_pool_events_user_action_at", "user_id", "action", "at"),
        Index("ix_pool_events_customer_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))  # release | claim | distribute | return
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the actor (None = rules)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # owner before / after
    reason: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column()
