"""Sales targets (业绩目标): per user or department, per year, twelve month values and one metric.

The migration ``i4g_reports`` creates exactly this table; keep them in step.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, Timestamped, Versioned

MONTHS = tuple(range(1, 13))
METRICS = ("contract_amount", "receipts")


def _month() -> Mapped[Decimal]:
    return mapped_column(Numeric(18, 2), default=Decimal("0.00"))


class SalesTarget(Timestamped, Versioned, Base):
    """One subject's target for one year and metric; the quarter and the year are sums of the months.

    Exactly one of ``user_id`` / ``department_id`` is set; one target per (year, metric, subject).
    """

    __tablename__ = "sales_targets"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (department_id IS NULL)", name="one_subject"),
        Index(
            "uq_sales_targets_user",
            "year",
            "metric",
            "user_id",
            unique=True,
            sqlite_where=text("user_id IS NOT NULL"),
            postgresql_where=text("user_id IS NOT NULL"),
        ),
        Index(
            "uq_sales_targets_department",
            "year",
            "metric",
            "department_id",
            unique=True,
            sqlite_where=text("department_id IS NOT NULL"),
            postgresql_where=text("department_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(20))  # contract_amount | receipts
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    m1: Mapped[Decimal] = _month()
    m2: Mapped[Decimal] = _month()
    m3: Mapped[Decimal] = _month()
    m4: Mapped[Decimal] = _month()
    m5: Mapped[Decimal] = _month()
    m6: Mapped[Decimal] = _month()
    m7: Mapped[Decimal] = _month()
    m8: Mapped[Decimal] = _month()
    m9: Mapped[Decimal] = _month()
    m10: Mapped[Decimal] = _month()
    m11: Mapped[Decimal] = _month()
    m12: Mapped[Decimal] = _month()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def months(self) -> list[Decimal]:
        """The twelve month values, January first."""
        return [getattr(self, f"m{m}") for m in MONTHS]

    @property
    def quarters(self) -> list[Decimal]:
        values = self.months
        return [sum(values[q * 3 : q * 3 + 3], Decimal("0.00")) for q in range(4)]

    @property
    def total(self) -> Decimal:
        return sum(self.months, Decimal("0.00"))
