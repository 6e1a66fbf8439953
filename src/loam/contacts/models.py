"""Contacts (联系人): the people at a customer."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, SoftDeleted, Timestamped, Versioned


class Contact(Timestamped, Versioned, SoftDeleted, Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    dept_name: Mapped[str | None] = mapped_column(String(100))  # the customer's department
    title: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12), default="staff")  # executive | middle | staff
    reports_to_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_norm: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    birthday: Mapped[date | None] = mapped_column(default=None)
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    personality: Mapped[str | None] = mapped_column(String(500))
    preferences: Mapped[str | None] = mapped_column(String(500))
    remark: Mapped[str | None] = mapped_column(Text)
    # Server-owned (R12).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
