"""Broad relationships (普遍客户关系): the coverage grid of a customer's departments × levels.

Rows are the department template of the customer's industry (settings ``coverage.templates``, else ``default``)
followed by any other department its contacts are in (names matched after trimming and case-folding); columns are
the levels executive / middle / staff. Deleted contacts and contacts departed on or before ``as_of`` do not count;
contacts without a department are listed apart ("missing information").

A cell is **covered** when at least one contact in it has support ≥ 0 (no profile = neutral) and was touched: linked
to a live follow-up that happened within ``coverage.window_days`` days before ``as_of`` (from the local midnight
``window_days`` days earlier to the end of ``as_of``). The people covering a cell are everyone who wrote or took part
in those follow-ups; a covered cell with exactly one of them is a single-thread risk.

Coverage % = Σ level weight × covered / Σ level weight over every cell (empty template departments included), the
score is that % rounded half up, graded A/B/C/D by ``coverage.grades`` on the score. The points, one per level,
are that level's share rounded so that they add up to the score exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.config import settings as app_settings
from loam.kit.i18n import N_
from loam.relationships import access
from loam.relationships import layers_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.scores import LayerScore, Point, clamp_score, grade_of

LEVELS = ("executive", "middle", "staff")
LEVEL_POINTS = {
    "executive": N_("executive level: %(covered)s of %(total)s departments covered"),
    "middle": N_("middle level: %(covered)s of %(total)s departments covered"),
    "staff": N_("staff level: %(covered)s of %(total)s departments covered"),
}
SINGLE_THREAD = N_("single-thread risk: %(n)s covered cells rest on one person on our side")
UNASSIGNED = N_("contacts without a department, not in the grid: %(n)s")
NO_ROWS = N_("no departments to cover: the template is empty and no contact has a department")


def today() -> date:
    """Today in the company's time zone."""
    return datetime.now(ZoneInfo(app_settings.timezone)).date()


