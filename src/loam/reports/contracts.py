"""SQL of the contract-amount report: approved contracts by signing month, department, owner or product."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.reports import repository as repo
from loam.reports.periods import Bucket, bucket_index
from loam.reports.repository import Criteria

Grouped = dict[Any, tuple[int, Any]]  # key -> (contracts, amount)


def contract_where(scope: Scope, c: Criteria) -> list[Any]:
    """Visible approved contracts signed in the window, in the currency, matching the filters."""
    from loam.contracts.models import Contract

    return [
        repo.contract_visible(scope),
        Contract.status == "approved",
        Contract.currency == c.currency,
        *c.window.where(Contract.signed_on, timestamp=False),
        *repo.owned(c, Contract.owner_id, Contract.department_id),
        *repo.with_category("contract", Contract.id, c),
    ]


def per_bucket(session: Session, scope: Scope, c: Criteria, items: list[Bucket]) -> Grouped:
    from loam.contracts.models import Contract

    sub = (
        select(bucket_index(Contract.signed_on, items, timestamp=False).label("b"), Contract.amount.label("amount"))
        .where(*contract_where(scope, c))
        .subquery()
    )
    stmt = select(sub.c.b, func.count(), func.sum(sub.c.amount)).group_by(sub.c.b)
    return {int(b): (int(n), amount) for b, n, amount in session.execute(stmt) if b is not None}


def per_column(session: Session, scope: Scope, c: Criteria, column: str) -> Grouped:
    """Grouped by ``department_id`` or ``owner_id``."""
    from loam.contracts.models import Contract

    key = getattr(Contract, column)
    stmt = select(key, func.count(), func.sum(Contract.amount)).where(*contract_where(scope, c)).group_by(key)
    return {k: (int(n), amount) for k, n, amount in session.execute(stmt)}


def per_product(session: Session, scope: Scope, c: Criteria) -> dict[int, tuple[str, int, Any, Any]]:
    """Product lines of the contracts, per product: (name, contracts, quantity, Σ subtotal); with a category
    filter only the lines of products in it."""
    from loam.contracts.models import Contract
    from loam.products.models import Product, ProductLine

    stmt = (
        select(
            ProductLine.product_id,
            func.max(Product.name),
            func.count(distinct(Contract.id)),
            func.sum(ProductLine.quantity),
            func.sum(ProductLine.subtotal),
        )
        .join(Contract, (ProductLine.entity == "contract") & (ProductLine.record_id == Contract.id))
        .join(Product, Product.id == ProductLine.product_id)
        .where(*contract_where(scope, c))
        .group_by(ProductLine.product_id)
    )
    if c.category_ids is not None:
        stmt = stmt.where(Product.category_id.in_(c.category_ids))
    return {int(pid): (name, int(n), qty, amount) for pid, name, n, qty, amount in session.execute(stmt)}
