"""Turning database rows into spreadsheet rows, fast: one converter per column, compiled once per export.

A 1M-row export converts ~20M cells, so the per-cell work is kept to a C-level call or an inline check:
the row converter is generated once from the column plan (it holds only tuple indexes and converter
references, never data), which is ~2× faster than looping over a list of per-column functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

QUOTE = "'"
TRIGGERS = "=+-@\t\r"  # a cell starting with one of these is run as a formula by spreadsheet apps


def neutralise(value: Any) -> Any:
    """Prefix a quote to text that a spreadsheet would read as a formula (numbers are left alone)."""
    if isinstance(value, str) and value and value[0] in TRIGGERS:
        return QUOTE + value
    return value


NEUTRALISE: Callable[[Any], Any] = neutralise  # marker: compiled inline for plain text columns


@dataclass(frozen=True)
class Cell:
    """Where an output cell comes from: ``row[index]`` (or ``row[index][key]`` for a JSON column) and how
    it is converted (``None``: as is)."""

    index: int
    key: str | None = None
    convert: Callable[[Any], Any] | None = None


def compile_rows(cells: Sequence[Cell]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """One function turning a selected row into the output tuple, with the converters bound as locals."""
    names: dict[str, Any] = {"T": TRIGGERS, "Q": QUOTE, "E": {}}
    parts = []
    for n, cell in enumerate(cells):
        src = f"r[{int(cell.index)}]" if cell.key is None else f"(r[{int(cell.index)}] or E).get({cell.key!r})"
        if cell.convert is None:
            parts.append(src)
        elif cell.convert is NEUTRALISE and cell.key is None:
            parts.append(f"(Q + v if (v := {src}) and v[0] in T else v)")
        else:
            names[f"f{n}"] = cell.convert
            parts.append(f"f{n}({src})")
    source = "def convert(r):\n    return (" + "".join(p + ", " for p in parts) + ")\n"
    exec(compile(source, "<export-row>", "exec"), names)  # noqa: S102 - generated from indexes and keys only
    return names["convert"]  # type: ignore[no-any-return]


RANGE = (datetime(1992, 1, 1), datetime(2100, 1, 1))


@cache
def fixed_offset(zone: str) -> timedelta | None:
    """The zone's UTC offset if it has had a single one since 1992 (no daylight saving), else None."""
    tz, (lo, hi) = ZoneInfo(zone), RANGE
    offsets = {tz.utcoffset(lo + timedelta(days=d)) for d in range(0, (hi - lo).days, 7)}
    return next(iter(offsets)) if len(offsets) == 1 else None


def parse_local(value: str | None) -> datetime | None:
    """Company-time text computed by the database (``YYYY-MM-DD HH:MM:SS``) as a datetime (xlsx)."""
    return None if value is None else datetime.fromisoformat(value)


def local_time(zone: str, as_text: bool = False) -> Callable[[Any], Any]:
    """UTC (ISO text or naive from SQLite, aware from PostgreSQL) → naive wall-clock time in ``zone``,
    or its ``YYYY-MM-DD HH:MM:SS`` text (csv).

    Zones without daylight saving (Asia/Shanghai) take a fast path: one addition instead of a
    zoneinfo lookup per value (3M datetimes in a 1M-row export).
    """
    tz = ZoneInfo(zone)
    lo, hi = RANGE
    fixed = fixed_offset(zone)
    parse = datetime.fromisoformat

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value.__class__ is str:
            value = parse(value)
        elif value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        if fixed is not None and lo <= value < hi:
            value = value + fixed
        else:
            value = value.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
        return value.isoformat(" ", "seconds") if as_text else value

    return convert


def text_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def iso_to_date(value: Any) -> date | None:
    """A custom date field (stored as ``YYYY-MM-DD``) as a real date."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class Labels(dict[Any, Any]):
    """``labels[value]`` at C speed; a value missing from the table is written as it is (neutralised).
    None is always in the table (an empty cell stays empty)."""

    def __init__(self, table: dict[Any, Any]) -> None:
        super().__init__(table)
        self[None] = None

    def __missing__(self, key: Any) -> Any:
        return neutralise(key)


def joined(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A multi-select value (a list) as ``a; b``."""

    def join(value: Any) -> Any:
        if isinstance(value, list):
            return convert("; ".join(str(v) for v in value)) if value else None
        return convert(value)

    return join


def as_number(value: Any) -> Any:
    """An amount (``Decimal``) as a number cell: a float carries Numeric(18, 2) exactly up to 10^13."""
    return float(value) if isinstance(value, Decimal) else value


def as_text(value: Any) -> Any:
    """An amount in csv: its plain digits (``Decimal`` keeps every cent)."""
    return None if value is None else str(value)
