"""A report as an xlsx workbook with XlsxWriter (reports are small): one sheet per table, same numbers.

Money cells are numbers with two decimals, percentages numbers 0–100 (like the page and the API), counts
integers; a table's total is the last row, in bold.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from loam.kit.i18n import gettext as _
from loam.reports.schemas import Report, TableOut

FORMATS = {"money": "#,##0.00", "number": "#,##0.####", "percent": '0.00"%"', "days": "0.0", "int": "0"}
BAD_SHEET_CHARS = "[]:*?/\\"


def filename(report: Report) -> str:
    span = f"_{report.start.isoformat()}_{report.end.isoformat()}" if report.start and report.end else ""
    return f"report_{report.name}{span}.xlsx"


def _sheet_name(title: str, taken: set[str]) -> str:
    base = "".join(" " if ch in BAD_SHEET_CHARS else ch for ch in title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:26]}_{n}", n + 1
    taken.add(name.lower())
    return name


def _value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _write_table(book: Any, sheet: Any, t: TableOut, styles: dict[Any, Any]) -> None:
    widths = [max(10, len(c.label) * 2) for c in t.columns]
    for col, column in enumerate(t.columns):
        sheet.write_string(0, col, column.label, styles["header"])
    rows = list(t.rows) + ([t.total] if t.total else [])
    for r, row in enumerate(rows, start=1):
        bold = t.total is not None and r == len(rows)
        for col, column in enumerate(t.columns):
            value = row.get(column.key)
            style = styles[(column.kind, bold)]
            if value is None:
                sheet.write_blank(r, col, None, style)
            elif isinstance(value, int | Decimal) and column.kind != "text":
                sheet.write_number(r, col, _value(value), style)
            else:
                text = str(value)
                widths[col] = max(widths[col], min(60, len(text) * 2))
                sheet.write_string(r, col, text, style)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)


def workbook(report: Report) -> bytes:
    """The xlsx bytes of a computed report."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": report.title, "comments": _("Amounts in %(currency)s", currency=report.currency)})
    styles: dict[Any, Any] = {"header": book.add_format({"bold": True, "bg_color": "#E9ECEF"})}
    for kind in ("text", *FORMATS):
        for bold in (False, True):
            spec: dict[str, Any] = {"bold": bold}
            if kind in FORMATS:
                spec["num_format"] = FORMATS[kind]
            styles[(kind, bold)] = book.add_format(spec)
    taken: set[str] = set()
    for t in report.tables:
        _write_table(book, book.add_worksheet(_sheet_name(t.title, taken)), t, styles)
    if not report.tables:
        book.add_worksheet(_sheet_name(report.title, taken))
    book.close()
    return buffer.getvalue()
