"""ECharts options built from a report's numbers (the page renders them with static/js/charts.js).

Options are plain JSON (no functions: the CSP forbids inline scripts); money becomes a float here and only
here, for drawing — the tables and the API keep exact decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#ffc107", "#0dcaf0", "#6c757d"]


def num(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value  # type: ignore[no-any-return]


def _base(legend: list[str] | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True},
    }
    if legend:
        option["legend"] = {"data": legend, "top": 0}
    return option


def bars(
    categories: list[str],
    series: list[tuple[str, list[Any]]],
    horizontal: bool = False,
    line: tuple[str, list[Any]] | None = None,
    line_percent: bool = True,
) -> dict[str, Any]:
    """Grouped bars per category; with ``line``, a line on a second axis (a percentage 0–100 by default,
    e.g. the win rate)."""
    names = [name for name, _values in series] + ([line[0]] if line else [])
    option = _base(names)
    cat_axis: dict[str, Any] = {"type": "category", "data": categories, "axisLabel": {"hideOverlap": True}}
    val_axis: list[dict[str, Any]] = [{"type": "value"}]
    option["series"] = [{"name": n, "type": "bar", "data": [num(v) for v in vals]} for n, vals in series]
    if line:
        percent = {"min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}} if line_percent else {}
        val_axis.append({"type": "value", "splitLine": {"show": False}} | percent)
        option["series"].append(
            {"name": line[0], "type": "line", "yAxisIndex": 1, "data": [num(v) for v in line[1]], "smooth": True}
        )
    if horizontal:
        cat_axis["inverse"] = True
        option["yAxis"], option["xAxis"] = cat_axis, val_axis[0]
    else:
        option["xAxis"], option["yAxis"] = cat_axis, val_axis
    return option


def lines(categories: list[str], series: list[tuple[str, list[Any]]], area: bool = False) -> dict[str, Any]:
    option = _base([name for name, _values in series])
    option["xAxis"] = {"type": "category", "data": categories, "boundaryGap": False}
    option["yAxis"] = {"type": "value"}
    option["series"] = [
        {"name": n, "type": "line", "smooth": True, "data": [num(v) for v in vals]}
        | ({"areaStyle": {}} if area else {})
        for n, vals in series
    ]
    return option


def funnel(items: list[tuple[str, Any]], name: str) -> dict[str, Any]:
    """A funnel chart in the given order (not sorted by size: stages keep their sequence)."""
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [
            {
                "name": name,
                "type": "funnel",
                "sort": "none",
                "left": "10%",
                "width": "80%",
                "minSize": "8%",
                "label": {"show": True, "position": "inside", "formatter": "{b}: {c}"},
                "data": [{"name": label, "value": num(v)} for label, v in items],
            }
        ],
    }


def pie(items: list[tuple[str, Any]], name: str) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"type": "scroll", "bottom": 0},
        "series": [
            {
                "name": name,
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [{"name": label, "value": num(v)} for label, v in items],
            }
        ],
    }
