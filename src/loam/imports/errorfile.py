"""The error file of an import: the failed rows exactly as they were in the file, plus an error column.

Written with XlsxWriter in constant-memory mode (rows stream out; error files are usually small, and a
million failed rows still fit in bounded memory)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from loam.imports.reader import Table
from loam.kit.i18n import gettext as _


def write(path: Path, table: Table, errors: Iterable[tuple[int, str]]) -> int:
    """Write the rows of ``table`` named by ``errors`` ((line, message), in file order); → rows written."""
    wanted = iter(errors)
    current = next(wanted, None)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        sheet = workbook.add_worksheet(_("Errors")[:31])
        bold = workbook.add_format({"bold": True})
        width = len(table.header)
        sheet.write_row(0, 0, [*table.header, _("Error")], bold)
        out = 1
        for line, cells in table.rows():
            while current is not None and current[0] < line:
                current = next(wanted, None)
            if current is None:
                break
            if current[0] == line:
                sheet.write_row(out, 0, [_cell(c) for c in _pad(cells, width)] + [current[1]])
                out += 1
        return out - 1
    finally:
        workbook.close()


def _pad(cells: list[Any], width: int) -> list[Any]:
    return list(cells[:width]) + [None] * max(0, width - len(cells))


def _cell(value: Any) -> Any:
    """Text stays text (never turned into a formula); numbers and booleans keep their type; dates are
    written as ISO text so they read back exactly as they were."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time | timedelta):
        return str(value)
    return value
