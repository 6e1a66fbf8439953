"""Relationship health (客户关系健康度): one number per customer combining the three layers.

health = Σ weight · layer score / Σ weights, rounded half up (default weights: key relationships 45, broad
relationships 30, organisational relationships 25 — ``settings.health.weights``); band healthy ≥ 80,
sub-healthy 60–79, at risk 40–59, critical < 40 (``settings.health.bands``).

The explanation is each layer's contribution ("+27 key relationships 60 × 45 %"), apportioned to whole points that
add up to the health exactly (largest remainder), followed by each layer's own points. Every health names the
settings version it was computed with; trends and "the same date last year" come from the stored monthly snapshots
(:mod:`loam.relationships.snapshots`), never from recomputing the past.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.config import settings as app_settings
from loam.kit.i18n import N_
from loam.relationships import access
from loam.relationships import health_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.models import RelationshipSnapshot
from loam.relationships.schemas_health import BANDS, HealthRead, LayerRead, PointRead, TrendRead
from loam.relationships.scores import LayerScore, Point, clamp_score, grade_of

LAYERS = ("key", "broad", "org")
LAYER_LABELS = {
    "key": N_("Key relationships"),
    "broad": N_("Broad relationships"),
    "org": N_("Organisational relationships"),
}
CONTRIBUTIONS = {
    "key": N_("key relationships %(score)s × %(weight)s %%"),
    "broad": N_("broad relationships %(score)s × %(weight)s %%"),
    "org": N_("organisational relationships %(score)s × %(weight)s %%"),
}
BAND_STYLES = {"healthy": "success", "sub_healthy": "info", "at_risk": "warning", "critical": "danger"}
BAND_COLOURS = {"healthy": "#198754", "sub_healthy": "#0dcaf0", "at_risk": "#ffc107", "critical": "#dc3545"}
TREND_MONTHS = 12
LOWEST_BAND = "critical"


@dataclass(frozen=True)
class TrendPoint:
    """A stored snapshot's health: the 1st of ``month``."""

    month: date
    health: int
    band: str
    settings_version: int


@dataclass
class Health:
    """A customer's relationship health: ``score`` and ``band``, each layer's contribution (``points``, adding up to
    the score), the three :class:`LayerScore` s, the weights and settings version used, and — when read through
    :func:`compute` — the last 12 monthly snapshots (``trend``) and the snapshot of the same month a year earlier
    (``last_year``)."""

    customer_id: int
    as_of: date
    score: int
    band: str
    points: list[Point]
    layers: dict[str, LayerScore]
    weights: dict[str, float]
    settings_version: int
    trend: list[TrendPoint] = field(default_factory=list)
    last_year: TrendPoint | None = None

    @property
    def key(self) -> LayerScore:
        return self.layers["key"]

    @property
    def broad(self) -> LayerScore:
        return self.layers["broad"]

    @property
    def org(self) -> LayerScore:
        return self.layers["org"]

    def share(self, layer: str) -> str:
        """The layer's weight as a share of all weights, as the explanation prints it ("45")."""
        total = sum(self.weights.values())
        return percent(self.weights.get(layer, 0.0), total) if total else "0"

    def details(self) -> dict[str, Any]:
        """What a snapshot stores to explain itself later: the layers' ``as_json``, the contributions, the weights."""
        out: dict[str, Any] = {k: self.layers[k].as_json() for k in LAYERS}
        return out | {"points": [asdict(p) for p in self.points], "weights": dict(self.weights)}

    @classmethod
    def from_snapshot(cls, snap: RelationshipSnapshot) -> Health:
        """The health as the snapshot stored it (its own numbers, points and weights: never recomputed)."""
        d = snap.details or {}
        layers = {}
        for k, stored in (("key", snap.key_score), ("broad", snap.broad_score), ("org", snap.org_score)):
            layers[k] = LayerScore.from_json(d[k]) if isinstance(d.get(k), dict) else LayerScore(stored, "")
        points = [Point(p["points"], p["msgid"], p.get("params") or {}) for p in d.get("points", [])]
        weights = {k: float(v) for k, v in (d.get("weights") or {}).items()}
        return cls(snap.customer_id, snap.month, snap.health, snap.band, points, layers, weights, snap.settings_version)


def today() -> date:
    """Today in the company's time zone."""
    return datetime.now(ZoneInfo(app_settings.timezone)).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The 1st of the month ``n`` months from ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def band_of(score: float, bands: dict[str, float]) -> str:
    """healthy / sub_healthy / at_risk by their lower bounds, else critical."""
    return grade_of(score, bands, LOWEST_BAND)


def percent(weight: float, total: float) -> str:
    """A weight's share of the total, as the explanation prints it: "45", "33.3"."""
    share = weight * 100 / total
    return str(round(share)) if abs(share - round(share)) < 0.05 else f"{share:.1f}"


def apportion(exact: dict[str, float], total: int) -> dict[str, int]:
    """Whole points per key adding up to ``total`` (largest remainder; ties in the order of ``exact``)."""
    floors = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(floors.values())
    order = sorted(exact, key=lambda k: -(exact[k] - floors[k]))
    for k in order[: max(0, left)]:
        floors[k] += 1
    return floors


def combine(layers: dict[str, LayerScore], data: dict[str, Any]) -> tuple[int, str, list[Point]]:
    """The health, its band and each layer's contribution, from the three layer scores and the settings."""
    weights = {k: float(data["health"]["weights"][k]) for k in LAYERS}
    total = sum(weights.values())
    exact = {k: weights[k] * layers[k].score / total for k in LAYERS}
    score = clamp_score(sum(exact.values()))
    shares = apportion(exact, score)
    points = [
        Point(shares[k], CONTRIBUTIONS[k], {"score": layers[k].score, "weight": percent(weights[k], total)})
        for k in LAYERS
    ]
    return score, band_of(score, data["health"]["bands"]), points


