"""Products (产品): a category tree, the catalogue, and the product lines of opportunities and contracts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, SoftDeleted, Timestamped, Versioned


class ProductCategory(Timestamped, Versioned, Base):
    """A node of the category tree; deleted only when it has neither sub-categories nor products."""

    __tablename__ = "product_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Product(Timestamped, Versioned, SoftDeleted, Base):
    """A catalogue entry; the code is unique among live (not deleted) products."""

    __tablename__ = "products"
    __table_args__ = (
        Index(
            "uq_products_code_live",
            "code",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_products_status_code", "status", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(20))
    list_price: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | inactive
    description: Mapped[str | None] = mapped_column(Text)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ProductLine(Base):
    """One line of a document (opportunity, contract): a snapshot of the product at the time it was written."""

    __tablename__ = "product_lines"
    __table_args__ = (Index("ix_product_lines_entity_record", "entity", "record_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))  # "opportunity" | "contract"
    record_id: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    list_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0.00"))
    sale_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    subtotal: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    remark: Mapped[str | None] = mapped_column(String(500))
