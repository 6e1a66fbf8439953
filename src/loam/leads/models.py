"""Leads (线索)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, SoftDeleted, Timestamped, Versioned


class Lead(Timestamped, Versioned, SoftDeleted, Base):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_owner_next_contact", "owner_id", "next_contact_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # the person
    company: Mapped[str | None] = mapped_column(String(200))
    company_norm: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_norm: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    source: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(2))  # A / B / C
    industry: Mapped[str | None] = mapped_column(String(40))
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    remark: Mapped[str | None] = mapped_column(Text)
    next_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    last_followup_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | converted | invalid
    converted_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    converted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Server-owned (R12).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
