"""OA request types (审批类型) and OA requests (办公审批申请)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, JsonType, SoftDeleted, Timestamped, Versioned


class OaType(Timestamped, Versioned, Base):
    """A kind of request (leave, trip, expense…) with the fields it asks for; data, edited by administrators.

    ``fields`` is a list of ``{"key", "label_zh", "label_en", "kind", "required", "choices"}`` (see
    :mod:`loam.oa.fields`). The code never changes once created (approval flow conditions refer to it); a type
    in use is deactivated, never deleted.
    """

    __tablename__ = "oa_types"
    __table_args__ = (UniqueConstraint("code", name="uq_oa_types_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    fields: Mapped[Any] = mapped_column(JsonType, nullable=False, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OaRequest(Timestamped, Versioned, SoftDeleted, Base):
    """One OA request. ``values`` holds the answers to its type's fields; ``amount`` (the first money field) and
    ``days`` (the field keyed "days") are copied into columns for the approval conditions and lists."""

    __tablename__ = "oa_requests"
    __table_args__ = (
        Index("ix_oa_requests_owner_updated", "owner_id", "updated_at"),
        Index("ix_oa_requests_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("oa_types.id"), index=True)
    type_code: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    days: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # Server-owned fields (R12): never taken from a request body.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def name(self) -> str:
        """How the recycle bin and other lists name a request."""
        return self.title
