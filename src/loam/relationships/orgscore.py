"""Organisational relationships (组织型客户关系): the weighted checklist score of a customer.

The items and their weights are data (settings ``org.items``). A customer's mark on an item counts when it was
achieved on or before ``as_of`` (or has no date) with its factor 0–1 (e.g. the strategic agreement's scope: group 1,
region 0.7, project 0.4). Score = Σ weight × factor / Σ weight × 100, rounded half up; grade by ``org.grades``
(A ≥ 70, B ≥ 40, C below) on the score. Marks on items no longer in the settings are ignored and reported as
retired. One point per item, rounded so that the points add up to the score exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.i18n import N_, pick
from loam.relationships import access
from loam.relationships import layers_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.coverage import apportion, today
from loam.relationships.models import OrgMark
from loam.relationships.scores import LayerScore, Point, clamp_score, grade_of

IN_PLACE = N_("%(item)s: in place")
IN_PLACE_FACTOR = N_("%(item)s: in place at factor %(factor)s")
NOT_IN_PLACE = N_("%(item)s: not in place")
NO_ITEMS = N_("the checklist has no weighted items")


def _fraction(value: Any) -> Fraction:
    return Fraction(str(value)) if value else Fraction(0)


def mark_json(mark: OrgMark) -> dict[str, Any]:
    """A mark as plain JSON (for the details of a score and the snapshot)."""
    return {
        "mark_id": mark.id,
        "version": mark.version,
        "mark_factor": str(Decimal(mark.factor).quantize(Decimal("0.01"))),
        "achieved_on": mark.achieved_on.isoformat() if mark.achieved_on else None,
        "evidence": mark.evidence,
        "evidence_url": mark.evidence_url,
        "followup_ids": list(mark.followup_ids or []),
    }


def _no_mark() -> dict[str, Any]:
    empty = dict.fromkeys(("mark_id", "version", "mark_factor", "achieved_on", "evidence", "evidence_url"))
    return {**empty, "followup_ids": []}


def _score(cfg: dict[str, Any], marks: dict[str, OrgMark], as_of: date) -> LayerScore:
    items = cfg["items"]
    total = sum((_fraction(i["weight"]) for i in items), Fraction(0))
    rows: list[dict[str, Any]] = []
    exact: list[Fraction] = []
    for item in items:
        mark = marks.get(item["key"])
        counted = mark is not None and (mark.achieved_on is None or mark.achieved_on <= as_of)
        factor = _fraction(mark.factor) if counted and mark is not None else Fraction(0)
        weight = _fraction(item["weight"])
        exact.append(weight * factor / total * 100 if total else Fraction(0))
        rows.append(
            {
                "key": item["key"],
                "label_zh": item["zh"],
                "label_en": item["en"],
                "weight": float(weight),
                "factor": float(factor),
                "counted": counted,
                "pending": mark is not None and not counted,
                **(mark_json(mark) if mark is not None else _no_mark()),
            }
        )
    pct = sum(exact, Fraction(0))
    score = clamp_score(float(pct))
    whole = apportion(exact, score)
    points: list[Point] = []
    for row, pts in zip(rows, whole, strict=True):
        row["points"] = pts
        label = {"item": pick(row["label_zh"], row["label_en"])}
        if not row["counted"]:
            points.append(Point(pts, NOT_IN_PLACE, label))
        elif row["factor"] == 1:
            points.append(Point(pts, IN_PLACE, label))
        else:
            points.append(Point(pts, IN_PLACE_FACTOR, label | {"factor": f"{row['factor']:g}"}))
    if not total:
        points.append(Point(0, NO_ITEMS))
    keys = {i["key"] for i in items}
    retired = [{"key": m.item_key, **mark_json(m)} for k, m in sorted(marks.items()) if k not in keys]
    details = {"percent": round(float(pct), 1), "items": rows, "retired": retired}
    return LayerScore(score, grade_of(score, cfg["grades"], "C"), points, details)


def customer_scores(
    session: Session, customer_ids: list[int], settings: dict[str, Any], as_of: date
) -> dict[int, LayerScore]:
    """The checklist score of each customer on ``as_of`` with the method ``settings``. Set-based: one statement per
    chunk of customers. Every id asked for gets a score (no marks: 0, grade C). Details: ``items`` [{key,
    label_zh, label_en, weight, factor, counted, pending, points, mark_id, version, mark_factor, achieved_on,
    evidence, evidence_url, followup_ids}], ``retired`` (marks on items no longer in the settings), ``percent``."""
    ids = sorted(set(customer_ids))
    by_customer: dict[int, dict[str, OrgMark]] = {cid: {} for cid in ids}
    for mark in repo.marks(session, ids):
        by_customer[mark.customer_id][mark.item_key] = mark
    return {cid: _score(settings["org"], by_customer[cid], as_of) for cid in ids}


def customer_score(
    session: Session, scope: Scope, customer_id: int, as_of: date | None = None
) -> tuple[LayerScore, int]:
    """One visible customer's checklist score (404 / 403 per :func:`access.customer`) with the settings version."""
    customer = access.customer(session, scope, customer_id)
    row = method_settings.current_row(session)
    return customer_scores(session, [customer.id], row.data, as_of or today())[customer.id], row.version