def local_midnight(day: date) -> datetime:
    """The instant a local day starts, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(app_settings.timezone)).astimezone(UTC)


def fold(name: str | None) -> str:
    """How department names are matched: trimmed and case-folded ("" = no department)."""
    return (name or "").strip().casefold()


def apportion(exact: list[Fraction], total: int) -> list[int]:
    """Whole points for each exact share, adding up to ``total`` (largest remainders get the rounding)."""
    floors = [math.floor(x) for x in exact]
    rest = max(0, min(len(exact), total - sum(floors)))
    for i in sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))[:rest]:
        floors[i] += 1
    return floors


def _weight(value: Any) -> Fraction:
    return Fraction(value).limit_denominator(10**6) if value else Fraction(0)


@dataclass
class _Grid:
    rows: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    unassigned: list[dict[str, Any]] = field(default_factory=list)


def _grid(template: list[str], contacts: list[Any], touched: dict[int, set[int | None]]) -> _Grid:
    """Rows (template first, then other departments by name), and the contacts of each cell."""
    grid = _Grid()
    for name in template:
        key = fold(name)
        if key and key not in grid.keys:
            grid.keys.append(key)
            grid.rows.append(name.strip())
    extra: dict[str, str] = {}
    for c in contacts:
        key = fold(c.dept_name)
        if not key or c.level not in LEVELS:
            grid.unassigned.append({"id": c.id, "name": c.name, "level": c.level})
            continue
        if key not in grid.keys:
            extra.setdefault(key, c.dept_name.strip())
        support = c.support if c.support is not None else 0
        people = touched.get(c.id)
        entry = {"id": c.id, "name": c.name, "support": support, "touched": people is not None}
        entry["counts"] = support >= 0 and people is not None
        grid.cells.setdefault((key, c.level), []).append(entry)
    for key in sorted(extra):
        grid.keys.append(key)
        grid.rows.append(extra[key])
    return grid


def _points(weights: dict[str, Fraction], covered: dict[str, int], n_rows: int, score: int) -> list[Point]:
    total = sum(weights.values()) * n_rows
    levels = [lv for lv in LEVELS if weights[lv] > 0]
    exact = [weights[lv] * covered[lv] / total * 100 if total else Fraction(0) for lv in levels]
    whole = apportion(exact, score) if total else [0] * len(levels)
    return [
        Point(points, LEVEL_POINTS[lv], {"covered": covered[lv], "total": n_rows})
        for lv, points in zip(levels, whole, strict=True)
    ]


def _score(
    cfg: dict[str, Any], template: tuple[str, list[str]], contacts: list[Any], touched: dict[int, set[int | None]]
) -> LayerScore:
    grid = _grid(template[1], contacts, touched)
    weights = {lv: _weight(cfg["level_weights"].get(lv, 0)) for lv in LEVELS}
    cells: list[dict[str, Any]] = []
    covered = dict.fromkeys(LEVELS, 0)
    for key, row in zip(grid.keys, grid.rows, strict=True):
        for lv in LEVELS:
            members = grid.cells.get((key, lv), [])
            counting = [m for m in members if m["counts"]]
            people = sorted({u for m in counting for u in touched.get(m["id"], set()) if u is not None})
            is_covered = bool(counting)
            covered[lv] += is_covered
            cells.append(
                {
                    "dept": row,
                    "level": lv,
                    "weight": float(weights[lv]),
                    "covered": is_covered,
                    "contacts": members,
                    "coverers": people,
                    "single_thread": is_covered and len(people) == 1,
                }
            )
    total = sum(weights.values()) * len(grid.rows)
    pct = sum((weights[lv] * covered[lv] for lv in LEVELS), Fraction(0)) / total * 100 if total else Fraction(0)
    score = clamp_score(float(pct))
    points = _points(weights, covered, len(grid.rows), score) if grid.rows else [Point(0, NO_ROWS)]
    single = sum(1 for c in cells if c["single_thread"])
    if single:
        points.append(Point(0, SINGLE_THREAD, {"n": single}))
    if grid.unassigned:
        points.append(Point(0, UNASSIGNED, {"n": len(grid.unassigned)}))
    details = {
        "percent": round(float(pct), 1),
        "template": template[0],
        "rows": grid.rows,
        "levels": list(LEVELS),
        "cells": cells,
        "unassigned": grid.unassigned,
        "window_days": int(cfg["window_days"]),
    }
    return LayerScore(score, grade_of(score, cfg["grades"], "D"), points, details)


def customer_scores(
    session: Session, customer_ids: list[int], settings: dict[str, Any], as_of: date
) -> dict[int, LayerScore]:
    """The coverage score of each customer on ``as_of`` with the method ``settings`` (a dict shaped like
    ``settings.DEFAULTS``). Set-based: three statements per chunk of customers, whatever their number. Every id
    asked for gets a score (a customer without contacts scores 0, grade D). Details: ``rows``, ``levels``,
    ``cells`` [{dept, level, weight, covered, contacts, coverers, single_thread}], ``unassigned``, ``percent``."""
    cfg = settings["coverage"]
    ids = sorted(set(customer_ids))
    industries = repo.industries(session, ids)
    by_customer: dict[int, list[Any]] = {}
    for row in repo.coverage_contacts(session, ids, as_of):
        by_customer.setdefault(row.customer_id, []).append(row)
    start = local_midnight(as_of - timedelta(days=int(cfg["window_days"])))
    touched = repo.touchers(session, ids, start, local_midnight(as_of + timedelta(days=1)))
    templates = cfg["templates"]
    out: dict[int, LayerScore] = {}
    for cid in ids:
        industry = industries.get(cid)
        key = industry if industry and industry in templates else "default"
        out[cid] = _score(cfg, (key, templates[key]), by_customer.get(cid, []), touched)
    return out


def customer_score(
    session: Session, scope: Scope, customer_id: int, as_of: date | None = None
) -> tuple[LayerScore, int]:
    """One visible customer's coverage (404 / 403 per :func:`access.customer`) with the settings version used."""
    customer = access.customer(session, scope, customer_id)
    row = method_settings.current_row(session)
    day = as_of or today()
    return customer_scores(session, [customer.id], row.data, day)[customer.id], row.version
