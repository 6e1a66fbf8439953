"""Contracts (合同), their number counters, settings, Word templates and print history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, JsonType, SoftDeleted, Timestamped, Versioned, utcnow


class Contract(Timestamped, Versioned, SoftDeleted, Base):
    """A contract with a customer; its number is allocated from ContractCounter and never reused."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("number", name="uq_contracts_number"),
        Index("ix_contracts_owner_updated", "owner_id", "updated_at"),
        Index("ix_contracts_status_end", "status", "end_on"),
        Index("ix_contracts_signed_on", "signed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(30), default="sales")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    customer_signatory_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    our_signatory_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signing_entity: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms: Mapped[str | None] = mapped_column(Text)
    signed_on: Mapped[date | None] = mapped_column(Date)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    remark: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    void_reason: Mapped[str | None] = mapped_column(String(500))
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Server-owned fields (R12): never taken from a request body.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContractCounter(Base):
    """The last sequence number handed out for one rendered prefix (e.g. ``HT-202612-``)."""

    __tablename__ = "contract_counters"
    __table_args__ = (UniqueConstraint("prefix", name="uq_contract_counters_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(Integer, default=0)


class ContractSetting(Base):
    """Company-tunable contract settings (R23): numbering pattern, reminder window, option lists."""

    __tablename__ = "contract_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonType, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContractTemplate(Timestamped, Versioned, Base):
    """An uploaded Word (.docx) template rendered with docxtpl; kind "contract" or "receipt"."""

    __tablename__ = "contract_templates"
    __table_args__ = (Index("ix_contract_templates_kind_active", "kind", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="contract")  # contract | receipt
    description: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(500))  # relative to settings.files_path
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PrintRecord(Base):
    """One generation or print of a document (who, when, which template, which format)."""

    __tablename__ = "contract_prints"
    __table_args__ = (Index("ix_contract_prints_entity_record", "entity", "record_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))  # "contract" | "receivable" ...
    record_id: Mapped[int] = mapped_column()
    template_id: Mapped[int | None] = mapped_column(ForeignKey("contract_templates.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))  # docx | html
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
