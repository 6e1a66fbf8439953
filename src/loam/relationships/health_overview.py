"""The company view of relationship health (关系健康度总览), read from the stored monthly snapshots of the
customers the caller can see: customers by band × tier, the biggest drops from the previous month, our departments
ranked by the mean health of the customers they own, and the customer list behind each count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.i18n import gettext as _
from loam.kit.listing import Total
from loam.relationships import access, health
from loam.relationships import health_repository as repo
from loam.relationships.schemas_health import BANDS, HealthListFilters, OverviewFilters

TIERS = ("S", "A", "B", "C", "")
TOP_DROPS = 10


@dataclass
class Overview:
    """The month shown (None: no snapshot yet), the previous month, counts per band × tier, per band, the top
    drops and the departments ranked."""

    month: date | None
    previous_month: date | None
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)
    total: int = 0
    drops: list[dict[str, Any]] = field(default_factory=list)
    drops_total: int = 0
    departments: list[dict[str, Any]] = field(default_factory=list)

    def cells(self) -> list[dict[str, Any]]:
        return [{"band": b, "tier": t, "count": n} for (b, t), n in sorted(self.matrix.items())]


def months(session: Session, f: OverviewFilters) -> tuple[date | None, date | None]:
    """The month to show (the filter's, else the latest snapshot month) and the month before it."""
    month = health.month_start(f.month) if f.month else repo.latest_month(session)
    return month, (health.add_months(month, -1) if month else None)


def overview(
    session: Session, scope: Scope, f: OverviewFilters, drops_page: int = 1, drops_size: int = TOP_DROPS
) -> Overview:
    """The company view for the caller (relationships.view; visible customers only, R13)."""
    access.require_view(scope)
    month, previous = months(session, f)
    out = Overview(month, previous)
    if month is None or previous is None:
        return out
    for band, tier, n in repo.band_tier_counts(session, scope, month, f):
        key = (band, tier or "")
        out.matrix[key] = out.matrix.get(key, 0) + n
        out.bands[band] = out.bands.get(band, 0) + n
        out.tiers[key[1]] = out.tiers.get(key[1], 0) + n
        out.total += n
    rows, total = repo.drops(session, scope, month, previous, f, drops_page, drops_size)
    out.drops, out.drops_total = [_drop(r) for r in rows], total
    out.departments = departments(session, scope, month, f)
    return out


def _drop(r: Any) -> dict[str, Any]:
    cid, name, tier, owner, before, now, drop, before_band, band = r
    return {
        "customer_id": cid,
        "name": name,
        "tier": tier,
        "owner_id": owner,
        "previous": before,
        "health": now,
        "drop": drop,
        "previous_band": before_band,
        "band": band,
    }


def drops(
    session: Session, scope: Scope, f: OverviewFilters, page: int = 1, size: int = 25
) -> tuple[list[dict[str, Any]], Total, date | None]:
    """The biggest drops of the month (paged)."""
    access.require_view(scope)
    month, previous = months(session, f)
    if month is None or previous is None:
        return [], Total(0), None
    rows, total = repo.drops(session, scope, month, previous, f, page, size)
    return [_drop(r) for r in rows], total, month


def departments(session: Session, scope: Scope, month: date, f: OverviewFilters) -> list[dict[str, Any]]:
    """Our departments by the mean health of the visible customers they own, best first."""
    bands = repo.department_bands(session, scope, month, f)
    return [
        {
            "department_id": dept,
            "name": name or _("No department"),
            "customers": n,
            "mean_health": round(mean, 1),
            "bands": bands.get(dept, {}),
        }
        for dept, name, n, mean in repo.department_means(session, scope, month, f)
    ]


def customers(
    session: Session, scope: Scope, f: HealthListFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[dict[str, Any]], Total, date | None]:
    """Visible customers with the month's health, worst first (paged; sort: health, name, change)."""
    access.require_view(scope)
    month, previous = months(session, f)
    if month is None or previous is None:
        return [], Total(0), None
    rows, total = repo.customer_page(session, scope, month, previous, f, page, size, sort)
    keys = ("id", "name", "tier", "owner_id", "department_id", "month", "health", "band", "key_score",
            "broad_score", "org_score", "previous", "change")  # fmt: skip
    return [dict(zip(keys, r, strict=True)) for r in rows], total, month


def months_available(session: Session, limit: int = 36) -> list[date]:
    """The snapshot months, newest first (the month filter's options)."""
    return repo.months(session, limit)


def owner_ids(session: Session, scope: Scope, month: date | None) -> list[int]:
    return repo.owner_ids(session, scope, month) if month else []


def band_names() -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in BANDS.items()]
