"""Setup helpers of the relationship-health tests (real services; snapshots stored as the job stores them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from loam.relationships import health
from loam.relationships.models import RelationshipSnapshot
from tests import helpers


def customer(session: Session, owner_id: int, name: str, **fields: Any) -> int:
    return int(helpers.make_customer(session, owner_id, name, **fields).id)


def mark(session: Session, owner_id: int, customer_id: int, *keys: str) -> None:
    """Tick organisational checklist items (factor 1, no date: they count on any day) as the customer's owner."""
    from loam.relationships import orgmarks
    from loam.relationships.schemas_layers import OrgMarkWrite

    scope = helpers.scope_of(session, owner_id)
    for key in keys:
        orgmarks.set_mark(session, scope, customer_id, key, OrgMarkWrite())
    session.flush()


def unmark(session: Session, owner_id: int, customer_id: int, *keys: str) -> None:
    from loam.relationships import orgmarks

    scope = helpers.scope_of(session, owner_id)
    for key in keys:
        orgmarks.clear_mark(session, scope, customer_id, key)
    session.flush()


def stored(session: Session, customer_id: int, month: date, value: int, version: int = 1) -> RelationshipSnapshot:
    """A snapshot row with a given health (for the company view's arithmetic): layers all equal to ``value``."""
    band = health.band_of(value, {"healthy": 80, "sub_healthy": 60, "at_risk": 40})
    snap = RelationshipSnapshot(
        customer_id=customer_id, month=month, settings_version=version, key_score=value, broad_score=value,
        org_score=value, health=value, band=band, details={},
    )  # fmt: skip
    session.add(snap)
    session.flush()
    return snap


def this_month() -> date:
    return health.month_start(health.today())


def months_ago(n: int) -> date:
    return health.add_months(this_month(), -n)


def without_relationships(session: Session, ids: dict[str, int], username: str = "sr1") -> None:
    """Give ``username`` a role that sees every customer but holds no relationships.* permission."""
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import RoleWrite

    role = org_service.add_role(
        session,
        helpers.scope_of(session, ids["admin"]),
        RoleWrite(
            code="no_rel_health",
            name_zh="无关系权限",
            name_en="No relationships",
            permissions=["customers.view", "contacts.view"],
            data_scopes={"customers": 5, "contacts": 5},
        ),
    )
    org_service.set_user_roles(session, session.get(User, ids[username]), [role.id])
    session.flush()


def company(session: Session, ids: dict[str, int]) -> dict[str, int]:
    """Four customers with stored snapshots of this month and the previous one (health values hand-picked):

    ========  =====  =====  ==========  ==========
    customer  owner  tier   last month  this month
    ========  =====  =====  ==========  ==========
    A         ar1    S      85          70  (drop 15)
    B         ar1    A      50          55  (rise 5)
    C         ar1    —      —           30
    D         ar2    S      90          35  (drop 55)
    ========  =====  =====  ==========  ==========
    ar1 is in team 1, ar2 in team 2 (the customers' departments are their owners').
    """
    out = {
        "A": customer(session, ids["ar1"], "健康甲", tier="S"),
        "B": customer(session, ids["ar1"], "健康乙", tier="A"),
        "C": customer(session, ids["ar1"], "健康丙"),
        "D": customer(session, ids["ar2"], "健康丁", tier="S"),
    }
    for key, before, now in (("A", 85, 70), ("B", 50, 55), ("C", None, 30), ("D", 90, 35)):
        if before is not None:
            stored(session, out[key], months_ago(1), before)
        stored(session, out[key], this_month(), now)
    return out
