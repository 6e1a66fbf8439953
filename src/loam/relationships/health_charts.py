"""ECharts options of relationship health (plain dicts, rendered as JSON into the page): the trend of a customer's
monthly snapshots and today, and the company's customers per band and tier."""

from __future__ import annotations

from typing import Any

from loam.kit.i18n import gettext as _
from loam.relationships import health
from loam.relationships.health_overview import TIERS, Overview
from loam.relationships.schemas_health import BANDS


def _pieces(bands: dict[str, float]) -> list[dict[str, Any]]:
    """Colour a health line by band (the bounds in force)."""
    hi, mid, lo = (float(bands[k]) for k in ("healthy", "sub_healthy", "at_risk"))
    c = health.BAND_COLOURS
    return [
        {"lt": lo, "color": c["critical"]},
        {"gte": lo, "lt": mid, "color": c["at_risk"]},
        {"gte": mid, "lt": hi, "color": c["sub_healthy"]},
        {"gte": hi, "color": c["healthy"]},
    ]


def trend(h: health.Health, bands: dict[str, float] | None = None) -> dict[str, Any]:
    """A line of the stored monthly snapshots (up to 12) and today's live value."""
    labels = [p.month.strftime("%Y-%m") for p in h.trend] + [_("Today")]
    values = [p.health for p in h.trend] + [h.score]
    bounds = bands or {"healthy": 80, "sub_healthy": 60, "at_risk": 40}
    return {
        "grid": {"left": 36, "right": 16, "top": 16, "bottom": 28},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": labels, "boundaryGap": False},
        "yAxis": {"type": "value", "min": 0, "max": 100, "interval": 20},
        "visualMap": {"show": False, "dimension": 1, "pieces": _pieces(bounds)},
        "series": [
            {
                "name": _("Relationship health"),
                "type": "line",
                "data": values,
                "symbolSize": 8,
                "label": {"show": True, "position": "top"},
            }
        ],
    }


def matrix(view: Overview) -> dict[str, Any]:
    """A stacked bar per tier: how many visible customers are in each band."""
    tiers = [t for t in TIERS if any(view.matrix.get((b, t)) for b in BANDS)]
    return {
        "grid": {"left": 40, "right": 16, "top": 36, "bottom": 28},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": [t or _("No tier") for t in tiers]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _(label),
                "type": "bar",
                "stack": "bands",
                "itemStyle": {"color": health.BAND_COLOURS[band]},
                "data": [view.matrix.get((band, t), 0) for t in tiers],
            }
            for band, label in BANDS.items()
        ],
    }
