"""Product categories (产品分类): a small tree the catalogue managers edit.

A category can be renamed, moved under another (never under itself or its own descendants) and deleted
only when it has no sub-categories and no products (including products in the recycle bin).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.products import repository as repo
from loam.products.models import ProductCategory
from loam.products.schemas import CategoryWrite

ENTITY = "product_category"
MAX_DEPTH = 6


@dataclass
class Node:
    """A category with its place in the tree: ``path`` is "Hardware / Servers"."""

    category: ProductCategory
    depth: int
    path: str
    children: list[Node] = field(default_factory=list)


def _require_view(scope: Scope) -> None:
    if not scope.can(Permission.products_view):
        raise Forbidden(_("You do not have permission to do this."))


def list_categories(session: Session, scope: Scope) -> list[ProductCategory]:
    """Every category, by sort order then name (``products.view``)."""
    _require_view(scope)
    return repo.categories(session)


def tree(session: Session, scope: Scope) -> list[Node]:
    """The categories depth-first, each with its depth and full path (``products.view``)."""
    rows = list_categories(session, scope)
    by_parent: dict[int | None, list[ProductCategory]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    out: list[Node] = []

    def walk(parent: int | None, depth: int, prefix: str) -> None:
        for row in by_parent.get(parent, []):
            node = Node(row, depth, f"{prefix}{row.name}")
            out.append(node)
            walk(row.id, depth + 1, f"{node.path} / ")

    walk(None, 0, "")
    return out


def get_category(session: Session, scope: Scope, category_id: int) -> ProductCategory:
    """One category (``products.view``), or 404."""
    _require_view(scope)
    category = repo.category(session, category_id)
    if category is None:
        raise NotFound(_("Category not found."))
    return category


def _check_place(session: Session, data: CategoryWrite, category_id: int | None) -> None:
    if data.parent_id is not None:
        if repo.category(session, data.parent_id) is None:
            raise Invalid(_("The parent category does not exist."), detail={"parent_id": _("Choose a category.")})
        if category_id is not None and data.parent_id in repo.subtree_ids(session, category_id):
            raise Invalid(
                _("A category cannot be moved under itself or one of its sub-categories."),
                detail={"parent_id": _("Choose another category.")},
            )
        if _depth(session, data.parent_id) + 1 >= MAX_DEPTH:
            raise Invalid(_("Categories can be nested at most %(n)s levels deep.", n=MAX_DEPTH))
    if repo.sibling_named(session, data.parent_id, data.name, category_id) is not None:
        raise Conflict(_("A category with this name already exists here."), detail={"name": _("Taken.")})


def _depth(session: Session, category_id: int) -> int:
    depth, current = 0, repo.category(session, category_id)
    while current is not None and current.parent_id is not None and depth < 100:
        depth += 1
        current = repo.category(session, current.parent_id)
    return depth


def create_category(session: Session, scope: Scope, data: CategoryWrite) -> ProductCategory:
    """Add a category (``products.manage``); names are unique among siblings (409)."""
    authz_service.require(scope, Permission.products_manage)
    _check_place(session, data, None)
    category = ProductCategory(name=data.name, parent_id=data.parent_id, sort=data.sort)
    session.add(category)
    session.flush()
    audit.record(session, scope, ENTITY, category.id, "create", {"name": [None, category.name]})
    return category


def update_category(session: Session, scope: Scope, category_id: int, data: CategoryWrite) -> ProductCategory:
    """Rename, re-sort or move a category (``products.manage``); a stale ``version`` (when sent) is a 409."""
    category = get_category(session, scope, category_id)
    authz_service.require(scope, Permission.products_manage)
    if data.version is not None and data.version != category.version:
        raise Conflict(_("Someone else changed this category. Reload and try again."))
    _check_place(session, data, category.id)
    changes = audit.apply_changes(category, {"name": data.name, "parent_id": data.parent_id, "sort": data.sort})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, category.id, "move" if "parent_id" in changes else "update", changes)
    return category


def delete_category(session: Session, scope: Scope, category_id: int) -> None:
    """Delete an empty category (``products.manage``): 409 while it has sub-categories or products."""
    category = get_category(session, scope, category_id)
    authz_service.require(scope, Permission.products_manage)
    if repo.count_children(session, category.id):
        raise Conflict(_("This category has sub-categories. Move or delete them first."))
    if repo.count_in_category(session, category.id):
        raise Conflict(_("This category still has products (perhaps in the recycle bin). Move them first."))
    audit.record(session, scope, ENTITY, category.id, "purge", {"name": [category.name, None]})
    session.delete(category)
    session.flush()


def category_by_path(session: Session, scope: Scope, path: str) -> ProductCategory:
    """The category at a path such as "硬件/服务器" (names separated by "/", case-insensitive), or 404."""
    wanted = " / ".join(part.strip() for part in path.split("/") if part.strip()).lower()
    for node in tree(session, scope):
        if node.path.lower() == wanted:
            return node.category
    raise NotFound(_("Category not found: %(path)s", path=path[:200]))
