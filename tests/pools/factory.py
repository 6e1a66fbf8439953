"""Pool test data made through the real services (R27)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.db import utcnow
from loam.pools import service
from loam.pools.models import Pool
from loam.pools.schemas import PoolCreate
from tests.helpers import make_customer, scope_of


def make_pool(
    session: Session,
    ids: dict[str, int],
    name: str = "南宁公海",
    users: tuple[str, ...] = (),
    depts: tuple[str, ...] = ("team1",),
    include_children: bool = True,
    **rules: Any,
) -> Pool:
    """A pool created by the admin; members are demo users and departments by their demo names."""
    members = [{"user_id": ids[u]} for u in users]
    members += [{"department_id": ids[d], "include_children": include_children} for d in depts]
    data = PoolCreate.model_validate({"name": name, "members": members, **rules})
    pool = service.create_pool(session, scope_of(session, ids["admin"]), data)
    session.flush()
    return pool


def held_customer(
    session: Session, owner_id: int, days: float, name: str = "河池电信", now: datetime | None = None, **fields: Any
) -> Any:
    """A customer its owner has held for ``days`` days (no follow-up since)."""
    customer = make_customer(session, owner_id, name, **fields)
    customer.owner_since = (now or utcnow()) - timedelta(days=days)
    session.flush()
    return customer


def pool_customer(session: Session, ids: dict[str, int], pool: Pool, name: str = "公海客户", owner: str = "ar1") -> Any:
    """A customer released by its owner into ``pool``."""
    customer = make_customer(session, ids[owner], name)
    service.release(session, scope_of(session, ids[owner]), customer.id, pool.id)
    session.flush()
    return customer


def system() -> Scope:
    return Scope.system()
