"""`loam relationships …`: one command group; each part adds its commands (cli_health: snapshots, settings)."""

from __future__ import annotations

import importlib

import typer

NAME = "relationships"
app = typer.Typer(help="Relationships, quantified: snapshots and the method's settings.", no_args_is_help=True)

for _part in ("cli_health",):
    try:
        importlib.import_module(f"loam.relationships.{_part}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"loam.relationships.{_part}":
            raise
