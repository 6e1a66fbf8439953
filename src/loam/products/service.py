"""Products: the only writer of the catalogue and of product lines (rules, permission checks, audit).

The catalogue is not owned: ``products.view`` sees every live product, ``products.manage`` changes it.
Product lines (``replace_lines`` …) live in :mod:`loam.products.lines` and are re-exported here, so that
other domains call ``product_service.replace_lines`` (CONTRACT.md).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit, customfields
from loam.kit.i18n import gettext as _
from loam.products import repository as repo
from loam.products.categories import (  # noqa: F401  (re-exported service API)
    category_by_path,
    create_category,
    delete_category,
    get_category,
    list_categories,
    tree,
    update_category,
)
from loam.products.lines import copy_lines, lines_of, lines_total, purge_lines, replace_lines  # noqa: F401
from loam.products.models import Product
from loam.products.schemas import ProductCreate, ProductFilters, ProductUpdate

ENTITY = repo.ENTITY
LINE_ENTITIES = ("opportunity", "contract")


def get(session: Session, scope: Scope, product_id: int) -> Product:
    """A live product the caller may see (``products.view``), or 404."""
    product = repo.get(session, scope, product_id)
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def list_page(
    session: Session, scope: Scope, filters: ProductFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[Product], int]:
    """One page of live products (empty without ``products.view``), filtered and sorted by whitelisted keys;
    a category filter includes its sub-categories."""
    return repo.page(session, scope, filters, page, size, sort)


def can_manage(scope: Scope) -> bool:
    return scope.can(Permission.products_manage)


def _check_code(session: Session, code: str, product_id: int | None = None) -> None:
    if repo.by_code(session, code, exclude_id=product_id) is not None:
        raise Conflict(_("Another product already uses the code %(code)s.", code=code), detail={"code": _("Taken.")})


def _check_category(session: Session, category_id: int | None) -> None:
    if category_id is not None and repo.category(session, category_id) is None:
        raise Invalid(_("The category does not exist."), detail={"category_id": _("Choose a category.")})


def _flush(session: Session, code: str) -> None:
    """Flush inside a savepoint, so that a code taken by a concurrent writer is a 409, not a 500."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Another product already uses the code %(code)s.", code=code)) from exc


def create(session: Session, scope: Scope, data: ProductCreate) -> Product:
    """Add a product (``products.manage``); the code is unique among live products (409); custom fields are
    validated; an audit row is written."""
    authz_service.require(scope, Permission.products_manage)
    _check_code(session, data.code)
    _check_category(session, data.category_id)
    custom = customfields.validate(session, Product, ENTITY, data.custom)
    product = Product(**data.model_dump(exclude={"custom"}), custom=custom, created_by=scope.user_id)
    session.add(product)
    _flush(session, data.code)
    audit.record(
        session, scope, ENTITY, product.id, "create", {"code": [None, product.code], "name": [None, product.name]}
    )
    return product


def update(session: Session, scope: Scope, product_id: int, data: ProductUpdate) -> Product:
    """Apply an edit (``products.manage``); a stale ``version`` is a 409 and nothing is written. Lines already
    written keep their snapshot of the old name, unit and price."""
    product = get(session, scope, product_id)
    authz_service.require(scope, Permission.products_manage)
    if data.version != product.version:
        raise Conflict(_("Someone else changed this product. Reload and try again."))
    _check_code(session, data.code, product.id)
    _check_category(session, data.category_id)
    values = data.model_dump(exclude={"version", "custom"})
    values["custom"] = customfields.validate(session, Product, ENTITY, data.custom, product.id, partial=True)
    changes = audit.apply_changes(product, values)
    if changes:
        _flush(session, data.code)
        audit.record(session, scope, ENTITY, product.id, "update", changes)
    return product


def set_status(session: Session, scope: Scope, product_id: int, active: bool) -> Product:
    """Activate or deactivate a product; an inactive product stays visible but cannot be added to new lines."""
    product = get(session, scope, product_id)
    authz_service.require(scope, Permission.products_manage)
    changes = audit.apply_changes(product, {"status": "active" if active else "inactive"})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, product.id, "activate" if active else "deactivate", changes)
    return product


def delete_(session: Session, scope: Scope, product_id: int) -> Product:
    """Move a product to the recycle bin (``products.manage``); lines that use it keep their snapshot."""
    product = get(session, scope, product_id)
    authz_service.require(scope, Permission.products_manage)
    product.deleted_at = utcnow()
    product.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, product.id, "delete")
    return product


def _get_deleted(session: Session, scope: Scope, product_id: int) -> Product:
    product = repo.get(session, scope, product_id, deleted=True)
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Product], int]:
    """Products in the recycle bin (for whoever may see the catalogue)."""
    return repo.deleted_page(session, scope, page, size)


def restore(session: Session, scope: Scope, product_id: int) -> Product:
    """Bring a product back (``products.manage``); 409 when another live product took its code meanwhile."""
    product = _get_deleted(session, scope, product_id)
    authz_service.require(scope, Permission.products_manage)
    _check_code(session, product.code, product.id)
    product.deleted_at = None
    product.deleted_by = None
    _flush(session, product.code)
    audit.record(session, scope, ENTITY, product.id, "restore")
    return product


def purge(session: Session, scope: Scope, product_id: int) -> None:
    """Delete a product from the recycle bin for good (``recycle.purge``); 409 while product lines still use
    it. Its audit history stays."""
    product = _get_deleted(session, scope, product_id)
    authz_service.require(scope, Permission.recycle_purge)
    used = repo.count_lines_using(session, product.id)
    if used:
        raise Conflict(_("This product is used by %(n)s product lines and cannot be purged.", n=used))
    audit.record(
        session, scope, ENTITY, product.id, "purge", {"code": [product.code, None], "name": [product.name, None]}
    )
    session.delete(product)
    session.flush()


def history(session: Session, scope: Scope, product_id: int) -> list[audit.AuditLog]:
    """The product's audit rows, newest first (``audit.view``)."""
    get(session, scope, product_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, product_id)


def picker(session: Session, scope: Scope, q: str | None = None, limit: int = 20) -> list[Product]:
    """Active products matching ``q`` (code or name) for a line editor, by code."""
    filters = ProductFilters(q=(q or "")[:100] or None, status="active")
    items, _total = repo.page(session, scope, filters, 1, limit, "code")
    return items
