"""Customers (客户)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, SoftDeleted, Timestamped, Versioned


class Customer(Timestamped, Versioned, SoftDeleted, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_owner_updated", "owner_id", "updated_at"),
        Index("ix_customers_pool_owner", "pool_id", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(String(200), index=True, default="")
    industry: Mapped[str | None] = mapped_column(String(40))
    tier: Mapped[str | None] = mapped_column(String(2))  # S strategic / A partner / B / C
    level: Mapped[str] = mapped_column(String(10), default="normal")  # key / normal / minor: pool rules
    source: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_norm: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    remark: Mapped[str | None] = mapped_column(Text)
    # Server-owned fields (R12): never taken from a request body.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pools.id"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    deal_status: Mapped[str] = mapped_column(String(10), default="none")  # none | closed
    deal_at: Mapped[datetime | None] = mapped_column(default=None)
    owner_since: Mapped[datetime | None] = mapped_column(default=None)
    previous_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    last_followup_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    next_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
