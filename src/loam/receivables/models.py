"""Receivables (回款): plans per contract, receipts (回款记录) allocated to plan periods, invoices (发票).

What a plan period has received (``ReceivablePlan.received``) is the sum of the allocations of APPROVED live
receipts. It is STORED on the plan, because the overdue, ageing and report queries filter on it at 100,000 plans
(docs/performance.md), and kept exact by the receivables services, its only writer: every change of the set of
approved live allocations of a plan (approval, delete / restore / purge of a receipt) recomputes it in the same
transaction with one ``UPDATE … sub-select`` (:func:`loam.receivables.repository.refresh_received`, the same
SQL as :func:`received_sql`). Bulk loads run that helper once at the end. "Overdue" stays computed on read.
The owner of every receivable record is the owner of its contract (``owner_id`` is read through the contract),
so transferring a contract moves its receivables with it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from loam.contracts.models import Contract
from loam.db import Base, SoftDeleted, Timestamped, Versioned

ZERO = Decimal("0.00")


def money_sum(column: Any) -> Any:
    """SUM of a money column as Numeric(18, 2), 0 when there are no rows. Rounded in SQL: SQLite sums NUMERIC
    as binary floats, and without the rounding 33.33 + 33.33 + 33.34 could compare below 100.00."""
    return func.round(func.coalesce(func.sum(column), ZERO), 2, type_=Numeric(18, 2))


def _contract_owner(contract_id: Any) -> Any:
    return select(Contract.owner_id).where(Contract.id == contract_id).correlate_except(Contract).scalar_subquery()


def _contract_number(contract_id: Any) -> Any:
    return select(Contract.number).where(Contract.id == contract_id).correlate_except(Contract).scalar_subquery()


class ReceivableAllocation(Base):
    """The part of one receipt that pays one plan period; counts as received once the receipt is approved."""

    __tablename__ = "receivable_allocations"
    __table_args__ = (
        UniqueConstraint("receivable_id", "plan_id", name="uq_receivable_allocations_receivable_plan"),
        Index("ix_receivable_allocations_plan", "plan_id", "receivable_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(ForeignKey("receivables.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("receivable_plans.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))


class Receivable(Timestamped, Versioned, SoftDeleted, Base):
    """A receipt (回款记录): money received on a contract; draft → in_approval → approved / rejected."""

    __tablename__ = "receivables"
    __table_args__ = (
        Index("ix_receivables_contract_status", "contract_id", "status"),
        Index("ix_receivables_received_on", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    method: Mapped[str] = mapped_column(String(20), default="bank_transfer")
    payer: Mapped[str | None] = mapped_column(String(200))
    remark: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | in_approval | approved | rejected
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)

    owner_id: Mapped[int | None] = column_property(_contract_owner(contract_id))
    contract_number: Mapped[str] = column_property(_contract_number(contract_id))
    allocated: Mapped[Decimal] = column_property(
        select(money_sum(ReceivableAllocation.amount))
        .where(ReceivableAllocation.receivable_id == id)
        .correlate_except(ReceivableAllocation)
        .scalar_subquery()
    )

    @property
    def name(self) -> str:
        """How the recycle bin and the approval inbox name a receipt."""
        return f"{self.contract_number} · {self.received_on.isoformat()} · {self.amount:,.2f} {self.currency}"


class ReceivablePlan(Timestamped, Versioned, SoftDeleted, Base):
    """One period of a contract's collection plan (回款计划): number, due date, amount, milestone, site."""

    __tablename__ = "receivable_plans"
    __table_args__ = (
        Index("ix_receivable_plans_contract_number", "contract_id", "number"),
        # Covers the due-date range scans (due date range → contract, amount, received, currency, live): the
        # planned-vs-collected sums read this index alone.
        Index("ix_receivable_plans_due_cover", "due_on", "contract_id", "amount", "received", "currency", "deleted_at"),
        # Only the live periods not fully received: the overdue / ageing scans read this small index alone.
        Index(
            "ix_receivable_plans_open_due",
            "due_on",
            "contract_id",
            "amount",
            "received",
            "currency",
            sqlite_where=text("deleted_at IS NULL AND received < amount"),
            postgresql_where=text("deleted_at IS NULL AND received < amount"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    milestone: Mapped[str | None] = mapped_column(String(12))  # prepayment | arrival | acceptance | final | other
    site: Mapped[str | None] = mapped_column(String(100))
    remark: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)

    owner_id: Mapped[int | None] = column_property(_contract_owner(contract_id))
    contract_number: Mapped[str] = column_property(_contract_number(contract_id))
    contract_status: Mapped[str] = column_property(
        select(Contract.status).where(Contract.id == contract_id).correlate_except(Contract).scalar_subquery()
    )
    # Stored; written only by loam.receivables.repository.refresh_received (see the module docstring).
    received: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=ZERO, server_default=text("0"))

    @property
    def name(self) -> str:
        return f"{self.contract_number} #{self.number} · {self.due_on.isoformat()} · {self.amount:,.2f} {self.currency}"

    @property
    def outstanding(self) -> Decimal:
        """What is still to be received on this period (never negative)."""
        return max(self.amount - (self.received or ZERO), ZERO)

    def status_on(self, as_of: date) -> str:
        """void (contract voided) / received (fully) / overdue (due date passed, not fully received) /
        partly_received / not_due — the same rules as the SQL of lists and reports."""
        if self.contract_status == "void":
            return "void"
        received = self.received or ZERO
        if received >= self.amount:
            return "received"
        if self.due_on < as_of:
            return "overdue"
        return "partly_received" if received > ZERO else "not_due"

    @property
    def status(self) -> str:
        """The status today (company time zone); lists and reports compute the same in SQL."""
        from loam.receivables.dates import today

        return self.status_on(today())

    def days_overdue(self, as_of: date) -> int:
        return (as_of - self.due_on).days if self.status_on(as_of) == "overdue" else 0


def received_sql(plan_id: Any) -> Any:
    """What approved live receipts allocate to the plan ``plan_id`` (a column or a value): the definition of
    ``ReceivablePlan.received``, as a scalar sub-select (0 when nothing), rounded to the cent like money_sum."""
    return (
        select(money_sum(ReceivableAllocation.amount))
        .join(Receivable, Receivable.id == ReceivableAllocation.receivable_id)
        .where(
            ReceivableAllocation.plan_id == plan_id,
            Receivable.status == "approved",
            Receivable.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


class Invoice(Timestamped, Versioned, SoftDeleted, Base):
    """An invoice (发票) on a contract: VAT special / ordinary / other, title, tax number; not issued / issued."""

    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_contract_status", "contract_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default="vat_special")  # vat_special | vat_ordinary | other
    title: Mapped[str] = mapped_column(String(200))  # 抬头
    tax_number: Mapped[str | None] = mapped_column(String(20))  # 税号
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(12), default="not_issued")  # not_issued | issued
    issued_on: Mapped[date | None] = mapped_column(Date)
    invoice_number: Mapped[str | None] = mapped_column(String(40))
    remark: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)

    owner_id: Mapped[int | None] = column_property(_contract_owner(contract_id))
    contract_number: Mapped[str] = column_property(_contract_number(contract_id))

    @property
    def name(self) -> str:
        return f"{self.contract_number} · {self.title} · {self.amount:,.2f} {self.currency}"
