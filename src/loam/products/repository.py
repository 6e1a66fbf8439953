"""All SQL of the products domain; every catalogue read starts from :func:`readable` (R10).

The catalogue is not owned: whoever holds ``products.view`` sees every live product and category.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, delete, false, func, or_, select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit import customfields
from loam.kit.listing import apply_sort, like_escape, paginate
from loam.products.models import Product, ProductCategory, ProductLine
from loam.products.schemas import ProductFilters

ENTITY = "product"
SORTS = {
    "id": Product.id,
    "code": Product.code,
    "name": Product.name,
    "list_price": Product.list_price,
    "status": Product.status,
    "updated_at": Product.updated_at,
    "created_at": Product.created_at,
}


def readable(scope: Scope, deleted: bool = False) -> Select[Product]:
    if not scope.can("products.view"):
        return select(Product).where(false())
    clause = Product.deleted_at.is_not(None) if deleted else Product.deleted_at.is_(None)
    return select(Product).where(clause)


def get(session: Session, scope: Scope, product_id: int, deleted: bool = False) -> Product | None:
    return session.scalar(readable(scope, deleted).where(Product.id == product_id))


def get_many(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, Product]:
    """Live products the caller can see, by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in session.scalars(readable(scope).where(Product.id.in_(wanted)))}


def by_code(session: Session, code: str, exclude_id: int | None = None) -> Product | None:
    """The live product with this code (case-insensitive), whoever may see it: codes are unique company-wide."""
    stmt = select(Product).where(func.lower(Product.code) == code.lower(), Product.deleted_at.is_(None))
    if exclude_id is not None:
        stmt = stmt.where(Product.id != exclude_id)
    return session.scalar(stmt.limit(1))


def filtered(session: Session, scope: Scope, f: ProductFilters) -> Select[Product]:
    stmt = readable(scope)
    if f.q and f.q.strip():
        pattern = f"%{like_escape(f.q.strip())}%"
        stmt = stmt.where(or_(Product.code.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\")))
    if f.status is not None:
        stmt = stmt.where(Product.status == f.status)
    if f.category_id is not None:
        stmt = stmt.where(Product.category_id.in_(subtree_ids(session, f.category_id)))
    if f.custom:
        fields = {d.key: d for d in customfields.definitions(session, ENTITY)}
        for key, value in f.custom.items():
            if key in fields and value not in (None, ""):
                stmt = stmt.where(customfields.filter_clause(Product, fields[key], value))
    return stmt


def page(
    session: Session, scope: Scope, f: ProductFilters, page: int, size: int, sort: str | None
) -> tuple[list[Product], int]:
    stmt = apply_sort(filtered(session, scope, f), sort, SORTS, "code")
    return paginate(session, stmt, page, size)


def deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Product], int]:
    stmt = readable(scope, deleted=True).order_by(Product.deleted_at.desc(), Product.id.desc())
    return paginate(session, stmt, page, size)


def count_in_category(session: Session, category_id: int) -> int:
    """Products (live or in the recycle bin) filed under one category."""
    return int(session.scalar(select(func.count()).where(Product.category_id == category_id)) or 0)


# --- categories ---


def categories(session: Session) -> list[ProductCategory]:
    return list(session.scalars(select(ProductCategory).order_by(ProductCategory.sort, ProductCategory.name)))


def category(session: Session, category_id: int) -> ProductCategory | None:
    return session.get(ProductCategory, category_id)


def sibling_named(session: Session, parent_id: int | None, name: str, exclude_id: int | None) -> int | None:
    parent = ProductCategory.parent_id.is_(None) if parent_id is None else ProductCategory.parent_id == parent_id
    stmt = select(ProductCategory.id).where(parent, func.lower(ProductCategory.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(ProductCategory.id != exclude_id)
    return session.scalar(stmt.limit(1))


def count_children(session: Session, category_id: int) -> int:
    return int(session.scalar(select(func.count()).where(ProductCategory.parent_id == category_id)) or 0)


def subtree_ids(session: Session, category_id: int) -> list[int]:
    """The category and every category below it (the tree is small: read it once)."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in session.execute(select(ProductCategory.id, ProductCategory.parent_id)):
        children.setdefault(parent, []).append(cid)
    out, todo = [], [category_id]
    while todo:
        cid = todo.pop()
        if cid in out:
            continue
        out.append(cid)
        todo.extend(children.get(cid, []))
    return out


# --- product lines ---


def lines_of(session: Session, entity: str, record_id: int) -> list[ProductLine]:
    stmt = (
        select(ProductLine)
        .where(ProductLine.entity == entity, ProductLine.record_id == record_id)
        .order_by(ProductLine.position, ProductLine.id)
    )
    return list(session.scalars(stmt))


def delete_lines(session: Session, entity: str, record_id: int) -> None:
    session.execute(
        delete(ProductLine)
        .where(ProductLine.entity == entity, ProductLine.record_id == record_id)
        .execution_options(synchronize_session="fetch")
    )


def count_lines_using(session: Session, product_id: int) -> int:
    return int(session.scalar(select(func.count()).where(ProductLine.product_id == product_id)) or 0)


def products_by_id(session: Session, ids: Iterable[int]) -> dict[int, Product]:
    """Products by id, deleted or not (only for lines already written, whose snapshot is kept)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))}
