"""Paging and whitelisted sorting shared by every list (UI, API and exports use the same function)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from loam.errors import Invalid
from loam.kit.i18n import gettext as _

T = TypeVar("T")


def apply_sort(stmt: Select[Any], sort: str | None, columns: dict[str, Any], default: str) -> Select[Any]:
    """Order by a whitelisted key (``name`` or ``-name``); an unknown key is a 422, never raw SQL."""
    key = sort or default
    desc = key.startswith("-")
    col = columns.get(key.lstrip("-"))
    if col is None:
        raise Invalid(_("Unknown sort key: %(key)s", key=key[:40]))
    tie = columns.get("id")
    order = [col.desc() if desc else col.asc()]
    if tie is not None and tie is not col:
        order.append(tie.desc() if desc else tie.asc())
    return stmt.order_by(*order)


def paginate(session: Session, stmt: Select[Any], page: int, page_size: int) -> tuple[list[Any], int]:
    """One page of rows and the total count of the (already scoped and filtered) statement."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)))
    return rows, int(total)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def sort_pattern(columns: dict[str, Any]) -> str:
    """A regex of the accepted sort keys, so the OpenAPI schema documents them (``name`` or ``-name``)."""
    return "^-?(" + "|".join(sorted(columns)) + ")$"
