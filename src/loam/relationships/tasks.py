"""Relationship jobs (thin), one module per part: monthly snapshots (tasks_health), executive pairings due and
stale intelligence sources (tasks_network)."""

from __future__ import annotations

import importlib

for _part in ("tasks_health", "tasks_network"):
    try:
        importlib.import_module(f"loam.relationships.{_part}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"loam.relationships.{_part}":
            raise