def layer_scores(
    session: Session, customer_ids: list[int], data: dict[str, Any], as_of: date
) -> dict[str, dict[int, LayerScore]]:
    """The three layers for a list of customers: a fixed number of queries whatever the list's length."""
    from loam.relationships import coverage, keyscore, orgscore

    return {
        "key": keyscore.customer_scores(session, customer_ids, data, as_of),
        "broad": coverage.customer_scores(session, customer_ids, data, as_of),
        "org": orgscore.customer_scores(session, customer_ids, data, as_of),
    }


def score(
    session: Session, customer_ids: list[int], as_of: date, data: dict[str, Any], version: int
) -> dict[int, Health]:
    """Health without history (what the snapshot job stores): the layers computed set-based, then combined."""
    found = layer_scores(session, customer_ids, data, as_of)
    weights = {k: float(data["health"]["weights"][k]) for k in LAYERS}
    out = {}
    for cid in customer_ids:
        layers = {k: found[k].get(cid) or LayerScore(0, "") for k in LAYERS}
        value, band, points = combine(layers, data)
        out[cid] = Health(cid, as_of, value, band, points, layers, weights, version)
    return out


def compute(
    session: Session, customer_ids: list[int], as_of: date, settings: dict[str, Any] | None = None
) -> dict[int, Health]:
    """Each customer's health on ``as_of`` with the settings in force (or ``settings``: then the version is the
    one whose data they are, else 0), its trend (the last 12 monthly snapshots up to ``as_of``) and the snapshot
    of the same month one year earlier. No access check: callers check scope first (see :func:`for_customer`)."""
    row = method_settings.current_row(session)
    data, version = (row.data, row.version) if settings is None or settings == row.data else (settings, 0)
    out = score(session, list(customer_ids), as_of, data, version)
    attach_history(session, out, as_of)
    return out


def attach_history(session: Session, healths: dict[int, Health], as_of: date) -> None:
    """Fill ``trend`` and ``last_year`` from the snapshots (one query per 500 customers)."""
    month = month_start(as_of)
    year_ago = add_months(month, -TREND_MONTHS)
    stored = repo.history(session, list(healths), year_ago, month)
    for cid, health in healths.items():
        points = [TrendPoint(s.month, s.health, s.band, s.settings_version) for s in stored.get(cid, [])]
        health.trend = [p for p in points if p.month > year_ago]
        health.last_year = next((p for p in points if p.month == year_ago), None)


@dataclass
class CustomerLayers:
    """Everything the relationship page's layer sections show, computed once: the key-relationship breakdown
    (:class:`loam.relationships.profiles.CustomerKey`), the coverage and checklist scores, the health combined
    from the same three scores (with its history), the settings version used and the snapshot summaries."""

    key: Any
    broad: LayerScore
    org: LayerScore
    health: Health
    version: int
    stored: list[Any]


def customer_layers(session: Session, scope: Scope, customer_id: int, as_of: date | None = None) -> CustomerLayers:
    """A visible customer's three layers and its health, each layer computed once (404 / 403 first, by the
    key-relationship read): what the health, key, coverage and organisational sections would compute separately,
    the health recomputing the other three."""
    from loam.relationships import coverage, orgscore, profiles

    day = as_of or today()
    key = profiles.customer_key(session, scope, customer_id, day)
    row = method_settings.current_row(session)
    broad = coverage.customer_scores(session, [customer_id], row.data, day)[customer_id]
    org = orgscore.customer_scores(session, [customer_id], row.data, day)[customer_id]
    layers = {"key": key.score, "broad": broad, "org": org}
    value, band, points = combine(layers, row.data)
    weights = {k: float(row.data["health"]["weights"][k]) for k in LAYERS}
    found = {customer_id: Health(customer_id, day, value, band, points, layers, weights, row.version)}
    attach_history(session, found, day)
    stored = repo.summaries(session, customer_id, TREND_MONTHS + 1)
    return CustomerLayers(key, broad, org, found[customer_id], row.version, stored)


def for_customer(session: Session, scope: Scope, customer_id: int, as_of: date | None = None) -> Health:
    """A visible customer's health today (or on ``as_of``), computed live, with its trend (404 if not visible,
    403 without relationships.view)."""
    access.customer(session, scope, customer_id)
    return compute(session, [customer_id], as_of or today())[customer_id]


def band_label(band: str) -> str:
    """The band's name in the current language."""
    from loam.kit.i18n import gettext as _

    return _(BANDS[band]) if band in BANDS else band


def point_reads(points: list[Point]) -> list[PointRead]:
    return [
        PointRead(points=p.points, signed=p.signed(), text=p.text(), msgid=p.msgid, params=p.params) for p in points
    ]


def layer_read(layer: LayerScore) -> LayerRead:
    return LayerRead(score=layer.score, grade=layer.grade, points=point_reads(layer.points), details=layer.details)


def trend_read(p: TrendPoint) -> TrendRead:
    return TrendRead(month=p.month, health=p.health, band=p.band, settings_version=p.settings_version)  # type: ignore[arg-type]


def read(h: Health) -> HealthRead:
    """The API shape of a health, explanations in the current language."""
    return HealthRead(
        customer_id=h.customer_id,
        as_of=h.as_of,
        score=h.score,
        band=h.band,  # type: ignore[arg-type]
        band_label=band_label(h.band),
        settings_version=h.settings_version,
        weights=h.weights,
        points=point_reads(h.points),
        key=layer_read(h.key),
        broad=layer_read(h.broad),
        org=layer_read(h.org),
        trend=[trend_read(p) for p in h.trend],
        last_year=trend_read(h.last_year) if h.last_year else None,
    )
