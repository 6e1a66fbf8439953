"""Shapes of product categories, products and product lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from loam.kit.i18n import N_
from loam.kit.schemas import Id, OptText, name_str, opt_str

STATUSES = {"active": N_("Active"), "inactive": N_("Inactive")}
# Suggestions only: the unit is free text.
UNITS = ("个", "台", "套", "件", "年", "月", "项", "次", "人天", "用户", "许可", "GB", "TB", "Mbps")

Status = Literal["active", "inactive"]
MAX_MONEY = Decimal("9999999999999999.99")  # Numeric(18, 2)
MAX_QUANTITY = Decimal("99999999999999.9999")  # Numeric(18, 4)


# An ISO 4217 code: three letters, stored upper-case ("cny" → "CNY").
Currency = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$"),
    AfterValidator(str.upper),
]
Money = Annotated[
    Decimal,
    Field(ge=0, le=MAX_MONEY, max_digits=18, decimal_places=2, allow_inf_nan=False),
    AfterValidator(lambda v: v.quantize(Decimal("0.01"))),
]
Code = name_str(40)
Name200 = name_str(200)
Name100 = name_str(100)
Unit = opt_str(20)
Remark = opt_str(500)


class CategoryWrite(BaseModel):
    """Create or rename/move a category; on update ``version`` must be the one read (409 otherwise). Strict like
    every JSON body (no ``true`` for 1); the category form parses with ``loam.web.forms.lax``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: Name100  # type: ignore[valid-type]
    parent_id: Id | None = None
    sort: int = Field(0, ge=0, le=100000)
    version: int | None = Field(None, ge=1, le=2_147_483_647)


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    parent_id: int | None
    name: str
    sort: int
    version: int


class ProductFields(BaseModel):
    name: Name200  # type: ignore[valid-type]
    category_id: Id | None = None
    unit: Unit = None  # type: ignore[valid-type]
    list_price: Money = Decimal("0.00")
    currency: Currency = "CNY"
    status: Status = "active"
    description: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)


class ProductCreate(ProductFields):
    """A new catalogue entry; the code must not be used by another live product (409)."""

    model_config = ConfigDict(extra="forbid")
    code: Code


class ProductUpdate(ProductFields):
    """A full edit; ``version`` must be the one read, or the write is refused with 409."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    version: int = Field(ge=1, le=2_147_483_647)


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    category_id: int | None
    unit: str | None
    list_price: Decimal
    currency: str
    status: str
    description: str | None
    custom: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class ProductFilters(BaseModel):
    """Filters shared by the list page, the API, the line editor's search and the CLI (R17)."""

    q: str | None = Field(None, max_length=100)
    category_id: Id | None = None
    status: Status | None = None
    custom: dict[str, str] = Field(default_factory=dict)


class ProductLineWrite(BaseModel):
    """One line of a document. Without ``sale_price`` it is list price × (1 − discount/100); with it, the
    discount is derived from it (and ``discount_pct`` is ignored)."""

    model_config = ConfigDict(extra="forbid")
    product_id: Id
    quantity: Decimal = Field(gt=0, le=MAX_QUANTITY, max_digits=18, decimal_places=4, allow_inf_nan=False)
    discount_pct: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False)
    sale_price: Money | None = None
    remark: Remark = None  # type: ignore[valid-type]


class ProductLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    entity: str
    record_id: int
    position: int
    product_id: int
    name: str
    unit: str | None
    quantity: Decimal
    list_price: Decimal
    discount_pct: Decimal
    sale_price: Decimal
    subtotal: Decimal
    remark: str | None


class CategoryNodeRead(CategoryRead):
    """A category in depth-first tree order, with its depth (0 = top) and full path ("硬件 / 服务器")."""

    depth: int
    path: str


class CategoryFilters(BaseModel):
    """The category list takes no filters (the tree is small); only paging."""
